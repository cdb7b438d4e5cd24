"""Project-level views: where each role lands after signing in, and the CMS's own 403.

``home`` is ``LOGIN_REDIRECT_URL``. It decides nothing itself: each app's ``api`` says what
``request.user`` may do (``curriculum.context_processors.places_for``), and the first place that
applies wins:

1. a safe ``next`` (on this site), when one is given;
2. administrators: the CMS dashboard, which links to everything they run (reports,
   certificates, imports) and holds the review queue;
3. trainers: their cohorts;
4. regional coordinators and the ministry: the dashboard (``reports``);
5. anyone else who may use the CMS (course reviewers): the CMS dashboard and its review queue;
6. everyone else (practitioners): My learning.

The error pages themselves are templates (``403.html``, ``404.html``, ``500.html``) rendered by
Django's own handlers, except that a 403 under the CMS stays the CMS's page.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from django import db
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import defaults

from accounts.api import can_use_cms
from core.api import admin_refusal
from courses.api import identity_of, live_courses

from .context_processors import places_of

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from core.api import AuthenticatedRequest

__all__ = ["home", "landing_url", "old_report", "permission_denied"]


def landing_url(request: HttpRequest) -> str:
    """Where ``request.user`` lands when nothing else was asked for (see the module's list)."""
    places = places_of(request, fresh=True)
    if places.administrator:
        return reverse("wagtailadmin_home")
    if places.cohorts:
        return reverse("learners:cohort_list")
    if places.reports:
        return reverse("reports:dashboard")
    if places.cms:
        return reverse("wagtailadmin_home")
    return reverse("learners:my_learning")


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    """Send the person who just signed in to their home (or to a safe ``next``)."""
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        places_of(request, fresh=True)  # the header's flags, worked out once per sign-in
        return redirect(target)
    return redirect(landing_url(request))


@login_required
def old_report(request: AuthenticatedRequest, course_id: int | None = None) -> HttpResponse:
    """The course reports the dashboard replaced: to the dashboard, for the same course."""
    target = reverse("reports:dashboard")
    if course_id is not None:
        course = live_courses().filter(pk=course_id).first()
        if course is not None:
            target += f"?course={identity_of(course).pk}"
    return redirect(target)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler403``: the site's 403 page, or inside the CMS the CMS's own refusal.

    Wagtail answers most refusals in the CMS itself (a message on the dashboard); this covers
    one that reaches Django, so someone in the CMS does not fall out of it onto the site.
    """
    if request.path.startswith(reverse("wagtailadmin_home")) and can_use_cms(request.user):
        return admin_refusal(
            request,
            title=_("Access refused"),
            message=_(
                "You do not have permission to open this page. If you need it for your work, "
                "ask a site administrator to give your account the permission."
            ),
            icon="warning",
        )
    return defaults.permission_denied(request, exception or PermissionDenied())


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: Django's 500 page, except when the database could not be reached
    (restarting, failing over, or a SQLite writer waiting too long): then a 503 with
    ``Retry-After``, whose page says to try again in a moment and to check what was just being
    saved. Like ``500.html``, ``503.html`` renders with no request and no query."""
    failure = sys.exc_info()[1]
    if isinstance(failure, db.OperationalError | db.InterfaceError):
        response = defaults.server_error(request, template_name="503.html")
        response.status_code = 503
        response["Retry-After"] = "30"
        return response
    return defaults.server_error(request)
