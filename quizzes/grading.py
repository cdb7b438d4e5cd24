"""Grading written answers: the queue, the marking, the second marker, and telling the learner.

An attempt with a written task (``QuestionType.ESSAY``) that the learner answered stops at
``AttemptState.AWAITING`` when it is submitted (``services._finish``): its other questions are
scored, but it has no score, no result and so no completion until a person grades it.

- **Who grades.** The trainers of a cohort the learner belongs to, and whoever holds
  ``quizzes.grade_any_answer`` (Course reviewers, migration quizzes 0011; superusers). Nobody
  grades their own attempt. ``gradable_attempts`` is the one place this is decided.
- **Marking.** A grader picks one level of every rubric criterion for each written answer of the
  attempt, and may write feedback. Each marking is a ``WrittenGrade`` row that is never changed:
  the rows are the audit of grading.
- **Second marker.** When the first marking leaves the attempt within
  ``QUIZZES_BORDERLINE_MARGIN`` percentage points of its pass mark, another grader marks it too,
  without seeing the first marker's levels; each written answer then counts the mean of the two.
- **Settling.** When the last marking is in, the attempt is finished with its score, the
  learner's result is updated (so completion and certification follow, as for any quiz) and the
  learner is told, in their language, by a task that a sweep repeats if it was lost.
- **Waiting too long.** Work waiting more than ``QUIZZES_GRADING_OVERDUE_DAYS`` days is flagged
  in the queue, and a daily task tells each grader how much of it is theirs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from core.api import enqueue_on_commit
from learners.api import learner_ids_trained_by

from .models import Attempt, AttemptAnswer, AttemptState, WrittenGrade
from .notices import notify_graded, overdue_before
from .permissions import can_grade_any_answer
from .scoring import GRADED_BY_PERSON, Status
from .services import percent_of, rule, update_result

__all__ = [
    "AnswerMarking",
    "GradingRefused",
    "Marking",
    "attempt_grade",
    "borderline_margin",
    "gradable_attempts",
    "marker_due",
    "overdue_before",
    "rubric_maximum",
]

FEEDBACK_LIMIT = 5000
_FRACTION_PLACES = Decimal("0.0001")


class GradingRefused(Exception):
    """The marking was not stored; the message says why, for the grader."""


@dataclass(frozen=True)
class AnswerMarking:
    """A grader's marking of one written answer: a level index per criterion, and feedback."""

    levels: Sequence[int]
    feedback: str = ""


@dataclass(frozen=True)
class Marking:
    """What ``attempt_grade`` did: which marker this was and whether the attempt is settled."""

    marker: int
    settled: bool
    needs_second_marker: bool


def borderline_margin() -> Decimal:
    """Percentage points either side of the pass mark within which a second marker grades."""
    return Decimal(str(getattr(settings, "QUIZZES_BORDERLINE_MARGIN", 5)))


def gradable_attempts(user: User) -> QuerySet[Attempt]:
    """The attempts awaiting grading that ``user`` may grade (never their own)."""
    awaiting = Attempt.objects.filter(state=AttemptState.AWAITING).exclude(user_id=user.pk)
    if not user.is_authenticated:
        return awaiting.none()
    if can_grade_any_answer(user):
        return awaiting
    return awaiting.filter(user_id__in=learner_ids_trained_by(user=user))


def marker_due(attempt: Attempt) -> int:
    """Which marking the attempt waits for: 1 (first) or 2 (second marker)."""
    return 2 if attempt.needs_second_marker else 1


def first_marker_subquery() -> Subquery:
    """The first marker's user id for an attempt row (for the queue, in the same query)."""
    return Subquery(
        WrittenGrade.objects.filter(answer__attempt=OuterRef("pk"), marker=1).values("grader_id")[
            :1
        ]
    )


def rubric_maximum(rubric: Sequence[Mapping[str, Any]]) -> Decimal:
    """The most points a rubric gives: the best level of every criterion."""
    return sum(
        (max(Decimal(level["points"]) for level in c["levels"]) for c in rubric if c["levels"]),
        Decimal(0),
    )


def _points(rubric: Sequence[Mapping[str, Any]], levels: Sequence[int]) -> Decimal:
    return sum(
        (Decimal(c["levels"][index]["points"]) for c, index in zip(rubric, levels, strict=True)),
        Decimal(0),
    )


def _check_levels(answer: AttemptAnswer, marking: AnswerMarking | None) -> list[int]:
    """The marking's levels, checked against the answer's rubric; a clear refusal otherwise."""
    rubric = answer.snapshot.get("rubric") or []
    if not rubric or not rubric_maximum(rubric):
        raise GradingRefused(
            _("Question %(n)s has no rubric to grade it with.") % {"n": answer.position}
        )
    if marking is None:
        raise GradingRefused(
            _("Question %(n)s: pick a level for every criterion.") % {"n": answer.position}
        )
    levels = list(marking.levels)
    if len(levels) != len(rubric):
        raise GradingRefused(
            _("Question %(n)s: pick a level for every criterion.") % {"n": answer.position}
        )
    for criterion, index in zip(rubric, levels, strict=True):
        if not isinstance(index, int) or not 0 <= index < len(criterion["levels"]):
            raise GradingRefused(
                _("Question %(n)s: “%(criterion)s” has no such level.")
                % {"n": answer.position, "criterion": criterion["title"]}
            )
    if len(marking.feedback) > FEEDBACK_LIMIT:
        raise GradingRefused(
            _("Question %(n)s: the feedback is longer than %(limit)s characters.")
            % {"n": answer.position, "limit": FEEDBACK_LIMIT}
        )
    return levels


