"""The site's URLconf plus ``/bench/bare/``: ``BENCH_BARE_BYTES`` of static HTML behind the same
server, middleware, session and user as a page, but no routing, other query or rendering, so the
fixed cost a page can never get below. Only in ``bench.settings``."""

from __future__ import annotations

import os

from django.http import HttpRequest, HttpResponse
from django.urls import path

from curriculum.urls import urlpatterns as site_urlpatterns

BARE_SIZE = int(os.environ.get("BENCH_BARE_BYTES", "") or 20_000)
_HEAD = b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>bare</title></head>'
_HEAD += b"<body><p>"
_TAIL = b"</p></body></html>\n"
_FILLER = max(0, BARE_SIZE - len(_HEAD) - len(_TAIL))
#: Valid HTML of exactly ``BARE_SIZE`` bytes (at least the length of the fixed markup).
BARE_BODY = _HEAD + (b"lorem ipsum " * (_FILLER // 12 + 1))[:_FILLER] + _TAIL


def bare(request: HttpRequest) -> HttpResponse:
    """The page's size in bytes, from memory, after loading the session and user (as pages do)."""
    if request.user.is_authenticated:
        request.session.get("_auth_user_id")
    return HttpResponse(BARE_BODY, content_type="text/html; charset=utf-8")


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *site_urlpatterns]
