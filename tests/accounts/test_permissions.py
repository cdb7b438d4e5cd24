"""Every role against every view: who may open what.

Views with per-object scoping (a cohort's table, a course's report) have their own matrices in
tests/learners/test_cohorts.py and test_reports.py; this one covers every route a role can reach.
"""

from __future__ import annotations

import pytest
from django.test import Client

from courses.api import CoursePage
from learners.models import CoordinatorRegion
from tests.factories import UserFactory, practitioner

pytestmark = pytest.mark.django_db

LESSON = "/en/courses/sample-course/first-module/every-block/"

# role: None is anonymous; "admin" is a superuser; others are group names.
ROLES = [
    None,
    "Practitioner",
    "Trainer",
    "Course reviewer",
    "Regional coordinator",
    "Ministry",
    "admin",
]
EDITORS = {"Trainer", "Course reviewer", "admin"}
REPORTERS = {"Regional coordinator", "Ministry", "admin"}
NAMES = {"Regional coordinator", "admin"}
CMS_USERS = EDITORS | {"Ministry"}  # the ministry administers certification in the CMS


def everyone(status: int) -> dict[str | None, int]:
    return dict.fromkeys(ROLES, status)


def signed_in(status: int) -> dict[str | None, int]:
    return {**everyone(status), None: 302}


def only(roles: set[str], allowed: int, refused: int) -> dict[str | None, int]:
    return {**{r: (allowed if r in roles else refused) for r in ROLES}, None: 302}


# (url, {role: expected status}); 302 for anonymous means "sign in first".
MATRIX = [
    ("/en/", everyone(200)),
    ("/en/courses/", everyone(200)),
    ("/en/courses/sample-course/", everyone(200)),
    (LESSON, everyone(200)),
    ("/healthz/", everyone(200)),
    ("/en/learn/", signed_in(200)),
    ("/en/learn/profile/", signed_in(200)),
    ("/en/learn/courses/{course}/what-is-left/", signed_in(200)),
    ("/en/learn/cohorts/", signed_in(200)),  # lists only the cohorts the user runs
    ("/en/dashboard/", only(REPORTERS, 200, 403)),
    ("/en/dashboard/?course={course}", only(REPORTERS, 200, 403)),
    # Names: coordinators (their regions) and administrators, not the ministry.
    ("/en/dashboard/people/", only(NAMES, 200, 403)),
    ("/en/dashboard/expiring/", only(NAMES, 200, 403)),
    ("/en/dashboard/overdue/", only(NAMES, 200, 403)),
    ("/en/accounts/password/change/", signed_in(200)),
    ("/admin/", only(CMS_USERS, 200, 302)),
    ("/admin/pages/{course}/edit/", only(EDITORS, 200, 302)),
    ("/admin/pages/{home}/edit/", only({"admin"}, 200, 302)),
    ("/admin/users/", only({"admin"}, 200, 302)),
    ("/admin/specialists/import/", only({"admin"}, 200, 302)),
    # Issue #12: coordinators' regions (who coordinates where) only for administrators.
    ("/admin/snippets/learners/coordinatorregion/", only({"admin"}, 200, 302)),
    ("/admin/snippets/choose/learners/coordinatorregion/", only({"admin"}, 200, 302)),
    ("/admin/snippets/choose/learners/coordinatorregion/results/", only({"admin"}, 200, 302)),
]


def sign_in(client: Client, role: str | None) -> None:
    if role == "admin":
        client.force_login(UserFactory(is_superuser=True, is_staff=True))
    elif role == "Practitioner":
        client.force_login(practitioner())
    elif role == "Regional coordinator":
        user = UserFactory(groups=[role])
        CoordinatorRegion.objects.create(user=user, region="KZ-75")
        client.force_login(user)
    elif role is not None:
        client.force_login(UserFactory(groups=[role]))


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
@pytest.mark.parametrize(("url", "expected"), MATRIX, ids=[u for u, _ in MATRIX])
def test_role_against_view(
    client: Client, sample_course: CoursePage, role: str | None, url: str, expected: dict
) -> None:
    sign_in(client, role)
    url = url.format(course=sample_course.pk, home=sample_course.get_parent().get_parent().pk)
    response = client.get(url)
    assert response.status_code == expected[role], (role, url)
    if response.status_code == 302 and role is None:
        assert "login" in response["Location"]


@pytest.mark.parametrize(
    "url", ["/en/learn/courses/{course}/enrol/", "/en/learn/lessons/{lesson}/complete/"]
)
def test_learner_actions_need_sign_in_and_post(
    client: Client, sample_course: CoursePage, url: str
) -> None:
    from courses.api import LessonPage

    url = url.format(course=sample_course.pk, lesson=LessonPage.objects.get(slug="every-block").pk)
    assert "login" in client.post(url)["Location"]
    client.force_login(practitioner())
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
