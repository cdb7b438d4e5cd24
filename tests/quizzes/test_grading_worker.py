"""The grade notice through Celery: in process (every run) and through Redis to the real worker
``make test-postgres`` starts (``scripts/with-worker.sh``; skipped without ``CELERY_BROKER_URL``).

The worker has its own database connection, so the test is transactional: the grade is
committed, ``enqueue_on_commit`` queues ``quizzes.notify_graded``, and the test waits (at most a
minute) for the worker to claim the notice (``learner_notified_at``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from curriculum.celery import app
from learners.models import Cohort, CohortMembership
from quizzes.grading import AnswerMarking, attempt_grade
from quizzes.models import Attempt, AttemptState
from tests.factories import CoursePageFactory, ModulePageFactory, UserFactory, practitioner
from tests.factories.quizzes import make_question

from .helpers import attempt_url, form, placed_quiz, quiz_url, right

pytestmark = pytest.mark.django_db(transaction=True)

WAIT_SECONDS = 60
needs_worker = pytest.mark.skipif(
    not os.environ.get("CELERY_BROKER_URL"), reason="needs CELERY_BROKER_URL"
)


@pytest.fixture(params=["eager", pytest.param("worker", marks=[pytest.mark.worker, needs_worker])])
def celery_mode(request: pytest.FixtureRequest, settings: Any) -> Iterator[str]:
    settings.QUIZZES_BORDERLINE_MARGIN = 0
    previous = app.conf.task_always_eager
    if request.param == "eager":
        app.conf.task_always_eager = True
    elif previous:
        pytest.fail("CELERY_BROKER_URL is set but Celery runs tasks eagerly")
    yield request.param
    app.conf.task_always_eager = previous


def test_the_learner_is_told_once_their_work_is_graded(celery_mode: str, migrated_db: None) -> None:
    module = ModulePageFactory(parent=CoursePageFactory())
    quiz = placed_quiz(module, [make_question("essay", default_mark=Decimal(2))], pass_mark=50)
    learner = practitioner(email="learner@example.org")
    trainer = UserFactory(groups=["Trainer"])
    cohort = Cohort.objects.create(name="Kostanay social workers")
    cohort.trainers.add(trainer)
    CohortMembership.objects.create(cohort=cohort, user=learner)
    client = Client()
    client.force_login(learner)
    client.post(quiz_url(quiz.pk, "start"))
    attempt = Attempt.objects.get(quiz=quiz)
    client.post(attempt_url(attempt.pk), {**form(attempt, right), "action": "save"})
    client.post(attempt_url(attempt.pk, "submit"))
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.AWAITING
    answer = attempt.answers.get()
    attempt_grade(
        attempt_id=attempt.pk, grader=trainer, markings={answer.pk: AnswerMarking([2, 2], "")}
    )
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        attempt.refresh_from_db()
        if attempt.learner_notified_at is not None:
            break
        time.sleep(0.2)
    assert attempt.state == AttemptState.FINISHED and attempt.passed
    assert attempt.learner_notified_at is not None, f"no notice after {WAIT_SECONDS} s"
