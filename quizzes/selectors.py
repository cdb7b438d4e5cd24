"""Reads for the quiz pages: where a quiz is placed, a learner's own attempts and result.
(Completion reads are in ``completion``, statistics in ``statistics``.)"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet

from .models import Attempt, AttemptState, Quiz, QuizPlacement, QuizResult

__all__ = [
    "attempt_counts_by_course",
    "attempts_by_id",
    "attempts_of",
    "learner_ids_passed",
    "live_placements",
    "quiz_result_of",
]


def live_placements(*, quiz: Quiz) -> list[QuizPlacement]:
    """Where ``quiz`` is placed on a live page, with the pages; none while the quiz itself has
    never been published (a draft-only quiz is not offered to learners, even if a page places
    it)."""
    if not quiz.live:
        return []
    return list(QuizPlacement.objects.filter(quiz=quiz, page__live=True).select_related("page"))


def attempts_of(*, user: User, quiz: Quiz | None = None) -> QuerySet[Attempt]:
    """``user``'s own attempts (of ``quiz``): no one else's are ever found, so an attempt id from
    another learner is a 404, not a hint that it exists."""
    attempts = Attempt.objects.filter(user=user)
    return attempts if quiz is None else attempts.filter(quiz=quiz)


def attempts_by_id(ids: Collection[int]) -> QuerySet[Attempt]:
    """The attempts ``ids`` (for a service that takes a queryset)."""
    return Attempt.objects.filter(pk__in=list(ids))


def quiz_result_of(*, user: User, quiz: Quiz) -> QuizResult | None:
    """``user``'s grade on ``quiz``, or None before they finish an attempt."""
    return QuizResult.objects.filter(quiz=quiz, user=user).first()


def learner_ids_passed(*, since: datetime | None) -> QuerySet[QuizResult, Any]:
    """The ``user_id`` of every learner who passed a quiz, or whose pass was graded again, at or
    after ``since`` (ever, with None): a lazy query another can use as a subquery (the
    certificate sweep asks for everyone in one query)."""
    results = QuizResult.objects.filter(passed=True)
    if since is not None:
        results = results.filter(updated_at__gte=since)
    return results.values("user_id")


def attempt_counts_by_course(
    *, courses: list[Any], users: QuerySet[Any], since: datetime, until: datetime
) -> dict[int, tuple[int, int]]:
    """For the oversight dashboard: per course (by id), the attempts finished from ``since`` to
    ``until`` at the quizzes placed in it, and how many of them passed, by the learners of
    ``users`` (a query of user ids). Two queries whatever the number of attempts; a quiz placed in
    two courses counts in both."""
    if not courses:
        return {}
    placements = QuizPlacement.objects.filter(page__live=True).values_list("quiz_id", "page__path")
    quiz_courses: dict[int, set[int]] = {}
    for quiz_id, path in placements:
        for course in courses:
            if path.startswith(course.path):
                quiz_courses.setdefault(quiz_id, set()).add(course.pk)
    if not quiz_courses:
        return {}
    counts = (
        Attempt.objects.filter(
            quiz_id__in=quiz_courses,
            state=AttemptState.FINISHED,
            finished_at__range=(since, until),
            user_id__in=users,
        )
        .order_by()
        .values("quiz_id")
        .annotate(finished=Count("id"), passed=Count("id", filter=Q(passed=True)))
    )
    totals: dict[int, tuple[int, int]] = {}
    for row in counts:
        for course_id in quiz_courses[row["quiz_id"]]:
            finished, passed = totals.get(course_id, (0, 0))
            totals[course_id] = (finished + row["finished"], passed + row["passed"])
    return totals
