"""Site-wide middleware: Django's LocaleMiddleware, except for URLs that must never move to a
language prefix; and private caching for everything rendered for a signed-in user."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.middleware.locale import LocaleMiddleware

from .http import mark_private
from .languages import remember_first_language, remember_language

#: Printed on certificates (QR codes): an unknown code answers 404 here, never a redirect. The
#: xAPI endpoints likewise: an API answers 404 for what it does not have (docs/xapi.md).
UNPREFIXED = ("/verify/", "/xapi/", "/h5p/")


class SiteLocaleMiddleware(LocaleMiddleware):
    """Adds no language prefix (by redirect) to a 404 under ``UNPREFIXED``; sets the language
    cookie for a language chosen in the request (``core.languages.use_language``: sign-in, the
    switcher) and for a first visit sent to the language its ``Accept-Language`` asked for."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> Any:
        response = remember_language(request, response)
        if request.path_info.startswith(UNPREFIXED):
            return response
        response = super().process_response(request, response)
        return remember_first_language(request, response)


class PrivateCacheMiddleware:
    """``Cache-Control: private, no-store`` on every response rendered for a signed-in user.

    Such a response carries personal data (My learning, an attempt, a certificate, a cohort's
    export, the CMS): no shared cache (a proxy, a CDN) may keep it, nor the browser's cache on a
    shared computer after signing out. Directives a view set are kept and only ever added to
    (``patch_cache_control``: ``private`` replaces ``public``), so a stricter header stays as
    strict. Responses for anonymous readers are left alone and keep their public caching.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            mark_private(response)
        return response
