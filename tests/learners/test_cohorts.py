"""Cohorts: assignment enrols, the trainer's table, a member's detail, CSV export, privacy."""

from __future__ import annotations

import csv
import io
import re
import threading
from datetime import date, timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses.api import CoursePage, LessonPage
from learners import services as learners_services
from learners.api import Cohort, cohort_add_member, cohort_assign_course, lesson_progress_complete
from learners.models import CohortMembership, Enrollment, LessonProgress
from learners.services import cohort_create
from tests.factories import (
    CoursePageFactory,
    LessonPageFactory,
    ModulePageFactory,
    UserFactory,
    practitioner,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(sample_course: CoursePage) -> Cohort:
    trainer = UserFactory(username="trainer1", groups=["Trainer"])
    cohort = Cohort.objects.create(name="Shymkent school psychologists, spring")
    cohort.trainers.add(trainer)
    cohort_assign_course(
        cohort=cohort, course=sample_course, due_date=timezone.localdate() - timedelta(days=1)
    )
    for name in ("Aruzhan", "Dana"):
        cohort_add_member(cohort=cohort, user=practitioner(first_name=name, last_name="Example"))
    return cohort


def member(cohort: Cohort, first_name: str) -> object:
    return cohort.members.get(first_name=first_name)


def test_members_are_enrolled_in_assigned_courses(
    cohort: Cohort, sample_course: CoursePage
) -> None:
    assert Enrollment.objects.filter(course=sample_course, source="cohort").count() == 2
    newcomer = practitioner()
    cohort_add_member(cohort=cohort, user=newcomer)
    cohort_add_member(cohort=cohort, user=newcomer)  # idempotent
    assert CohortMembership.objects.filter(user=newcomer).count() == 1
    assert Enrollment.objects.get(user=newcomer).source == "cohort"
    other = CoursePageFactory()
    cohort_assign_course(cohort=cohort, course=other, due_date=date(2027, 1, 31))
    assert Enrollment.objects.filter(course=other).count() == 3
    cohort_assign_course(cohort=cohort, course=other, due_date=date(2027, 2, 28))
    assert cohort.assignments.get(course=other).due_date == date(2027, 2, 28)


def test_trainer_sees_the_table(client: Client, cohort: Cohort) -> None:
    aruzhan = member(cohort, "Aruzhan")
    lesson_progress_complete(user=aruzhan, lesson=LessonPage.objects.get(slug="every-block"))
    client.force_login(cohort.trainers.get())
    page = client.get(f"/en/learn/cohorts/{cohort.pk}/").content.decode()
    assert "A sample course for tests" in page
    assert "Aruzhan Example" in page and "Dana Example" in page
    assert "33%" in page  # Aruzhan: 1 of 3 lessons
    assert page.count('badge--overdue">overdue') == 2  # due yesterday, neither complete
    assert "Psychologist, Almaty" in page
    listing = client.get("/en/learn/cohorts/").content.decode()
    assert "Shymkent school psychologists, spring" in listing and "2 members" in listing


def test_member_detail_explains_what_is_missing(client: Client, cohort: Cohort) -> None:
    dana = member(cohort, "Dana")
    lesson_progress_complete(user=dana, lesson=LessonPage.objects.get(slug="every-block"))
    client.force_login(cohort.trainers.get())
    page = client.get(f"/en/learn/cohorts/{cohort.pk}/members/{dana.pk}/").content.decode()
    assert "1 of 3 done (33%)" in page
    assert "The second lesson" in page and "not marked complete yet" in page
    assert "overdue" in page


def test_csv_export(client: Client, cohort: Cohort) -> None:
    aruzhan = member(cohort, "Aruzhan")
    for slug in ("every-block", "second-lesson", "third-lesson"):
        lesson_progress_complete(user=aruzhan, lesson=LessonPage.objects.get(slug=slug))
    client.force_login(cohort.trainers.get())
    response = client.get(f"/en/learn/cohorts/{cohort.pk}/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r["name"] for r in rows] == ["Aruzhan Example", "Dana Example"]
    assert (
        rows[0]["percent"] == "100" and rows[0]["complete"] == "yes" and rows[0]["overdue"] == "no"
    )
    assert rows[1]["percent"] == "0" and rows[1]["overdue"] == "yes"
    assert rows[0]["region"] == "Almaty" and rows[0]["specialty"] == "Psychologist"
    # Local time (Asia/Almaty) to the second, as a person reads it: no UTC offset, no microseconds.
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", rows[0]["last_activity"])


URLS = [
    "/en/learn/cohorts/{c}/",
    "/en/learn/cohorts/{c}/export.csv",
    "/en/learn/cohorts/{c}/members/{m}/",
]


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("practitioner", 404), ("member", 404), ("other trainer", 404),
     ("ministry", 404), ("own trainer", 200), ("admin", 200)],
)  # fmt: skip
def test_only_the_cohorts_trainers_see_it(
    client: Client, cohort: Cohort, url: str, who: str, expected: int
) -> None:
    users = {
        "practitioner": lambda: practitioner(),
        "member": lambda: member(cohort, "Dana"),
        "other trainer": lambda: UserFactory(groups=["Trainer"]),
        "ministry": lambda: UserFactory(groups=["Ministry"]),
        "own trainer": lambda: cohort.trainers.get(),
        "admin": lambda: UserFactory(is_superuser=True, is_staff=True),
    }
    if who in users:
        client.force_login(users[who]())
    response = client.get(url.format(c=cohort.pk, m=member(cohort, "Aruzhan").pk))
    assert response.status_code == expected


