"""The CMS forms for questions and quizzes check them by the rules of their type."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from quizzes.models import Question, Quiz
from tests.factories import UserFactory
from tests.factories.quizzes import QuestionCategoryFactory, make_question

pytestmark = pytest.mark.django_db

ADD_QUESTION = "/admin/snippets/quizzes/question/add/"
ADD_QUIZ = "/admin/snippets/quizzes/quiz/add/"


def question_form(kind: str, options: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "category": QuestionCategoryFactory(name="Admin").pk,
        "kind": kind,
        "title": "A question from the CMS",
        "text": "Which of these help?",
        "text_format": "markdown",
        "default_mark": "1",
        "partial_credit": "on",
        "options-TOTAL_FORMS": str(len(options)),
        "options-INITIAL_FORMS": "0",
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "1000",
        # The written-task parts every question's form carries: a rubric and documents.
        "rubric-count": "0",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "1000",
        **fields,
    }
    for index, option in enumerate(options):
        data[f"options-{index}-ORDER"] = str(index + 1)
        for name in ("text", "match", "weight", "value", "tolerance", "feedback"):
            data[f"options-{index}-{name}"] = option.get(name, "0" if name == "weight" else "")
    return data


@pytest.fixture
def trainer_client(client: Client) -> Client:
    client.force_login(UserFactory(groups=["Trainer"]))
    return client


def test_a_trainer_adds_a_multiple_response_question(trainer_client: Client) -> None:
    data = question_form(
        "multiple_response",
        [
            {"text": "Routines", "weight": "50", "feedback": "Yes"},
            {"text": "Choices", "weight": "50", "feedback": "Yes"},
            {"text": "Surprises", "weight": "-100", "feedback": "No"},
        ],
    )
    response = trainer_client.post(ADD_QUESTION, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    question = Question.objects.get(title="A question from the CMS")
    assert [o.text for o in question.options.order_by("sort_order")] == [
        "Routines",
        "Choices",
        "Surprises",
    ]


@pytest.mark.parametrize(
    ("kind", "options", "fields", "message"),
    [
        (
            "multiple_response",
            [{"text": "A", "weight": "40"}, {"text": "B", "weight": "40"}],
            {},
            "must add up to 100% (they add up to 80%)",
        ),
        ("single_choice", [{"text": "A", "weight": "100"}], {}, "at least two options"),
        ("single_choice", [{"text": "A"}, {"text": "B"}], {}, "full credit (100%)"),
        (
            "scenario",
            [{"text": "A", "weight": "100", "feedback": "ok"}, {"text": "B"}],
            {"scenario": "In this composite case…"},
            "needs its own feedback",
        ),
        (
            "scenario",
            [{"text": "A", "weight": "100", "feedback": "x"}, {"text": "B", "feedback": "y"}],
            {},
            "needs the case",
        ),
        ("true_false", [], {}, "Say whether the statement is true or false"),
        ("numeric", [{"text": "", "weight": "100"}], {}, "at least one accepted number"),
        ("matching", [{"text": "A", "match": "1"}], {}, "at least two prompts"),
        ("ordering", [{"text": "Only one"}], {}, "at least two items"),
    ],
)
def test_an_incomplete_question_is_refused_with_the_reason(
    trainer_client: Client, kind: str, options: list[dict[str, Any]], fields: Any, message: str
) -> None:
    response = trainer_client.post(ADD_QUESTION, question_form(kind, options, **fields))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Question.objects.filter(title="A question from the CMS").exists()


def quiz_form(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Module check",
        "slug": "module-check",
        "selection": "fixed",
        "pass_mark": "80",
        "attempts_allowed": "0",
        "delay_minutes": "0",
        "time_limit_minutes": "0",
        "grading_method": "highest",
        "review_score": "after_submit",
        "review_answers": "after_submit",
        "review_feedback": "after_submit",
        "shuffle_options": "on",
    }
    for prefix in ("fixed_questions", "draws"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update(fields)
    return data


def test_a_fixed_quiz_needs_questions_and_gets_them(trainer_client: Client) -> None:
    response = trainer_client.post(ADD_QUIZ, quiz_form())
    assert response.status_code == 200
    assert "List the quiz" in response.content.decode()
    assert not Quiz.objects.exists()
    question = make_question("true_false")
    response = trainer_client.post(
        ADD_QUIZ,
        quiz_form(
            **{
                "fixed_questions-TOTAL_FORMS": "1",
                "fixed_questions-0-question": str(question.pk),
                "fixed_questions-0-ORDER": "1",
            }
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(Quiz.objects.get().fixed_questions.values_list("question_id", flat=True)) == [
        question.pk
    ]


def test_a_quiz_must_close_after_it_opens(trainer_client: Client) -> None:
    response = trainer_client.post(
        ADD_QUIZ,
        quiz_form(opens_at="2026-12-01 10:00", closes_at="2026-11-30 10:00"),
    )
    assert response.status_code == 200
    assert "must close after it opens" in response.content.decode()


@pytest.mark.parametrize(
    ("groups", "status"),
    [(["Practitioner"], 302), (["Ministry"], 302), (["Trainer"], 200), (["Course reviewer"], 200)],
)
def test_who_may_edit_the_question_bank(client: Client, groups: list[str], status: int) -> None:
    """Practitioners have no CMS access (sent to sign in); the ministry has, for certification
    only (sent back to the dashboard); trainers and reviewers manage the bank."""
    client.force_login(UserFactory(groups=groups))
    assert client.get(ADD_QUESTION).status_code == status


def rubric_fields(levels: list[str]) -> dict[str, str]:
    """One rubric criterion with a level per number of points, as the StreamField posts it."""
    data = {
        "rubric-count": "1",
        "rubric-0-type": "criterion",
        "rubric-0-deleted": "",
        "rubric-0-order": "0",
        "rubric-0-id": "",
        "rubric-0-value-title": "Safety first",
        "rubric-0-value-description": "",
        "rubric-0-value-levels-count": str(len(levels)),
    }
    for index, points in enumerate(levels):
        prefix = f"rubric-0-value-levels-{index}"
        data.update(
            {
                f"{prefix}-deleted": "",
                f"{prefix}-order": str(index),
                f"{prefix}-id": "",
                f"{prefix}-value-points": points,
                f"{prefix}-value-description": f"Level {index}",
            }
        )
    return data


def test_a_written_task_needs_a_rubric(trainer_client: Client) -> None:
    response = trainer_client.post(ADD_QUESTION, question_form("essay", [], min_words="50"))
    assert response.status_code == 200
    assert "A written task needs a rubric" in response.content.decode()
    # Two levels with the same points cannot be told apart in the record.
    response = trainer_client.post(
        ADD_QUESTION, question_form("essay", [], **rubric_fields(["1", "1"]))
    )
    assert "Give each level a different number of points." in response.content.decode()
    response = trainer_client.post(
        ADD_QUESTION,
        question_form("essay", [], min_words="80", max_words="50", **rubric_fields(["0", "2"])),
    )
    assert "The most words must be at least the fewest words." in response.content.decode()
    assert not Question.objects.exists()
    response = trainer_client.post(
        ADD_QUESTION,
        question_form("essay", [], min_words="50", max_words="300", **rubric_fields(["0", "2"])),
    )
    assert response.status_code == 302
    question = Question.objects.get()
    assert question.rubric_criteria() == [
        {
            "title": "Safety first",
            "description": "",
            "levels": [
                {"points": "0", "description": "Level 0"},
                {"points": "2", "description": "Level 1"},
            ],
        }
    ]
