"""Writes for learners: enrolment and lesson progress, each idempotent."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from courses.api import CoursePage, LessonPage

from .models import (
    Cohort,
    CohortCourse,
    CohortMembership,
    CoordinatorRegion,
    Enrollment,
    LessonProgress,
    Profile,
)

__all__ = [
    "cohort_add_member",
    "cohort_assign_course",
    "demo_learning_create",
    "enrollment_create",
    "enrollment_leave",
    "lesson_progress_complete",
]


def enrollment_create(
    *, user: Any, course: CoursePage, source: str = Enrollment.Source.SELF
) -> Enrollment:
    """Enrol ``user`` in ``course``, or re-activate an enrolment they left. Safe to repeat."""
    try:
        with transaction.atomic():
            enrollment, created = Enrollment.objects.get_or_create(
                user=user, course=course, defaults={"source": source}
            )
    except IntegrityError:  # a concurrent request made the row first
        enrollment, created = Enrollment.objects.get(user=user, course=course), False
    if not created and enrollment.left_at is not None:
        enrollment.left_at = None
        enrollment.save(update_fields=["left_at"])
    return enrollment


def enrollment_leave(*, user: Any, course: CoursePage) -> Enrollment | None:
    """Leave a course. The enrolment row and every progress record are kept."""
    enrollment = Enrollment.objects.filter(user=user, course=course, left_at=None).first()
    if enrollment is not None:
        enrollment.left_at = timezone.now()
        enrollment.save(update_fields=["left_at"])
    return enrollment


def lesson_progress_complete(*, user: Any, lesson: LessonPage) -> LessonProgress:
    """Record that ``user`` completed ``lesson``; the first completion is kept.

    Idempotent under double clicks, retries and concurrent requests: the named unique constraint
    makes a second row impossible, and a request that loses the race reads the winner's row.
    """
    course = CoursePage.objects.ancestor_of(lesson).get()
    try:
        with transaction.atomic():
            progress, _ = LessonProgress.objects.get_or_create(
                user=user,
                lesson=lesson,
                defaults={
                    "course": course,
                    "course_version": course.version,
                    "completed_at": timezone.now(),
                },
            )
    except IntegrityError:
        progress = LessonProgress.objects.get(user=user, lesson=lesson)
    return progress


def cohort_add_member(*, cohort: Cohort, user: Any) -> CohortMembership:
    """Add ``user`` to ``cohort`` and enrol them in its assigned courses. Safe to repeat."""
    with transaction.atomic():
        membership, _ = CohortMembership.objects.get_or_create(cohort=cohort, user=user)
        for assignment in cohort.assignments.select_related("course"):
            enrollment_create(user=user, course=assignment.course, source=Enrollment.Source.COHORT)
    return membership


def cohort_assign_course(
    *, cohort: Cohort, course: CoursePage, due_date: date | None = None
) -> CohortCourse:
    """Assign ``course`` to ``cohort`` (or change its due date) and enrol every member."""
    with transaction.atomic():
        assignment, created = CohortCourse.objects.get_or_create(
            cohort=cohort, course=course, defaults={"due_date": due_date}
        )
        if not created and assignment.due_date != due_date:
            assignment.due_date = due_date
            assignment.save(update_fields=["due_date"])
        for user in cohort.members.all():
            enrollment_create(user=user, course=course, source=Enrollment.Source.COHORT)
    return assignment


def demo_learning_create() -> None:
    """Give the demo accounts something to show: the practitioner's profile, the coordinator's
    region, and a demo cohort run by the trainer with the first course assigned. Idempotent."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.in_bulk(
        ["trainer", "practitioner", "coordinator"], field_name="username"
    )
    if "practitioner" in users:
        Profile.objects.get_or_create(
            user=users["practitioner"],
            defaults={"specialty": "school_staff", "region": "KZ-79",
                      "organisation": "Demo school (fictional)", "preferred_language": "ru"},
        )  # fmt: skip
    if "coordinator" in users:
        CoordinatorRegion.objects.get_or_create(user=users["coordinator"], region="KZ-79")
    course = CoursePage.objects.live().order_by("path").first()
    if "trainer" in users and "practitioner" in users and course is not None:
        cohort, _ = Cohort.objects.get_or_create(name="Demo cohort: Shymkent school staff")
        cohort.trainers.add(users["trainer"])
        cohort_add_member(cohort=cohort, user=users["practitioner"])
        if not cohort.assignments.filter(course=course).exists():
            cohort_assign_course(
                cohort=cohort, course=course,
                due_date=timezone.localdate() + timedelta(days=60),
            )  # fmt: skip
