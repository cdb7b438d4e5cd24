"""Send a practitioner to complete their profile before anything else, once per session."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from .permissions import keeps_a_profile
from .selectors import profile_exists

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

SESSION_KEY = "zhusan_profile_ok"
#: Paths a practitioner may open before the profile is complete.
EXEMPT_PREFIXES = ("/admin/", "/healthz/", "/static/", "/media/", "/documents/", "/i18n/")
EXEMPT_PARTS = ("/learn/profile/", "/accounts/")  # the form itself; sign-in, out, passwords


def needs_profile(user: User | AnonymousUser) -> bool:
    """Whether ``user`` is a practitioner (``permissions.keeps_a_profile``) with no profile yet."""
    if not user.is_authenticated:
        return False
    return keeps_a_profile(user) and not profile_exists(user=user)


class ProfileRequiredMiddleware:
    """Redirect a practitioner without a profile to the profile form (checked once a session)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.session.get(SESSION_KEY)
            and not request.path.startswith(EXEMPT_PREFIXES)
            and not any(part in request.path for part in EXEMPT_PARTS)
        ):
            if needs_profile(user):
                target = reverse("learners:profile")
                return HttpResponseRedirect(
                    f"{target}?{urlencode({'next': request.get_full_path()})}"
                )
            request.session[SESSION_KEY] = True
        return self.get_response(request)
