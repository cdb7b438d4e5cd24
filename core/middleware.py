"""Django's LocaleMiddleware, except for URLs that must never move to a language prefix."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.middleware.locale import LocaleMiddleware

#: Printed on certificates (QR codes): an unknown code answers 404 here, never a redirect.
UNPREFIXED = ("/verify/",)


class SiteLocaleMiddleware(LocaleMiddleware):
    """Adds no language prefix (by redirect) to a 404 under ``UNPREFIXED``."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> Any:
        if request.path_info.startswith(UNPREFIXED):
            return response
        return super().process_response(request, response)
