"""Send a practitioner to complete their profile before anything else, once per session."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

SESSION_KEY = "zhusan_profile_ok"
#: Paths a practitioner may open before the profile is complete.
EXEMPT_PREFIXES = ("/admin/", "/healthz/", "/static/", "/media/", "/documents/", "/i18n/")
EXEMPT_PARTS = ("/learn/profile/", "/accounts/")  # the form itself; sign-in, out, passwords


def needs_profile(user: object) -> bool:
    """Practitioners need a profile: anyone who is not staff and edits nothing in the CMS."""
    from .models import Profile

    if getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
        return False
    groups = set(user.groups.values_list("name", flat=True))  # type: ignore[attr-defined]
    if groups - {"Practitioner"}:
        return False  # trainers, reviewers, coordinators, ministry staff
    user_pk = getattr(user, "pk", None)
    if user_pk is None:
        return False
    return not Profile.objects.filter(user_id=user_pk).exists()


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
