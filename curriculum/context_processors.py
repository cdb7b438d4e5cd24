"""The places each signed-in person may go, for the site's header (``base.html``).

The header needs capabilities from apps at every layer (cohorts and reports from ``learners``,
certificates from ``certification``, written work to grade from ``quizzes``, the CMS from
``accounts``). Templates may not reach up into
the apps, so the project package, which sits above them all, asks each app's ``api`` and hands
the template plain flags as ``site_nav``.

Asking costs a few queries (roles and permissions), so the answer is kept in the session,
worked out at most once per sign-in: ordinary pages spend no query on the header, and the page
query budgets hold. The views behind the links check again on every request; a role changed
while someone is signed in shows in their header from their next sign-in (``home``, where every
sign-in lands, works the flags out afresh).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from django.utils.functional import SimpleLazyObject

from accounts.api import can_use_cms, is_administrator
from certification.api import can_view_certificates
from learners.api import can_run_cohorts, can_view_reports, keeps_a_profile
from quizzes.api import can_open_grading_queue

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User
    from django.http import HttpRequest

__all__ = ["Places", "navigation", "places_for", "places_of"]

#: Where the flags are kept, with the session key they were worked out for.
SESSION_KEY = "zhusan_places"


@dataclass(frozen=True)
class Places:
    """Where someone may go from the header. Signed out: nowhere but the public pages."""

    signed_in: bool = False
    cohorts: bool = False
    #: The grading queue of written work (trainers, course reviewers, administrators).
    grading: bool = False
    reports: bool = False
    cms: bool = False
    certificates: bool = False
    administrator: bool = False
    #: A practitioner's specialist profile; others change their password instead.
    profile: bool = False


def places_for(user: User | AnonymousUser) -> Places:
    """Work out ``user``'s places from each app's capabilities (a few queries)."""
    if not user.is_authenticated:
        return Places()
    return Places(
        signed_in=True,
        cohorts=can_run_cohorts(user),
        grading=can_open_grading_queue(user),
        reports=can_view_reports(user),
        cms=can_use_cms(user),
        certificates=can_view_certificates(user),
        administrator=is_administrator(user),
        profile=keeps_a_profile(user),
    )


def places_of(request: HttpRequest, *, fresh: bool = False) -> Places:
    """``request.user``'s places, from the session when they were worked out since this sign-in.

    Signing in gives the session a new key (Django cycles it), so flags kept under an older key,
    or for another person, are worked out again. ``fresh`` works them out regardless.
    """
    user = request.user
    if not user.is_authenticated:
        return Places()
    session = getattr(request, "session", None)
    if session is None:
        return places_for(user)
    owner = [user.pk, session.session_key]
    kept: Any = session.get(SESSION_KEY)
    if not fresh and isinstance(kept, dict) and kept.get("for") == owner:
        flags = {name: bool(kept.get(name)) for name in Places.__dataclass_fields__}
        return Places(**flags)
    places = places_for(user)
    session[SESSION_KEY] = {"for": owner, **asdict(places)}
    return places


def navigation(request: HttpRequest) -> dict[str, Any]:
    """``site_nav``: the reader's ``Places``, worked out only when a template reads them."""
    return {"site_nav": SimpleLazyObject(lambda: places_of(request))}