def attempt_grade(
    *,
    attempt_id: int,
    grader: User,
    markings: Mapping[int, AnswerMarking],
    now: datetime | None = None,
) -> Marking:
    """Store ``grader``'s marking of every written answer of the attempt (``markings`` by answer
    id), then settle the attempt or ask for a second marker. All or nothing: a refusal stores
    nothing. Two graders marking at once: the second is refused (one row per answer and marker).
    """
    now = now or timezone.now()
    with transaction.atomic():
        # Taking the row serialises two graders on PostgreSQL; on SQLite the unique constraint
        # on (answer, marker) refuses the later one.
        attempt = (
            gradable_attempts(grader)
            .select_for_update(of=("self",))
            .select_related("quiz")
            .filter(pk=attempt_id)
            .first()
        )
        if attempt is None:
            raise GradingRefused(
                _("This attempt is not waiting for your grading (it may have been graded).")
            )
        marker = marker_due(attempt)
        answers = [
            a
            for a in attempt.answers.order_by("position")
            if a.snapshot.get("kind") in GRADED_BY_PERSON and a.status == Status.AWAITING
        ]
        if (
            marker == 2
            and WrittenGrade.objects.filter(
                answer__attempt=attempt, marker=1, grader=grader
            ).exists()
        ):
            raise GradingRefused(
                _("You marked this attempt first; a second marker must be someone else.")
            )
        grades = []
        for answer in answers:
            levels = _check_levels(answer, markings.get(answer.pk))
            rubric = answer.snapshot.get("rubric") or []
            maximum = rubric_maximum(rubric)
            points = _points(rubric, levels)
            grades.append(
                WrittenGrade(
                    answer=answer,
                    marker=marker,
                    grader=grader,
                    levels=levels,
                    points=points,
                    fraction=(points / maximum).quantize(_FRACTION_PLACES, ROUND_HALF_UP)
                    if maximum
                    else Decimal(0),
                    feedback=markings[answer.pk].feedback.strip(),
                    graded_at=now,
                )
            )
        try:
            with transaction.atomic():
                WrittenGrade.objects.bulk_create(grades)
        except IntegrityError as error:
            raise GradingRefused(_("Someone else has just graded this attempt.")) from error
        return _settle(attempt, answers, marker=marker, now=now)


def _settle(
    attempt: Attempt, answers: list[AttemptAnswer], *, marker: int, now: datetime
) -> Marking:
    """After a marking: finish the attempt, or (first marking near the pass mark) wait for a
    second marker."""
    grades: dict[int, list[Decimal]] = {}
    for grade in WrittenGrade.objects.filter(answer__in=answers).order_by("marker"):
        grades.setdefault(grade.answer_id, []).append(grade.fraction)
    # Each written answer counts the mean of its markers' fractions.
    final = {
        answer.pk: (sum(grades[answer.pk], Decimal(0)) / len(grades[answer.pk])).quantize(
            _FRACTION_PLACES, ROUND_HALF_UP
        )
        for answer in answers
    }
    others = attempt.answers.exclude(pk__in=list(final)).values_list("fraction", "max_points")
    points = sum((Decimal(f or 0) * m for f, m in others), Decimal(0)) + sum(
        (final[a.pk] * a.max_points for a in answers), Decimal(0)
    )
    score = percent_of(points, attempt.max_points)
    pass_mark = Decimal(rule(attempt, attempt.quiz, "pass_mark"))
    margin = borderline_margin()
    if marker == 1 and margin > 0 and abs(score - pass_mark) <= margin:
        Attempt.objects.filter(pk=attempt.pk).update(needs_second_marker=True)
        return Marking(marker=1, settled=False, needs_second_marker=True)
    for answer in answers:
        answer.fraction = final[answer.pk]
        answer.status = (
            Status.CORRECT
            if final[answer.pk] >= 1
            else Status.INCORRECT
            if final[answer.pk] <= 0
            else Status.PARTIAL
        )
    AttemptAnswer.objects.bulk_update(answers, ["fraction", "status"])
    Attempt.objects.filter(pk=attempt.pk).update(
        state=AttemptState.FINISHED,
        points=points.quantize(Decimal("0.0001"), ROUND_HALF_UP),
        score=score,
        passed=score >= pass_mark,
        graded_at=now,
    )
    update_result(attempt.quiz, attempt.user_id, rules_from=attempt)
    # Queued after the commit, never failing the grader's request; a lost notice is sent by
    # the sweep (``notices.notify_graded_sweep``).
    enqueue_on_commit(notify_graded, attempt.pk)
    return Marking(marker=marker, settled=True, needs_second_marker=marker == 2)
