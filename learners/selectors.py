"""Reads for learners: what a learner sees of their own learning."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from wagtail.models import Page

from courses.api import CoursePage

from .completion import CourseCompletion, courses_completion
from .models import Enrollment, LessonProgress

__all__ = ["LearningEntry", "lesson_progress_for", "my_learning"]


@dataclass
class LearningEntry:
    """One course on My learning."""

    enrollment: Enrollment
    course: CoursePage
    completion: CourseCompletion
    next_lesson_url: str | None
    next_lesson_title: str | None


def my_learning(*, user: Any, request: HttpRequest | None) -> list[LearningEntry]:
    """The user's active enrolments with progress and the lesson to continue with.

    A fixed number of queries whatever the number of courses: enrolments with their courses,
    the courses' pages, the learner's records, and the next lessons' URLs.
    """
    enrollments = list(
        Enrollment.objects.filter(user=user, left_at=None, course__live=True)
        .select_related("course", "course__locale")
        .order_by("-enrolled_at")
    )
    courses = [e.course for e in enrollments]
    completions = courses_completion(user=user, courses=courses)
    next_ids = {
        c.pk: (completions[c.pk].missing[0].page_id if completions[c.pk].missing else None)
        for c in courses
    }
    wanted = [pk for pk in next_ids.values() if pk]
    next_pages = Page.objects.select_related("locale").in_bulk(wanted) if wanted else {}
    entries = []
    for enrollment in enrollments:
        course = enrollment.course
        next_page = next_pages.get(next_ids[course.pk] or 0)
        entries.append(
            LearningEntry(
                enrollment=enrollment,
                course=course,
                completion=completions[course.pk],
                next_lesson_url=next_page.get_url(request) if next_page else None,
                next_lesson_title=next_page.title if next_page else None,
            )
        )
    return entries


def lesson_progress_for(*, user: Any, lesson_id: int) -> LessonProgress | None:
    """The learner's record for one lesson, if they completed it."""
    return LessonProgress.objects.filter(user=user, lesson_id=lesson_id).first()
