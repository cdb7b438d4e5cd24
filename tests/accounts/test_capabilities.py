"""Every role against every capability in the apps' ``permissions.py``.

The views, the CMS screens and the templates ask these functions, so this table is who may do
what; the route matrices (``test_permissions.py`` and each app's) check the screens ask them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts import permissions as accounts
from certification import permissions as certification
from courses import permissions as courses
from learners import permissions as learners
from quizzes import permissions as quizzes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "Practitioner", "Trainer", "Course reviewer", "Regional coordinator",
         "Ministry", "admin", "no role"]  # fmt: skip


def user_for(role: str) -> Any:
    if role == "anonymous":
        return AnonymousUser()
    if role == "admin":
        return UserFactory(is_superuser=True, is_staff=True)
    if role == "no role":
        return UserFactory()
    return UserFactory(groups=[role])


def who(*roles: str) -> set[str]:
    return set(roles)


CAPABILITIES: list[tuple[Callable[[Any], bool], set[str]]] = [
    (accounts.is_administrator, who("admin")),
    (accounts.can_use_cms, who("Trainer", "Course reviewer", "Ministry", "admin")),
    (accounts.can_use_two_factor, who("Ministry", "admin")),
    # Nobody by default (``TWO_FACTOR_REQUIRED_ROLES`` is empty outside production).
    (accounts.two_factor_required, who()),
    (learners.can_run_cohorts, who("Trainer", "admin")),
    (learners.sees_every_cohort, who("admin")),
    (learners.can_view_reports, who("Regional coordinator", "Ministry", "admin")),
    (learners.reports_on_every_region, who("Ministry", "admin")),
    (learners.can_import_specialists, who("admin")),
    (learners.can_manage_coordinator_regions, who("admin")),
    (learners.can_resend_invitations, who("Trainer", "admin")),
    (learners.keeps_a_profile, who("Practitioner", "no role")),
    (quizzes.can_view_statistics, who("Trainer", "Course reviewer", "admin")),
    (quizzes.can_import_questions, who("Trainer", "Course reviewer", "admin")),
    (quizzes.can_export_questions, who("Trainer", "Course reviewer", "admin")),
    (quizzes.can_open_unplaced_quiz, who("Trainer", "Course reviewer", "admin")),
    (quizzes.can_publish_questions, who("Course reviewer", "admin")),
    (quizzes.can_grade_any_answer, who("Course reviewer", "admin")),
    (quizzes.can_open_grading_queue, who("Trainer", "Course reviewer", "admin")),
    # Nobody but administrators until a migration gives simple_translation.submit_translation.
    (quizzes.can_translate_quizzes, who("Trainer", "Course reviewer", "admin")),
    (courses.can_see_translations, who("Trainer", "Course reviewer", "admin")),
    (courses.can_translate_pages, who("Trainer", "Course reviewer", "admin")),
    (certification.can_view_certificates, who("Ministry", "admin")),
    (certification.can_revoke, who("Ministry", "admin")),
    (certification.can_edit_tracks, who("Trainer", "Ministry", "admin")),
    (certification.can_view_version_report, who("Ministry", "admin")),
    (certification.can_assign_refresher, who("Ministry", "admin")),
]


@pytest.mark.parametrize(
    ("capability", "allowed"),
    CAPABILITIES,
    ids=[f"{c.__module__.split('.')[0]}.{c.__name__}" for c, _ in CAPABILITIES],
)
@pytest.mark.parametrize("role", ROLES)
def test_capability(capability: Callable[[Any], bool], allowed: set[str], role: str) -> None:
    assert capability(user_for(role)) is (role in allowed)


def test_every_capability_is_in_the_table() -> None:
    listed = {(c.__module__, c.__name__) for c, _ in CAPABILITIES}
    for module in (accounts, courses, learners, quizzes, certification):
        for name in module.__all__:
            if name not in {
                "has_permission",
                "has_role",
                "role_names",
            }:  # helpers, not capabilities
                assert (module.__name__, name) in listed, f"{module.__name__}.{name}"
