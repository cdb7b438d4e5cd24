"""The site's URLconf plus ``/bench/bare/``, a reference view for the benchmarks.

``/bench/bare/`` returns static HTML of ``BARE_SIZE`` bytes (``BENCH_BARE_BYTES`` in the
environment, read once at import; the bytes are built once). It goes through the same server and
middleware as a page, with the same cookie, and loads the session and the user the cookie names,
but does no routing, no other query and no template rendering, so it measures the fixed cost a
page can never get below. It exists only in ``bench.settings``; the production URLconf
(``curriculum.urls``) is untouched.
"""

from __future__ import annotations

import os

from django.http import HttpRequest, HttpResponse
from django.urls import path

from curriculum.urls import urlpatterns as site_urlpatterns

BARE_SIZE = int(os.environ.get("BENCH_BARE_BYTES", "") or 20_000)

_HEAD = b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>bare</title></head>'
_HEAD += b"<body><p>"
_TAIL = b"</p></body></html>\n"


def build_body(size: int) -> bytes:
    """Valid HTML of exactly ``size`` bytes (at least the length of the fixed markup)."""
    filler = max(0, size - len(_HEAD) - len(_TAIL))
    return _HEAD + (b"lorem ipsum " * (filler // 12 + 1))[:filler] + _TAIL


BARE_BODY = build_body(BARE_SIZE)


def bare(request: HttpRequest) -> HttpResponse:
    """The same number of bytes as the page under test, from memory, after the session and the
    user the request's cookie names are loaded (as every signed-in page needs them)."""
    if request.user.is_authenticated:
        request.session.get("_auth_user_id")
    return HttpResponse(BARE_BODY, content_type="text/html; charset=utf-8")


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *site_urlpatterns]
