"""Every role against every view: who may open what."""

from __future__ import annotations

import pytest
from django.test import Client

from courses.api import CoursePage
from tests.factories import UserFactory, practitioner

pytestmark = pytest.mark.django_db

LESSON = "/en/courses/sample-course/first-module/every-block/"

# role: None is anonymous; "admin" is a superuser; others are group names.
ROLES = [None, "Practitioner", "Trainer", "Course reviewer", "Ministry", "admin"]

# (url, {role: expected status}); a 302 to the login page means "sign in first".
MATRIX = [
    ("/en/", dict.fromkeys(ROLES, 200)),
    ("/en/courses/", dict.fromkeys(ROLES, 200)),
    ("/en/courses/sample-course/", dict.fromkeys(ROLES, 200)),
    (LESSON, dict.fromkeys(ROLES, 200)),
    ("/healthz/", dict.fromkeys(ROLES, 200)),
    ("/en/learn/", {**dict.fromkeys(ROLES, 200), None: 302}),
    ("/en/accounts/password/change/", {**dict.fromkeys(ROLES, 200), None: 302}),
    (
        "/admin/",
        {None: 302, "Practitioner": 302, "Ministry": 302, "Trainer": 200, "Course reviewer": 200, "admin": 200},
    ),
    (
        "/admin/pages/{course}/edit/",
        {None: 302, "Practitioner": 302, "Ministry": 302, "Trainer": 200, "Course reviewer": 200, "admin": 200},
    ),
    (
        "/admin/pages/{home}/edit/",
        {None: 302, "Practitioner": 302, "Ministry": 302, "Trainer": 302, "Course reviewer": 302, "admin": 200},
    ),
    (
        "/admin/users/",
        {None: 302, "Practitioner": 302, "Ministry": 302, "Trainer": 302, "Course reviewer": 302, "admin": 200},
    ),
]  # fmt: skip


def sign_in(client: Client, role: str | None) -> None:
    if role == "admin":
        client.force_login(UserFactory(is_superuser=True, is_staff=True))
    elif role == "Practitioner":
        client.force_login(practitioner())
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
