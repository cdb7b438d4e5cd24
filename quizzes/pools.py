"""Is a quiz's question pool big enough that a learner's attempts are not a memory test?

A learner who may try a quiz again should meet mostly new questions, not the ones whose right
answers the last review showed. Two set-ups defeat that, and the CMS warns about both when a
quiz is saved (``quizzes.wagtail_hooks``; a warning, never an error: saving still works):

- **A random draw from too small a pool.** A draw of ``count`` questions needs at least
  ``count * attempts allowed`` live questions in its scope (``count * 3`` when attempts are
  unlimited: ``UNLIMITED_AS``). Below that, attempts cannot each get fresh questions; at that
  size two attempts share on average a third (or ``1 / attempts``) of their questions at most.
  The rule, and why, is in docs/quizzes.md ("Question pools").
- **A fixed list of questions, several attempts, right answers shown after each attempt**: the
  second attempt asks the same questions whose answers the learner has just been shown.

``pool_warnings`` is the rule itself: pure, over plain values. ``quiz_pool_warnings`` reads what
it needs for a quiz (its draws as the form left them, unsaved, and one grouped query counting
live questions by category).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from .models import Question, Quiz, ReviewWhen, Selection

__all__ = [
    "UNLIMITED_AS",
    "Draw",
    "PoolWarning",
    "live_question_counts",
    "pool_warnings",
    "quiz_pool_warnings",
]

#: How many attempts an "unlimited" quiz is planned for: learners rarely take more than three
#: before they pass or ask for help, and more would ask trainers for very large banks.
UNLIMITED_AS = 3


@dataclass(frozen=True)
class Draw:
    """One random draw: ``count`` questions from ``category`` (by name), and with
    ``include_subcategories`` from the categories inside it (``category/...``)."""

    category: str
    count: int
    include_subcategories: bool = True

    def covers(self, name: str) -> bool:
        """True when a question of the category ``name`` may be drawn by this draw."""
        return name == self.category or (
            self.include_subcategories and name.startswith(f"{self.category}/")
        )


@dataclass(frozen=True)
class PoolWarning:
    """A warning for trainers: ``code`` names the rule (stable, for tests and filters)."""

    code: str
    message: str

    def __str__(self) -> str:
        return self.message


def pool_warnings(
    *,
    selection: str,
    attempts_allowed: int,
    review_answers: str,
    draws: Sequence[Draw],
    live_counts: Mapping[str, int],
) -> list[PoolWarning]:
    """The warnings for a quiz with these rules, ``draws`` and ``live_counts`` (live questions
    by category name, as ``live_question_counts`` gives them).

    A draw's pool is the live questions in its scope less what narrower draws inside it take in
    the same attempt (they choose first, ``services._questions_for``)."""
    if selection == Selection.FIXED:
        if attempts_allowed != 1 and review_answers == ReviewWhen.AFTER_SUBMIT:
            return [_memory_test(attempts_allowed)]
        return []
    planned = attempts_allowed or UNLIMITED_AS
    warnings = []
    for draw in draws:
        in_scope = sum(n for name, n in live_counts.items() if draw.covers(name))
        taken_by_narrower = sum(
            other.count
            for other in draws
            if other is not draw and _narrower(other, draw) and draw.covers(other.category)
        )
        pool = max(in_scope - taken_by_narrower, 0)
        needed = draw.count * planned
        if pool < needed:
            warnings.append(_small_pool(draw, pool, needed, attempts_allowed))
    return warnings


def _narrower(one: Draw, other: Draw) -> bool:
    """True when ``one`` chooses before ``other`` (the order ``services._questions_for`` uses)."""
    return (one.include_subcategories, -one.category.count("/")) < (
        other.include_subcategories,
        -other.category.count("/"),
    )


def _attempts_text(attempts_allowed: int) -> str:
    if attempts_allowed:
        return str(attempts_allowed)
    return _("unlimited (counted as %(count)s)") % {"count": UNLIMITED_AS}


def _memory_test(attempts_allowed: int) -> PoolWarning:
    return PoolWarning(
        "fixed-answers-after-submit",
        _(
            "This quiz asks the same questions in every attempt and shows the right answers "
            "after each one (attempts allowed: %(attempts)s): the next attempt tests memory, not "
            "understanding. Show the right answers “after the last allowed attempt”, allow one "
            "attempt, or draw the questions at random from a larger pool."
        )
        % {"attempts": str(attempts_allowed) if attempts_allowed else _("unlimited")},
    )


def _small_pool(draw: Draw, pool: int, needed: int, attempts_allowed: int) -> PoolWarning:
    return PoolWarning(
        "small-pool",
        _(
            "Too few questions for the draw from “%(category)s”: it takes %(count)s per "
            "attempt, and there are %(found)s live questions to draw from. Attempts allowed: "
            "%(attempts)s. For each attempt to meet mostly new questions, the pool needs at "
            "least %(needed)s. Add questions, draw fewer, or allow fewer attempts."
        )
        % {
            "category": draw.category,
            "count": draw.count,
            "found": pool,
            "attempts": _attempts_text(attempts_allowed),
            "needed": needed,
        },
    )


def live_question_counts(draws: Iterable[Draw], *, locale_id: int | None) -> dict[str, int]:
    """Live questions by category name, in the draws' scopes and the quiz's locale: one grouped
    query whatever the number of draws and categories (none without draws)."""
    scope = Q()
    for draw in draws:
        scope |= Q(category__name=draw.category)
        if draw.include_subcategories:
            scope |= Q(category__name__startswith=f"{draw.category}/")
    if not scope:
        return {}
    rows = (
        Question.objects.filter(scope, live=True, locale_id=locale_id)
        .order_by()
        .values("category__name")
        .annotate(n=Count("pk"))
    )
    return {row["category__name"]: row["n"] for row in rows}


def quiz_pool_warnings(quiz: Quiz) -> list[PoolWarning]:
    """The warnings for ``quiz`` as it stands in memory (the edit form's unsaved draws count):
    at most one query, for a random quiz."""
    draws: list[Draw] = []
    if quiz.selection == Selection.RANDOM:
        draws = [
            Draw(d.category.name, d.count or 0, d.include_subcategories)
            for d in quiz.draws.all()
            if d.category_id is not None
        ]
    return pool_warnings(
        selection=quiz.selection,
        attempts_allowed=quiz.attempts_allowed or 0,
        review_answers=quiz.review_answers,
        draws=draws,
        live_counts=live_question_counts(draws, locale_id=quiz.locale_id) if draws else {},
    )
