"""Bulk writes of finished quiz attempts and the grades they give: synthetic demo people
(``reports.demo_data``) and anything else that loads history at scale.

Each attempt is written finished and graded (``passed`` is its score against the quiz's pass
mark, kept in its rules snapshot as a real attempt keeps it), and the learner's ``QuizResult`` is
the quiz's grading method over their attempts, as ``services.update_result`` computes it.
Attempts loaded this way have no answers: they record an outcome, not the questions asked.
Inserted in a few statements with no signals, so the caller rebuilds what signals keep current.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from .models import Attempt, AttemptState, Quiz, QuizResult
from .scoring import aggregate
from .services import quiz_rules

__all__ = ["AttemptRow", "QuizRules", "attempts_bulk_create", "quiz_rules_of"]

BATCH_SIZE = 5000
_HUNDRED = Decimal(100)


class AttemptRow(NamedTuple):
    """One finished attempt: ``number`` counts from 1 per learner and quiz, in time order."""

    quiz_id: int  # the quiz's identity (``quizzes.translations``)
    user_id: int
    number: int
    started_at: datetime
    finished_at: datetime
    score: Decimal  # percent, two places


class QuizRules(NamedTuple):
    pass_mark: int
    grading_method: str


def quiz_rules_of(*, quiz_ids: Collection[int]) -> dict[int, QuizRules]:
    """The pass mark and grading method of each quiz: one query."""
    return {
        pk: QuizRules(pass_mark, method)
        for pk, pass_mark, method in Quiz.objects.filter(pk__in=list(quiz_ids)).values_list(
            "pk", "pass_mark", "grading_method"
        )
    }


def attempts_bulk_create(*, rows: Iterable[AttemptRow]) -> tuple[int, int]:
    """Insert finished attempts and each learner's resulting grade per quiz (the learners have
    no attempts at these quizzes yet). Returns (attempts, results) inserted."""
    rows = sorted(rows, key=lambda r: (r.quiz_id, r.user_id, r.number))
    if not rows:
        return 0, 0
    quizzes = Quiz.objects.in_bulk({r.quiz_id for r in rows})
    rules = {pk: quiz_rules(quiz) for pk, quiz in quizzes.items()}
    attempts: list[Attempt] = []
    scores: dict[tuple[int, int], list[Decimal]] = {}
    last: dict[tuple[int, int], datetime] = {}
    for r in rows:
        pass_mark = int(rules[r.quiz_id]["pass_mark"])
        attempts.append(
            Attempt(
                quiz_id=r.quiz_id,
                user_id=r.user_id,
                number=r.number,
                state=AttemptState.FINISHED,
                started_at=r.started_at,
                finished_at=r.finished_at,
                saved_at=r.finished_at,
                quiz_settings=rules[r.quiz_id],
                points=r.score,
                max_points=_HUNDRED,
                score=r.score,
                passed=r.score >= pass_mark,
            )
        )
        scores.setdefault((r.quiz_id, r.user_id), []).append(r.score)
        last[r.quiz_id, r.user_id] = r.finished_at
    results: list[QuizResult] = []
    for (quiz_id, user_id), taken in scores.items():
        grade = aggregate(rules[quiz_id]["grading_method"], taken)
        if grade is None:
            continue
        results.append(
            QuizResult(
                quiz_id=quiz_id,
                user_id=user_id,
                grade=grade,
                passed=grade >= int(rules[quiz_id]["pass_mark"]),
                attempts=len(taken),
                updated_at=last[quiz_id, user_id],
            )
        )
    Attempt.objects.bulk_create(attempts, batch_size=BATCH_SIZE)
    # The grade changed when the last attempt finished, not now: the certificate sweep reads
    # recent changes from this date, and history loaded today is not recent.
    updated_at = QuizResult._meta.get_field("updated_at")
    updated_at.auto_now = False
    try:
        QuizResult.objects.bulk_create(results, batch_size=BATCH_SIZE)
    finally:
        updated_at.auto_now = True
    return len(attempts), len(results)