def test_member_of_another_cohort_is_not_shown(client: Client, cohort: Cohort) -> None:
    outsider = practitioner()
    client.force_login(cohort.trainers.get())
    assert client.get(f"/en/learn/cohorts/{cohort.pk}/members/{outsider.pk}/").status_code == 404


def test_cohort_table_queries_do_not_grow(client: Client) -> None:
    trainer = UserFactory(groups=["Trainer"])
    cohort = Cohort.objects.create(name="Big cohort")
    cohort.trainers.add(trainer)
    client.force_login(trainer)

    def add_course() -> None:
        course = CoursePageFactory()
        LessonPageFactory.create_batch(2, parent=ModulePageFactory(parent=course))
        cohort.assignments.create(course=course, due_date=date(2027, 1, 1))

    def add_members(n: int) -> None:
        users = get_user_model().objects.bulk_create(
            [get_user_model()(username=f"m{cohort.memberships.count()}-{i}") for i in range(n)]
        )
        CohortMembership.objects.bulk_create(
            [CohortMembership(cohort=cohort, user=u) for u in users]
        )
        lesson = LessonPage.objects.order_by("pk").first()
        course = CoursePage.objects.ancestor_of(lesson).get()
        LessonProgress.objects.bulk_create(
            [LessonProgress(user=u, lesson=lesson, course=course, course_version="1.0",
                            completed_at=timezone.now()) for u in users]
        )  # fmt: skip

    def queries() -> int:
        client.get(f"/en/learn/cohorts/{cohort.pk}/")
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/en/learn/cohorts/{cohort.pk}/")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    add_course()
    add_members(1)
    small = queries()
    for _ in range(49):
        add_course()
    add_members(499)
    assert cohort.memberships.count() == 500
    # 12: the ten of the table (with the courses' required activities since #17), and whether the
    # reader may send invitations again (a role check).
    assert queries() == small <= 12, small


def test_member_detail_queries_do_not_grow(client: Client) -> None:
    trainer = UserFactory(groups=["Trainer"])
    cohort = Cohort.objects.create(name="Detail cohort")
    cohort.trainers.add(trainer)
    learner = practitioner()
    cohort_add_member(cohort=cohort, user=learner)
    client.force_login(trainer)
    url = f"/en/learn/cohorts/{cohort.pk}/members/{learner.pk}/"

    def add_course() -> None:
        course = CoursePageFactory()
        first, _ = LessonPageFactory.create_batch(2, parent=ModulePageFactory(parent=course))
        cohort_assign_course(cohort=cohort, course=course, due_date=date(2027, 1, 1))
        lesson_progress_complete(user=learner, lesson=first)

    def queries() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    add_course()
    one = queries()
    for _ in range(49):
        add_course()
    assert queries() == one <= 10


def test_trainer_builds_a_cohort(client: Client, sample_course: CoursePage) -> None:
    trainer = UserFactory(groups=["Trainer"])
    aliya = practitioner(email="aliya.cohort@example.org")
    client.force_login(trainer)
    response = client.post("/en/learn/cohorts/new/", {"name": "  Pavlodar   teachers "})
    cohort = Cohort.objects.get()
    assert cohort.name == "Pavlodar teachers"
    assert list(cohort.trainers.all()) == [trainer]
    assert response["Location"] == f"/en/learn/cohorts/{cohort.pk}/"

    # Issue #11: one unknown address no longer stops the others; it gets an account and an
    # invitation. Issue #12: a known practitioner is asked to join, not added, and the message
    # does not tell the two apart (tests/learners/test_cohort_scope.py).
    response = client.post(f"/en/learn/cohorts/{cohort.pk}/members/",
                           {"emails": "ALIYA.cohort@example.org\nnobody@example.org\n"}, follow=True)  # fmt: skip
    page = response.content.decode()
    assert "2 addresses taken: ALIYA.cohort@example.org, nobody@example.org." in page
    assert set(cohort.members.values_list("email", flat=True)) == {"nobody@example.org"}
    cohort.memberships.filter(user__email="nobody@example.org").delete()
    cohort_add_member(cohort=cohort, user=aliya)  # she followed the link she was sent
    assert list(cohort.members.all()) == [aliya]

    response = client.post(f"/en/learn/cohorts/{cohort.pk}/courses/",
                           {"course": sample_course.pk, "due_date": "not a date"}, follow=True)  # fmt: skip
    assert "Due date: Enter a valid date." in response.content.decode()
    client.post(f"/en/learn/cohorts/{cohort.pk}/courses/",
                {"course": sample_course.pk, "due_date": "2027-03-01"})  # fmt: skip
    assert cohort.assignments.get().due_date == date(2027, 3, 1)
    assert Enrollment.objects.get(user=aliya).source == "cohort"

    duplicate = client.post("/en/learn/cohorts/new/", {"name": "pavlodar teachers"}, follow=True)
    assert "exists already" in duplicate.content.decode()


