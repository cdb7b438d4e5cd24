"""Helpers for the quiz engine's tests: URLs, and form data that answers an attempt right or wrong.

The tests know the answer key (they read it from the attempt's snapshot); the learner's page
never does, which is what ``test_review_and_leaks`` checks.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from quizzes.models import Attempt, AttemptAnswer, QuestionType

BASE = "/en/learn/quizzes"

#: Form data for one question: field name → value (a list for several values).
Form = dict[str, Any]
Chooser = Callable[[AttemptAnswer], Form]


def quiz_url(quiz_id: int, action: str = "") -> str:
    return f"{BASE}/{quiz_id}/" + (f"{action}/" if action else "")


def attempt_url(attempt_id: int, action: str = "") -> str:
    return f"{BASE}/attempts/{attempt_id}/" + (f"{action}/" if action else "")


def _options(answer: AttemptAnswer) -> list[dict[str, Any]]:
    return list(answer.snapshot["options"])


def right(answer: AttemptAnswer) -> Form:
    """The form data that answers ``answer``'s question fully right."""
    snapshot, layout, name = answer.snapshot, answer.layout, f"q{answer.position}"
    kind = snapshot["kind"]
    options = _options(answer)
    if kind in (QuestionType.SINGLE_CHOICE, QuestionType.SCENARIO):
        best = max(options, key=lambda o: Decimal(o["weight"]))
        return {name: best["id"]}
    if kind == QuestionType.MULTIPLE_RESPONSE:
        return {name: [o["id"] for o in options if Decimal(o["weight"]) > 0]}
    if kind == QuestionType.TRUE_FALSE:
        return {name: "true" if snapshot["correct"] else "false"}
    if kind == QuestionType.SHORT_ANSWER:
        return {name: options[0]["text"]}
    if kind == QuestionType.NUMERIC:
        return {name: options[0]["value"]}
    if kind == QuestionType.MATCHING:
        by_id = {o["id"]: o for o in options}
        tokens = layout["answers"]
        return {
            f"{name}-{oid}": str(tokens.index(by_id[oid]["match"])) for oid in layout["options"]
        }
    if kind == QuestionType.ORDERING:
        return {f"{name}-{o['id']}": str(i) for i, o in enumerate(options, start=1)}
    if kind == QuestionType.ESSAY:  # a written answer: right or wrong is the grader's to say
        return {name: "Your father loved you. He made choices that hurt people."}
    if kind == QuestionType.DESCRIPTION:
        return {}
    raise ValueError(kind)


def wrong(answer: AttemptAnswer) -> Form:
    """The form data that answers ``answer``'s question, scoring 0."""
    snapshot, layout, name = answer.snapshot, answer.layout, f"q{answer.position}"
    kind = snapshot["kind"]
    options = _options(answer)
    if kind in (QuestionType.SINGLE_CHOICE, QuestionType.SCENARIO):
        return {name: next(o["id"] for o in options if Decimal(o["weight"]) == 0)}
    if kind == QuestionType.MULTIPLE_RESPONSE:
        return {name: [o["id"] for o in options if Decimal(o["weight"]) < 0]}
    if kind == QuestionType.TRUE_FALSE:
        return {name: "false" if snapshot["correct"] else "true"}
    if kind == QuestionType.SHORT_ANSWER:
        return {name: "resilience"}
    if kind == QuestionType.NUMERIC:
        return {name: "7"}
    if kind == QuestionType.MATCHING:
        distractor = str(layout["answers"].index("Distractor"))
        return {f"{name}-{oid}": distractor for oid in layout["options"]}
    if kind == QuestionType.ORDERING:  # reversed: no pair of neighbours kept
        count = len(options)
        return {f"{name}-{o['id']}": str(count - i) for i, o in enumerate(options)}
    if kind == QuestionType.ESSAY:
        return {name: "I do not know."}
    if kind == QuestionType.DESCRIPTION:
        return {}
    raise ValueError(kind)


def form(attempt: Attempt, choose: Chooser = right, **extra: Any) -> Form:
    """The whole attempt form, every question answered by ``choose``."""
    data: Form = {}
    for answer in attempt.answers.order_by("position"):
        data.update(choose(answer))
    data.update(extra)
    return data


def responses(attempt: Attempt, choose: Chooser = right) -> dict[int, Any]:
    """Responses by position, as the services take them, from ``choose``'s form data."""
    from django.http import QueryDict

    from quizzes.services import responses_from_post

    answers = list(attempt.answers.order_by("position"))
    query = QueryDict(mutable=True)
    for key, value in form(attempt, choose).items():
        query.setlist(key, value if isinstance(value, list) else [value])
    found, problems = responses_from_post(answers, query)
    assert problems == []
    return found


def answer_of(attempt: Attempt, kind: str) -> AttemptAnswer:
    """The attempt's question of ``kind`` (the first one)."""
    return next(a for a in attempt.answers.order_by("position") if a.snapshot["kind"] == kind)


def every_kind(**kwargs: Any) -> list[Any]:
    """One question of every type, in the order of ``QuestionType``, with general feedback."""
    from tests.factories.quizzes import AUTO_KINDS, make_question

    kwargs.setdefault("general_feedback", "FB-general")
    return [make_question(kind, **kwargs) for kind in AUTO_KINDS]


def placed_quiz(module: Any, questions: list[Any] | None = None, **kwargs: Any) -> Any:
    """A fixed quiz (every type by default), the assessment of ``module``."""
    from tests.factories.quizzes import make_quiz, place_on_module

    quiz = make_quiz(every_kind() if questions is None else questions, **kwargs)
    place_on_module(quiz, module)
    return quiz
