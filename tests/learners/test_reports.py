"""Aggregated reports: the ministry sees every region, a coordinator only theirs, nobody names."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from courses.api import CoursePage, LessonPage
from learners.api import enrollment_create, lesson_progress_complete
from learners.models import CoordinatorRegion
from tests.factories import ProfileFactory, UserFactory, practitioner

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(sample_course: CoursePage) -> dict[str, object]:
    """Two practitioners in Almaty city (one finished), one in Astana."""
    done = practitioner(first_name="Aliya", last_name="Example")
    started = practitioner(first_name="Bota", last_name="Example")
    far = UserFactory(groups=["Practitioner"])
    ProfileFactory(user=far, region="KZ-71", specialty="social_worker")
    for user in (done, started, far):
        enrollment_create(user=user, course=sample_course)
    for slug in ("every-block", "second-lesson", "third-lesson"):
        lesson_progress_complete(user=done, lesson=LessonPage.objects.get(slug=slug))
    lesson_progress_complete(user=started, lesson=LessonPage.objects.get(slug="every-block"))
    coordinator = UserFactory(groups=["Regional coordinator"])
    CoordinatorRegion.objects.create(user=coordinator, region="KZ-75")
    return {"coordinator": coordinator, "ministry": UserFactory(groups=["Ministry"])}


def report(client: Client, course: CoursePage) -> list[dict[str, str]]:
    response = client.get(f"/en/learn/reports/{course.pk}/?format=csv")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode().lstrip("\ufeff"))))


def test_ministry_sees_every_region(
    client: Client, sample_course: CoursePage, people: dict
) -> None:
    client.force_login(people["ministry"])
    rows = report(client, sample_course)
    assert [
        (r["region"], r["specialty"], r["practitioners"], r["enrolled"], r["completed"])
        for r in rows
    ] == [
        ("Almaty", "Psychologist", "2", "2", "1"),
        ("Astana", "Social worker", "1", "1", "0"),
    ]


def test_coordinator_sees_only_their_regions(
    client: Client, sample_course: CoursePage, people: dict
) -> None:
    client.force_login(people["coordinator"])
    rows = report(client, sample_course)
    assert [r["region"] for r in rows] == ["Almaty"]
    page = client.get(f"/en/learn/reports/{sample_course.pk}/").content.decode()
    assert "Astana" not in page


def test_reports_carry_no_names(client: Client, sample_course: CoursePage, people: dict) -> None:
    client.force_login(people["ministry"])
    text = client.get(f"/en/learn/reports/{sample_course.pk}/?format=csv").content.decode()
    page = client.get(f"/en/learn/reports/{sample_course.pk}/").content.decode()
    for secret in ("Aliya", "Bota", "@example.org"):
        assert secret not in text
        assert secret not in page


@pytest.mark.parametrize(
    "who", ["anonymous", "practitioner", "trainer", "reviewer", "coordinator", "ministry", "admin"]
)
@pytest.mark.parametrize(
    "url", ["/en/learn/reports/", "/en/learn/reports/{c}/", "/en/learn/reports/{c}/?format=csv"]
)
def test_who_may_read_reports(
    client: Client, sample_course: CoursePage, people: dict, who: str, url: str
) -> None:
    expected = {"anonymous": 302, "practitioner": 403, "trainer": 403, "reviewer": 403,
                "coordinator": 200, "ministry": 200, "admin": 200}[who]  # fmt: skip
    users = {
        "practitioner": lambda: practitioner(),
        "trainer": lambda: UserFactory(groups=["Trainer"]),
        "reviewer": lambda: UserFactory(groups=["Course reviewer"]),
        "coordinator": lambda: people["coordinator"],
        "ministry": lambda: people["ministry"],
        "admin": lambda: UserFactory(is_superuser=True, is_staff=True),
    }
    if who in users:
        client.force_login(users[who]())
    assert client.get(url.format(c=sample_course.pk)).status_code == expected


def test_completion_follows_the_rules(
    client: Client, sample_course: CoursePage, people: dict
) -> None:
    """Unpublishing the lesson Bota has not done makes Bota complete, as everywhere else."""
    LessonPage.objects.get(slug="second-lesson").unpublish()
    LessonPage.objects.get(slug="third-lesson").unpublish()
    client.force_login(people["ministry"])
    assert report(client, sample_course)[0]["completed"] == "2"


def test_report_queries_do_not_grow(
    client: Client, sample_course: CoursePage, people: dict
) -> None:
    client.force_login(people["ministry"])
    url = f"/en/learn/reports/{sample_course.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(60):
        user = practitioner()
        enrollment_create(user=user, course=sample_course)
        lesson_progress_complete(user=user, lesson=LessonPage.objects.get(slug="every-block"))
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries) <= 10


def test_administrator_assigns_a_coordinator_region_in_the_cms(client: Client) -> None:
    from learners.models import CoordinatorRegion

    coordinator = UserFactory(groups=["Regional coordinator"])
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    add = "/admin/snippets/learners/coordinatorregion/add/"
    form = client.get(add).content.decode()
    assert '<option value="KZ-79">Shymkent</option>' in form
    response = client.post(add, {"user": coordinator.pk, "region": "KZ-79"})
    assert response.status_code == 302
    assert CoordinatorRegion.objects.get(user=coordinator).region == "KZ-79"
    bad = client.post(add, {"user": coordinator.pk, "region": "XX-1"})
    assert bad.status_code == 200
    assert CoordinatorRegion.objects.count() == 1
