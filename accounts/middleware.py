"""Two-factor sign-in comes before anything else.

Someone whose account has an authenticator app and whose session has not yet passed the code
step is sent to it, wherever they signed in (our login page or the CMS's). Someone a setting
requires it of (``TWO_FACTOR_REQUIRED_ROLES``) who has no app yet is sent to set one up. Runs
after django-otp's ``OTPMiddleware`` (which knows whether this session passed the code step).
Checked once a session for everyone else, like the profile check.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from .permissions import two_factor_required
from .selectors import two_factor_enabled

__all__ = ["TwoFactorMiddleware", "mark_two_factor_done"]

SESSION_KEY = "zhusan_two_factor_ok"
#: What a half-signed-in person may still open: the two steps, signing out, languages, assets.
EXEMPT_PREFIXES = ("/static/", "/healthz/", "/i18n/", "/favicon.ico")
EXEMPT_PATHS = ("accounts/two-factor/", "accounts/two-factor/code/", "accounts/logout/")
_LANGUAGES = "|".join(re.escape(code) for code, _name in settings.LANGUAGES)
_LANGUAGE_PREFIX = re.compile(rf"^/(?:{_LANGUAGES})/")


def mark_two_factor_done(request: HttpRequest) -> None:
    """Record that this session has nothing more to do for two-factor sign-in."""
    request.session[SESSION_KEY] = request.user.pk


def _exempt(path: str) -> bool:
    if path.startswith(EXEMPT_PREFIXES):
        return True
    match = _LANGUAGE_PREFIX.match(path)
    return match is not None and path[match.end() :] in EXEMPT_PATHS


class TwoFactorMiddleware:
    """Send a signed-in person to the code step, or to set up an app, before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and request.session.get(SESSION_KEY) != user.pk
            and not _exempt(request.path)
        ):
            if getattr(user, "is_verified", lambda: False)():
                mark_two_factor_done(request)
            elif two_factor_enabled(user=user):
                return self._redirect("accounts:two_factor_code", request)
            elif two_factor_required(user):
                return self._redirect("accounts:two_factor", request)
            else:
                mark_two_factor_done(request)
        return self.get_response(request)

    @staticmethod
    def _redirect(name: str, request: HttpRequest) -> HttpResponse:
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse(name)}?{query}")
