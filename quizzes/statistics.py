"""Statistics for trainers: how a quiz, and each question in it, performed (issue #4, item 6).

Everything is computed from **finished** attempts (``Attempt.state == "finished"``) and their
``AttemptAnswer`` rows; attempts in progress or being graded are left out.

Per quiz
    attempts (finished), learners (distinct users with a finished attempt), the share of attempts
    that passed, the share of learners whose grade passes (``QuizResult.passed``: the grade by the
    quiz's grading method, out of the learners who have a grade), the mean and median score, and
    the scores in ten bins of ten percentage points: 0-10, 10-20, …, 90-100. A bin holds the
    scores from its lower bound up to, not including, its upper bound, except the last, which also
    holds 100: a score of exactly 10 is in 10-20, a score of 100 in 90-100.

Per question (grouped by question; answers whose question has since been deleted from the bank
are grouped by the title in their snapshot and flagged as deleted)
    *times asked* ``n``: finished attempts that included the question.

    *facility index* (Moodle's definition: the average score on the question as a percentage of
    its maximum)::

        F = 100 * mean(fraction)        fraction = points scored / marks, from 0 to 1

    *discrimination index*: the Pearson correlation, times 100, between the points a learner
    scored on the question (``x = fraction * marks``) and the points they scored on the *rest* of
    the same attempt (``y = attempt points - x``), over the attempts that included the question::

        D = 100 * (n*Sxy - Sx*Sy) / sqrt((n*Sxx - Sx**2) * (n*Syy - Sy**2))

    where ``Sx`` is the sum of ``x``, ``Sxy`` the sum of ``x*y`` and so on. It runs from -100 to
    100. It is ``None`` ("not enough data") when ``n < 2`` or when either variance is zero
    (everyone scored the same on the question, or on the rest of the quiz): a correlation is not
    defined then. Leaving the question out of ``y`` keeps it from correlating with itself.

    *hints* in plain language: F > 90 "very easy", F < 20 "very hard", D < 0 "check this
    question: stronger learners did worse", 0 <= D < 20 "weak discrimination".

Arithmetic: fractions have four decimal places and marks two, so every point value is an exact
number of millionths. The sums above are kept as Python integers in millionths, which is exact:
a zero variance is exactly zero (floating point could leave a tiny remainder and report a
meaningless correlation), and nothing is lost however many attempts are summed.

Cost: four queries whatever the number of attempts or questions, and memory that grows with the
number of attempts (their scores, for the median) and of questions (one set of sums each), never
with the number of answers: answers are streamed in attempt order with ``values_list`` and
``iterator()``, one attempt at a time.
"""

from __future__ import annotations

import math
import statistics as pystats
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.db.models import Count, Q, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from .models import Attempt, AttemptAnswer, AttemptState, QuestionType, Quiz, QuizResult
from .scoring import NOT_ANSWERED

__all__ = [
    "QuestionStatistics",
    "QuizStatistics",
    "ScoreBin",
    "question_hints",
    "quiz_statistics",
]

BINS = 10
VERY_EASY = 90  # facility above this
VERY_HARD = 20  # facility below this
WEAK_DISCRIMINATION = 20  # discrimination from 0 up to, not including, this

_FRACTION_SCALE = 10_000  # fractions have four decimal places
_MARKS_SCALE = 100  # marks have two
_CHUNK = 2_000


@dataclass(frozen=True)
class ScoreBin:
    """Finished attempts whose score is from ``low`` up to ``high`` (inclusive of 100)."""

    low: int
    high: int
    count: int
    #: Share of all finished attempts, in percent (0 when there are none).
    percent: float

    @property
    def label(self) -> str:
        return f"{self.low}\N{EN DASH}{self.high}"


@dataclass(frozen=True)
class QuestionStatistics:
    """How one question performed; see the module docstring for the formulas."""

    question_id: int | None
    title: str
    kind: str
    #: Its position in a fixed quiz's list (1-based); None for drawn or removed questions.
    position: int | None
    #: True when the question has been deleted from the bank (grouped by its snapshot title).
    deleted: bool
    asked: int
    facility: float | None
    discrimination: float | None
    hints: tuple[str, ...]

    @property
    def kind_label(self) -> str:
        return str(QuestionType(self.kind).label) if self.kind in QuestionType.values else self.kind


