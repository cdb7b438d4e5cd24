"""Who may open what on the dashboard: each role against each view (a matrix), names only for
the roles allowed them, the audit log of who looked, and old report links landing on it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from courses.api import CoursePage
from learners.api import enrollment_create
from learners.models import CoordinatorRegion
from reports.facts import facts_rebuild
from reports.models import AuditEvent
from tests.factories import UserFactory, practitioner

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "practitioner", "trainer", "reviewer", "coordinator", "ministry", "admin"]
#: What each role gets: aggregates, and the lists of names.
AGGREGATES = {"anonymous": 302, "practitioner": 403, "trainer": 403, "reviewer": 403,
              "coordinator": 200, "ministry": 200, "admin": 200}  # fmt: skip
NAMES = {**AGGREGATES, "ministry": 403}


def user_for(role: str) -> Any:
    if role == "practitioner":
        return practitioner()
    if role == "coordinator":
        user = UserFactory(groups=["Regional coordinator"])
        CoordinatorRegion.objects.create(user=user, region="KZ-75")
        return user
    groups = {"trainer": "Trainer", "reviewer": "Course reviewer", "ministry": "Ministry"}
    if role in groups:
        return UserFactory(groups=[groups[role]])
    return UserFactory(is_superuser=True, is_staff=True)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/en/dashboard/", AGGREGATES),
        ("/en/dashboard/?region=KZ-71&specialty=psychologist", AGGREGATES),
        ("/ru/dashboard/", AGGREGATES),
        ("/en/dashboard/people/", NAMES),
        ("/en/dashboard/people/?status=certified", NAMES),
        ("/en/dashboard/expiring/", NAMES),
        ("/kk/dashboard/overdue/", NAMES),
    ],
)
def test_who_may_open_what(client: Client, role: str, url: str, expected: dict[str, int]) -> None:
    if role != "anonymous":
        client.force_login(user_for(role))
    assert client.get(url).status_code == expected[role]


def test_aggregate_views_carry_no_names(client: Client, sample_course: CoursePage) -> None:
    for n in range(6):
        enrollment_create(user=practitioner(first_name=f"Secretname{n}"), course=sample_course)
    facts_rebuild()
    client.force_login(UserFactory(groups=["Ministry"]))
    page = client.get("/en/dashboard/").content.decode()
    assert "Secretname" not in page and "@example.org" not in page
    assert ">6<" in page  # the six are counted


def test_names_are_listed_and_the_viewing_recorded(
    client: Client, sample_course: CoursePage
) -> None:
    mine = practitioner(first_name="Aliya", last_name="Example")  # Almaty city
    other = practitioner(first_name="Bota", last_name="Elsewhere")
    other.profile.region = "KZ-71"
    other.profile.save()
    facts_rebuild()
    coordinator = user_for("coordinator")
    client.force_login(coordinator)
    page = client.get("/en/dashboard/people/?specialty=psychologist").content.decode()
    assert "Aliya Example" in page
    assert "Bota" not in page  # another region
    crafted = client.get("/en/dashboard/people/?region=KZ-71").content.decode()
    assert "Bota" not in crafted
    events = AuditEvent.objects.filter(user=coordinator, action=AuditEvent.Action.DRILL_DOWN)
    assert events.count() == 2
    assert events.first().view == "people"
    assert mine.pk  # used


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_old_report_links_land_on_the_dashboard(
    client: Client, sample_course: CoursePage, language: str
) -> None:
    client.force_login(UserFactory(groups=["Ministry"]))
    response = client.get(f"/{language}/learn/reports/{sample_course.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/{language}/dashboard/?course={sample_course.pk}"
    assert client.get(f"/{language}/learn/reports/")["Location"] == f"/{language}/dashboard/"


def test_each_role_lands_on_the_dashboard_after_sign_in(client: Client) -> None:
    for role in ("coordinator", "ministry"):
        client.force_login(user_for(role))
        assert client.get("/en/home/")["Location"] == "/en/dashboard/"
