"""With the broker down, completing the final lesson or passing the final quiz still succeeds at
once (the progress and the pass are committed, the task is not queued), and the sweep then issues
the certificate: finding 1 of issue #12."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from kombu.exceptions import OperationalError

from certification.models import Certificate
from certification.tasks import issue_due
from learners.models import LessonProgress
from quizzes.models import Attempt, QuestionType, QuizResult
from tests.certification.test_issuing import complete, course_with_lessons, track_for
from tests.core.broker import CLOSED, broker_at
from tests.factories import practitioner
from tests.factories.quizzes import make_question, make_quiz, place_on_module
from tests.quizzes.helpers import attempt_url, form, quiz_url, right

pytestmark = pytest.mark.django_db

#: What the learner may wait for when the broker is down (it was 20 s, then a 500).
QUICK_SECONDS = 1.0


@pytest.fixture(params=["publish-raises", "closed-port"])
def broker_down(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """``publish-raises``: publishing raises kombu's OperationalError, as Celery does when Redis is
    down. ``closed-port``: the real client against a port where nothing listens."""
    if request.param == "publish-raises":
        with mock.patch(
            "certification.tasks.issue_for_user.delay",
            side_effect=OperationalError("Error 111 connecting to redis:6379. Connection refused."),
        ):
            yield request.param
    else:
        with broker_at(CLOSED, monkeypatch):
            yield request.param


def post_timed(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    started = time.perf_counter()
    response = client.post(url, data or {})
    assert time.perf_counter() - started < QUICK_SECONDS
    return response


def test_completing_the_final_lesson_succeeds_and_the_sweep_issues(
    broker_down: str, client: Client, django_capture_on_commit_callbacks: Any, caplog: Any
) -> None:
    course, lessons = course_with_lessons(2)
    track_for(course)
    learner = practitioner()
    complete(learner, lessons[:1])
    Certificate.objects.all().delete()
    client.force_login(learner)
    url = reverse("learners:complete_lesson", args=[lessons[1].pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = post_timed(client, url, {"next": lessons[1].url})
    assert response.status_code == 302
    assert LessonProgress.objects.filter(user=learner, lesson=lessons[1]).exists()
    assert not Certificate.objects.exists()
    assert "Could not queue certification.issue_for_user" in caplog.text

    assert issue_due() == {"checked": 1, "issued": 1}
    assert Certificate.objects.filter(user=learner).count() == 1


def test_passing_the_final_quiz_succeeds_and_the_sweep_issues(
    broker_down: str, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    course, lessons = course_with_lessons(1)
    quiz = make_quiz(
        [make_question(QuestionType.TRUE_FALSE), make_question(QuestionType.SINGLE_CHOICE)]
    )
    place_on_module(quiz, lessons[0].get_parent().specific)
    track_for(course)
    learner = practitioner()
    complete(learner, lessons)
    assert not Certificate.objects.exists()  # the quiz is still to pass
    client.force_login(learner)
    response = client.post(quiz_url(quiz.pk, "start"))
    assert response.status_code == 302, response.status_code
    attempt = Attempt.objects.get(user=learner)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_timed(
            client, attempt_url(attempt.pk, "submit"), form(attempt, right, with_answers="1")
        )
    assert response.status_code == 302
    assert QuizResult.objects.get(user=learner, quiz=quiz).passed
    assert not Certificate.objects.exists()

    assert issue_due() == {"checked": 1, "issued": 1}
    assert Certificate.objects.filter(user=learner).count() == 1