@pytest.mark.parametrize(
    "url", ["/en/learn/cohorts/{c}/members/", "/en/learn/cohorts/{c}/courses/"]
)
def test_only_the_cohorts_trainers_change_it(client: Client, cohort: Cohort, url: str) -> None:
    client.force_login(UserFactory(groups=["Trainer"]))
    assert client.post(url.format(c=cohort.pk), {"emails": "x@example.org"}).status_code == 404


def test_practitioners_cannot_start_cohorts(client: Client) -> None:
    client.force_login(practitioner())
    assert client.post("/en/learn/cohorts/new/", {"name": "Mine"}).status_code == 403
    assert not Cohort.objects.exists()


# --- a cohort's name is unique whatever its case, and a race is refused, not a 500 ---------------


def test_a_name_taken_a_moment_earlier_is_refused_not_failed(client: Client) -> None:
    """Two trainers name a cohort alike at the same moment: the second request's check ran
    before the first committed, so only the unique constraint can stop it. It answers with
    the same message as the check, and nothing of the first cohort is lost."""
    trainer = UserFactory(groups=["Trainer"])
    first = Cohort.objects.create(name="Pavlodar teachers")  # the other request's, committed
    client.force_login(trainer)
    with mock.patch("learners.services._cohort_name_taken", return_value=False):
        response = client.post(
            "/en/learn/cohorts/new/", {"name": "PAVLODAR  teachers"}, follow=True
        )
    assert response.status_code == 200
    assert "A cohort called “PAVLODAR teachers” exists already." in response.content.decode()
    assert list(Cohort.objects.all()) == [first]
    assert not first.trainers.exists()


def test_cohort_create_refuses_a_taken_name_in_any_case() -> None:
    trainer = UserFactory(groups=["Trainer"])
    made = cohort_create(name=" Turkistan   social workers ", trainer=trainer)
    assert made.name == "Turkistan social workers"
    assert list(made.trainers.all()) == [trainer]
    with pytest.raises(ValidationError) as refused:
        cohort_create(name="turkistan social workers", trainer=trainer)
    assert refused.value.message_dict == {
        "name": ["A cohort called “turkistan social workers” exists already."]
    }
    with (
        mock.patch("learners.services._cohort_name_taken", return_value=False),
        pytest.raises(ValidationError),
    ):
        cohort_create(name="TURKISTAN SOCIAL WORKERS", trainer=trainer)  # the constraint decides
    assert Cohort.objects.count() == 1


def test_an_empty_name_is_refused_with_its_reason(client: Client) -> None:
    client.force_login(UserFactory(groups=["Trainer"]))
    response = client.post("/en/learn/cohorts/new/", {"name": "   "}, follow=True)
    assert "This field is required." in response.content.decode()
    assert not Cohort.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrency")
def test_concurrent_requests_for_one_name_make_one_cohort(migrated_db: None) -> None:
    """Six requests, each with its own connection, all past the check at once: one cohort, and
    every other request is refused with the message (no IntegrityError escapes)."""
    threads_count = 6
    trainers = [UserFactory(groups=["Trainer"]) for _ in range(threads_count)]
    door = threading.Barrier(threads_count, timeout=30)
    check = learners_services._cohort_name_taken

    def check_then_wait(name: str) -> bool:
        taken = check(name)
        door.wait()
        return taken

    made: list[Cohort] = []
    refused: list[ValidationError] = []
    errors: list[BaseException] = []

    def request(trainer: object) -> None:
        try:
            made.append(cohort_create(name="Ekibastuz school staff", trainer=trainer))
        except ValidationError as exc:
            refused.append(exc)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    with mock.patch.object(learners_services, "_cohort_name_taken", side_effect=check_then_wait):
        threads = [threading.Thread(target=request, args=(t,)) for t in trainers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert len(made) == 1
    assert len(refused) == threads_count - 1
    assert Cohort.objects.filter(name="Ekibastuz school staff").count() == 1