@dataclass(frozen=True)
class QuizStatistics:
    """A quiz's figures from its finished attempts; see the module docstring."""

    quiz: Quiz
    attempts: int
    learners: int
    attempts_passed: int
    #: Percent of finished attempts that passed; None without attempts.
    attempt_pass_rate: float | None
    #: Learners with a grade on the quiz (``QuizResult`` rows), and how many of them pass.
    learners_graded: int
    learners_passed: int
    learner_pass_rate: float | None
    mean_score: float | None
    median_score: float | None
    distribution: tuple[ScoreBin, ...]
    questions: tuple[QuestionStatistics, ...]
    #: Written tasks: attempts submitted and waiting for their grader (not in the figures above
    #: until graded), and the median time from submission to the last grade, in hours.
    awaiting_grading: int = 0
    median_hours_to_grade: float | None = None

    @property
    def empty(self) -> bool:
        return self.attempts == 0


def question_hints(*, facility: float | None, discrimination: float | None) -> tuple[str, ...]:
    """Plain-language hints for trainers, from the thresholds in the module docstring."""
    hints = []
    if facility is not None and facility > VERY_EASY:
        hints.append(_("very easy"))
    if facility is not None and facility < VERY_HARD:
        hints.append(_("very hard"))
    if discrimination is not None and discrimination < 0:
        hints.append(_("check this question: stronger learners did worse"))
    elif discrimination is not None and discrimination < WEAK_DISCRIMINATION:
        hints.append(_("weak discrimination"))
    return tuple(hints)


@dataclass
class _Sums:
    """Running sums for one question, in integers (fractions in 1/10,000, points in 1/10⁶)."""

    question_id: int | None
    title: str
    kind: str
    position: int | None = None
    n: int = 0
    fractions: int = 0
    sx: int = 0
    sy: int = 0
    sxx: int = 0
    syy: int = 0
    sxy: int = 0

    def add(self, fraction: int, x: int, y: int) -> None:
        self.n += 1
        self.fractions += fraction
        self.sx += x
        self.sy += y
        self.sxx += x * x
        self.syy += y * y
        self.sxy += x * y

    def facility(self) -> float | None:
        return 100 * self.fractions / (self.n * _FRACTION_SCALE) if self.n else None

    def discrimination(self) -> float | None:
        if self.n < 2:
            return None
        var_x = self.n * self.sxx - self.sx * self.sx
        var_y = self.n * self.syy - self.sy * self.sy
        if var_x <= 0 or var_y <= 0:
            return None
        r = (self.n * self.sxy - self.sx * self.sy) / (math.sqrt(var_x) * math.sqrt(var_y))
        return 100 * max(-1.0, min(1.0, r))  # rounding in the square roots may overshoot ±1

    def result(self) -> QuestionStatistics:
        facility, discrimination = self.facility(), self.discrimination()
        return QuestionStatistics(
            question_id=self.question_id,
            title=self.title,
            kind=self.kind,
            position=self.position,
            deleted=self.question_id is None,
            asked=self.n,
            facility=facility,
            discrimination=discrimination,
            hints=question_hints(facility=facility, discrimination=discrimination),
        )


def _scaled(value: Decimal | None, scale: int) -> int:
    """An exact decimal (a fraction or marks) as a whole number of 1/``scale``."""
    if value is None:  # not graded: counts as 0, like an unanswered question
        return 0
    return int((value * scale).to_integral_value(ROUND_HALF_UP))


