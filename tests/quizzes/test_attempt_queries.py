"""The attempt's pages and actions run as many queries for 30 questions as for 5.

Each attempt keeps a snapshot of its questions, so showing, saving and grading it reads the
attempt's answer rows once, whatever their number.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from courses.api import ModulePage
from quizzes.models import Attempt
from tests.factories import ModulePageFactory, practitioner
from tests.factories.quizzes import AUTO_KINDS, make_question

from .helpers import attempt_url, form, placed_quiz, quiz_url, right

pytestmark = pytest.mark.django_db

STEPS = ["start", "attempt", "save", "autosave", "summary", "submit", "review", "quiz detail"]


def counts(module: ModulePage, questions: int) -> dict[str, int]:
    """Queries of each step of one attempt at a quiz of ``questions`` questions."""
    kinds = AUTO_KINDS
    quiz = placed_quiz(module, [make_question(kinds[i % len(kinds)]) for i in range(questions)])
    client = Client()
    client.force_login(practitioner())
    client.get(quiz_url(quiz.pk))  # the session's first request checks the profile
    found: dict[str, int] = {}

    def run(step: str, method: str, url: str, data: dict[str, Any] | None = None) -> None:
        with CaptureQueriesContext(connection) as ctx:
            response = getattr(client, method)(url, data or {})
        assert response.status_code in (200, 302), (step, response.status_code)
        found[step] = len(ctx.captured_queries)

    run("start", "post", quiz_url(quiz.pk, "start"))
    attempt = Attempt.objects.get(quiz=quiz)
    assert attempt.answers.count() == questions
    answers = form(attempt, right)
    run("attempt", "get", attempt_url(attempt.pk))
    run("save", "post", attempt_url(attempt.pk), {**answers, "action": "save"})
    run("autosave", "post", attempt_url(attempt.pk, "autosave"), {"q1": ""})  # clears q1
    run("summary", "get", attempt_url(attempt.pk, "summary"))
    run("submit", "post", attempt_url(attempt.pk, "submit"), {**answers, "with_answers": "1"})
    run("review", "get", attempt_url(attempt.pk, "review"))
    run("quiz detail", "get", quiz_url(quiz.pk))
    attempt.refresh_from_db()
    assert (attempt.state, attempt.score) == ("finished", 100)
    return found


def test_attempt_queries_do_not_grow_with_the_questions(module: ModulePage) -> None:
    few = counts(module, 5)
    many = counts(ModulePageFactory(parent=module.get_parent()), 30)
    assert list(few) == STEPS
    assert many == few
    assert max(few.values()) <= 30, few
