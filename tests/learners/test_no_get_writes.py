"""Issue #12, finding 5: a GET writes nothing, on every view a learner, trainer or reader opens.

The quiz pages used to grade an attempt past its time limit when it was looked at; now they
say the time is up and grade it on a POST (or the beat task ``close_overdue_attempts``).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from learners.api import Cohort, cohort_add_member, cohort_assign_course
from learners.cohort_joining import join_token
from learners.models import CoordinatorRegion
from quizzes.models import Attempt, AttemptState
from quizzes.services import attempt_start
from tests.factories import CoursePageFactory, ModulePageFactory, UserFactory, practitioner
from tests.quizzes.helpers import placed_quiz

pytestmark = pytest.mark.django_db

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.I)


def writes_of(client: Client, url: str) -> tuple[int, list[str]]:
    """The status of a GET of ``url`` and the writes it made. A first GET in the session is made
    before (``learners.middleware`` notes the profile check in the session, once a session)."""
    client.get("/en/learn/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, [
        q["sql"] for q in queries.captured_queries if WRITE.match(q["sql"])
    ]


@pytest.fixture
def overdue() -> Attempt:
    """A learner's attempt in progress whose time limit passed a minute ago."""
    module = ModulePageFactory(parent=CoursePageFactory())
    quiz = placed_quiz(module, time_limit_minutes=10)
    attempt = attempt_start(user=practitioner(), quiz=quiz)
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - timedelta(minutes=1),
        started_at=timezone.now() - timedelta(minutes=11),
    )
    attempt.refresh_from_db()
    return attempt


def test_no_learner_get_writes_and_an_overdue_attempt_is_shown_not_graded(
    client: Client, overdue: Attempt
) -> None:
    learner, quiz = overdue.user, overdue.quiz
    course = quiz.placements.first().page.get_parent()
    client.force_login(learner)
    a = f"/en/learn/quizzes/attempts/{overdue.pk}"
    for url in [
        "/en/learn/",
        "/en/learn/profile/",
        f"/en/learn/courses/{course.pk}/what-is-left/",
        f"/en/learn/quizzes/{quiz.pk}/",
        f"{a}/",
        f"{a}/summary/",
        f"{a}/review/",
        "/en/learn/cohorts/",
    ]:  # /en/home/, the landing after sign-in, notes the header's flags in the session
        status, writes = writes_of(client, url)
        assert status in (200, 302), (url, status)
        assert writes == [], (url, writes)
    overdue.refresh_from_db()
    assert overdue.state == AttemptState.IN_PROGRESS  # nothing graded on a GET
    page = client.get(f"{a}/").content.decode()
    assert "The time limit for attempt 1 has passed." in page
    assert f'action="/en/learn/quizzes/attempts/{overdue.pk}/submit/"' in page
    # The POST offered grades it, on what was saved in time.
    response = client.post(f"{a}/submit/")
    assert response.status_code == 302 and "/review/" in response["Location"]
    overdue.refresh_from_db()
    assert overdue.state == AttemptState.FINISHED and overdue.closed_at_deadline


def test_no_trainer_or_reader_get_writes(client: Client) -> None:
    trainer = UserFactory(groups=["Trainer"])
    cohort = Cohort.objects.create(name="Kostanay teachers")
    cohort.trainers.add(trainer)
    member = practitioner()
    cohort_add_member(cohort=cohort, user=member)
    course = CoursePageFactory()
    cohort_assign_course(cohort=cohort, course=course)
    client.force_login(trainer)
    for url in [
        f"/en/learn/cohorts/{cohort.pk}/",
        f"/en/learn/cohorts/{cohort.pk}/members/{member.pk}/",
        f"/en/learn/cohorts/{cohort.pk}/export.csv",
    ]:
        status, writes = writes_of(client, url)
        assert (status, writes) == (200, []), url
    asked = practitioner()
    client.force_login(asked)
    url = f"/en/learn/cohorts/join/{join_token(cohort=cohort, user=asked)}/"
    assert writes_of(client, url) == (200, [])
    coordinator = UserFactory(groups=["Regional coordinator"])
    CoordinatorRegion.objects.create(user=coordinator, region="KZ-75")
    client.force_login(coordinator)
    for url in ["/en/dashboard/", f"/en/dashboard/?course={course.pk}"]:
        assert writes_of(client, url) == (200, []), url
    # A list of names writes one thing: the audit log's line saying who looked.
    status, writes = writes_of(client, "/en/dashboard/people/")
    assert status == 200
    assert len(writes) == 1 and '"reports_auditevent"' in writes[0]
