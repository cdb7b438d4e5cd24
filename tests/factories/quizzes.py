"""Factories for the question bank and quizzes: one question of every type, and quizzes made of
them, placed on a module (assessment) or a lesson (quiz block)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory

from quizzes.models import (
    Question,
    QuestionCategory,
    QuestionOption,
    QuestionType,
    Quiz,
    QuizQuestion,
)
from quizzes.placements import placements_sync


class QuestionCategoryFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Category {n}")

    class Meta:
        model = QuestionCategory
        django_get_or_create = ("name",)


class QuestionFactory(factory.django.DjangoModelFactory):
    category = factory.SubFactory(QuestionCategoryFactory)
    kind = QuestionType.SINGLE_CHOICE
    title = factory.Sequence(lambda n: f"Question {n}")
    text = "What helps most at a first meeting?"

    class Meta:
        model = Question


def _options(question: Question, rows: list[dict[str, Any]]) -> Question:
    for order, row in enumerate(rows):
        QuestionOption.objects.create(question=question, sort_order=order, **row)
    return question


#: The text of the one right answer of each type, for leak checks.
SECRETS = {
    QuestionType.SINGLE_CHOICE: "Listen first",
    QuestionType.SCENARIO: "Offer a quiet room",
    QuestionType.MULTIPLE_RESPONSE: "Predictable routines",
    QuestionType.SHORT_ANSWER: "tolerance",
    QuestionType.NUMERIC: "526",
    QuestionType.MATCHING: "Withdrawal",
    QuestionType.ORDERING: "Introduce yourself",
    QuestionType.ESSAY: "A short, true story",  # the model answer: graders only
}


def make_question(kind: str, **kwargs: Any) -> Question:
    """A complete, valid question of ``kind`` with feedback on its options."""
    if kind == QuestionType.SINGLE_CHOICE:
        question = QuestionFactory(kind=kind, **kwargs)
        return _options(
            question,
            [
                {"text": "Listen first", "weight": Decimal(100), "feedback": "FB-right"},
                {"text": "Ask about the camp", "weight": Decimal(0), "feedback": "FB-wrong"},
                {"text": "Give advice", "weight": Decimal(0), "feedback": "FB-wrong2"},
            ],
        )
    if kind == QuestionType.SCENARIO:
        question = QuestionFactory(
            kind=kind, scenario="In this composite case, a mother arrives tired.", **kwargs
        )
        return _options(
            question,
            [
                {"text": "Offer a quiet room", "weight": Decimal(100), "feedback": "FB-quiet"},
                {"text": "Start the forms", "weight": Decimal(0), "feedback": "FB-forms"},
            ],
        )
    if kind == QuestionType.MULTIPLE_RESPONSE:
        question = QuestionFactory(kind=kind, **kwargs)
        return _options(
            question,
            [
                {"text": "Predictable routines", "weight": Decimal(50), "feedback": "FB-r"},
                {"text": "Clear choices", "weight": Decimal(50), "feedback": "FB-c"},
                {"text": "Surprise visits", "weight": Decimal(-100), "feedback": "FB-s"},
            ],
        )
    if kind == QuestionType.TRUE_FALSE:
        return QuestionFactory(
            kind=kind,
            text="Trauma reactions are character flaws.",
            correct_answer=False,
            feedback_true="FB-true",
            feedback_false="FB-false",
            **kwargs,
        )
    if kind == QuestionType.SHORT_ANSWER:
        question = QuestionFactory(kind=kind, text="Which word ...?", **kwargs)
        return _options(
            question, [{"text": "tolerance", "weight": Decimal(100), "feedback": "FB-sa"}]
        )
    if kind == QuestionType.NUMERIC:
        question = QuestionFactory(kind=kind, text="How many children came home?", **kwargs)
        return _options(
            question,
            [{"value": Decimal(526), "tolerance": Decimal(0), "weight": Decimal(100)}],
        )
    if kind == QuestionType.MATCHING:
        question = QuestionFactory(kind=kind, text="Match the age to the reaction.", **kwargs)
        return _options(
            question,
            [
                {"text": "Under 5", "match": "Clinging"},
                {"text": "6 to 11", "match": "Withdrawal"},
                {"text": "", "match": "Distractor"},
            ],
        )
    if kind == QuestionType.ORDERING:
        question = QuestionFactory(kind=kind, text="Put the first meeting in order.", **kwargs)
        return _options(
            question,
            [{"text": "Introduce yourself"}, {"text": "Explain the visit"}, {"text": "Ask"}],
        )
    if kind == QuestionType.ESSAY:
        kwargs.setdefault(
            "rubric",
            [
                ("criterion", criterion("Safety first", [0, 2, 4])),
                ("criterion", criterion("Age-appropriate words", [0, 3, 6])),
            ],
        )
        kwargs.setdefault("text", "Write the core story for the composite family in the case file.")
        kwargs.setdefault("model_answer", "A short, true story in words a seven-year-old knows.")
        return QuestionFactory(kind=kind, **kwargs)
    if kind == QuestionType.DESCRIPTION:
        kwargs.setdefault("text", "The next questions are about one composite family.")
        return QuestionFactory(kind=kind, **kwargs)
    raise ValueError(kind)


#: The kinds the engine scores by itself: "one of every kind" in the quiz tests means these
#: (a written task waits for a grader; a description asks nothing).
AUTO_KINDS = [k for k in QuestionType.values if k not in ("essay", "description")]


def criterion(title: str, points: list[int]) -> dict[str, Any]:
    """A rubric criterion with one level per number of points, weakest first."""
    return {
        "title": title,
        "description": "",
        "levels": [
            {"points": Decimal(p), "description": f"{title}: level {i}"}
            for i, p in enumerate(points)
        ],
    }


class QuizFactory(factory.django.DjangoModelFactory):
    title = factory.Sequence(lambda n: f"Quiz {n}")
    slug = factory.Sequence(lambda n: f"quiz-{n}")
    shuffle_options = True

    class Meta:
        model = Quiz


def make_quiz(questions: list[Question] | None = None, **kwargs: Any) -> Quiz:
    """A fixed quiz of ``questions`` (one of every type when not given)."""
    quiz = QuizFactory(**kwargs)
    if questions is None:
        questions = [make_question(kind) for kind in AUTO_KINDS]
    for order, question in enumerate(questions):
        QuizQuestion.objects.create(quiz=quiz, question=question, sort_order=order)
    return quiz


def place_on_module(quiz: Quiz, module: Any) -> None:
    """Make ``quiz`` the module's assessment, published (which records the placement)."""
    module.assessment = quiz
    module.save_revision().publish()
    placements_sync(module)


def place_in_lesson(quiz: Quiz, lesson: Any, *, required: bool = True) -> None:
    """Add a quiz block to the lesson, published."""
    lesson.body.append(("quiz", {"quiz": quiz, "required": required}))
    lesson.save_revision().publish()
    placements_sync(lesson)
