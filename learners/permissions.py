"""Who may do what with learners' records: one function per capability, used by views,
templates, middleware and the CMS alike.

Role membership is read through ``accounts.api`` (the one place that knows group names).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.api import Role, has_permission, has_role, is_administrator, role_names

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

__all__ = [
    "can_import_specialists",
    "can_manage_coordinator_regions",
    "can_resend_invitations",
    "can_run_cohorts",
    "can_view_reports",
    "keeps_a_profile",
    "reports_on_every_region",
    "sees_every_cohort",
]


def can_run_cohorts(user: User | AnonymousUser) -> bool:
    """Starting a cohort (its creator runs it): trainers and administrators."""
    return is_administrator(user) or has_role(user, Role.TRAINER)


def can_resend_invitations(user: User | AnonymousUser) -> bool:
    """Sending an invitation again to members of a cohort one sees who have not signed in yet:
    trainers (their cohorts, ``selectors.cohorts_visible_to``) and administrators."""
    return is_administrator(user) or has_role(user, Role.TRAINER)


def sees_every_cohort(user: User | AnonymousUser) -> bool:
    """Seeing every cohort, not only those one runs: administrators. Nobody else sees a cohort's
    members; regional coordinators and the ministry get aggregates, not cohort tables."""
    return is_administrator(user)


def can_view_reports(user: User | AnonymousUser) -> bool:
    """Reading the aggregate reports (counts, never names): the ministry, regional
    coordinators and administrators. Which regions they see: ``reports_on_every_region``."""
    return is_administrator(user) or has_role(user, Role.MINISTRY, Role.REGIONAL_COORDINATOR)


def reports_on_every_region(user: User | AnonymousUser) -> bool:
    """Whether reports cover the whole country (the ministry, administrators) rather than the
    regions a coordinator is given."""
    return is_administrator(user) or has_role(user, Role.MINISTRY)


def can_import_specialists(user: User | AnonymousUser) -> bool:
    """Uploading a specialists file in the CMS (``learners.add_specialistimportjob``)."""
    return has_permission(user, "learners.add_specialistimportjob")


def can_manage_coordinator_regions(user: User | AnonymousUser) -> bool:
    """Listing, choosing and giving regional coordinators their regions (CMS > Snippets), which
    names coordinators and what they see: administrators, who manage coordinators. Not trainers,
    nor the ministry, though both use the CMS."""
    return is_administrator(user)


def keeps_a_profile(user: User | AnonymousUser) -> bool:
    """Whether ``user`` is a practitioner, who completes a specialist profile at first sign-in:
    signed in, not staff, and in no group but Practitioner (trainers, reviewers, coordinators
    and ministry staff have none to complete)."""
    if not user.is_authenticated or user.is_staff or user.is_superuser:
        return False
    return not role_names(user) - {Role.PRACTITIONER.value}