def _percent(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


def _distribution(scores: list[Decimal]) -> tuple[ScoreBin, ...]:
    counts = [0] * BINS
    for score in scores:
        counts[min(max(int(score // 10), 0), BINS - 1)] += 1
    total = len(scores)
    width = 100 // BINS
    return tuple(
        ScoreBin(low=i * width, high=(i + 1) * width, count=c, percent=_percent(c, total) or 0.0)
        for i, c in enumerate(counts)
    )


def _answer_rows(quiz: Quiz) -> Iterator[tuple[Any, ...]]:
    """(attempt id, question id, fraction, marks, title, kind) of every answer of a finished
    attempt, in attempt order, streamed. The title and type come from the bank, or from the
    snapshot when the question has been deleted."""
    return (
        AttemptAnswer.objects.filter(attempt__quiz=quiz, attempt__state=AttemptState.FINISHED)
        .order_by("attempt_id", "position")
        .values_list(
            "attempt_id",
            "question_id",
            "fraction",
            "max_points",
            Coalesce(
                "question__title", KeyTextTransform("title", "snapshot"), output_field=TextField()
            ),
            Coalesce(
                "question__kind", KeyTextTransform("kind", "snapshot"), output_field=TextField()
            ),
        )
        .iterator(chunk_size=_CHUNK)
    )


def _question_sums(
    rows: Iterable[tuple[Any, ...]], fixed: list[tuple[int, str, str]]
) -> list[_Sums]:
    """Accumulate the sums per question, one attempt at a time (rows come in attempt order)."""
    by_key: dict[tuple[str, Any], _Sums] = {}
    for position, (question_id, title, kind) in enumerate(fixed, start=1):
        by_key[("id", question_id)] = _Sums(question_id, title, kind, position=position)
    for _attempt_id, answers in groupby(rows, key=itemgetter(0)):
        scored = []
        for _a, question_id, fraction, marks, title, kind in answers:
            if kind in NOT_ANSWERED:
                continue  # a description asks nothing
            key = ("id", question_id) if question_id is not None else ("deleted", title or "")
            sums = by_key.get(key)
            if sums is None:
                sums = by_key[key] = _Sums(question_id, title or "", kind or "")
            f = _scaled(fraction, _FRACTION_SCALE)
            scored.append((sums, f, f * _scaled(marks, _MARKS_SCALE)))
        total = sum(x for _s, _f, x in scored)
        for sums, f, x in scored:
            sums.add(f, x, total - x)
    return sorted(
        by_key.values(),
        key=lambda s: (
            s.position is None,
            s.position or 0,
            s.question_id is None,
            s.title.casefold(),
        ),
    )


def quiz_statistics(*, quiz: Quiz) -> QuizStatistics:
    """The statistics of ``quiz`` from its finished attempts, in four queries."""
    scores: list[Decimal] = []
    learners: set[int] = set()
    passed = 0
    awaiting = 0
    hours_to_grade: list[float] = []
    attempts = (
        Attempt.objects.filter(quiz=quiz, state__in=(AttemptState.FINISHED, AttemptState.AWAITING))
        .values_list("user_id", "score", "passed", "state", "finished_at", "graded_at")
        .iterator(chunk_size=_CHUNK)
    )
    for user_id, score, attempt_passed, state, finished_at, graded_at in attempts:
        if state == AttemptState.AWAITING:
            awaiting += 1
            continue
        if graded_at is not None and finished_at is not None:
            hours_to_grade.append((graded_at - finished_at).total_seconds() / 3600)
        learners.add(user_id)
        scores.append(score if score is not None else Decimal(0))
        passed += bool(attempt_passed)

    results = QuizResult.objects.filter(quiz=quiz).aggregate(
        graded=Count("pk"), passed=Count("pk", filter=Q(passed=True))
    )
    fixed = list(
        quiz.fixed_questions.order_by("sort_order").values_list(
            "question_id", "question__title", "question__kind"
        )
    )
    questions = tuple(s.result() for s in _question_sums(_answer_rows(quiz), fixed))

    count = len(scores)
    return QuizStatistics(
        quiz=quiz,
        attempts=count,
        learners=len(learners),
        attempts_passed=passed,
        attempt_pass_rate=_percent(passed, count),
        learners_graded=results["graded"],
        learners_passed=results["passed"],
        learner_pass_rate=_percent(results["passed"], results["graded"]),
        mean_score=float(sum(scores) / count) if count else None,
        median_score=float(pystats.median(scores)) if count else None,
        distribution=_distribution(scores),
        questions=questions,
        awaiting_grading=awaiting,
        median_hours_to_grade=pystats.median(hours_to_grade) if hours_to_grade else None,
    )
