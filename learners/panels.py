"""What ``learners`` shows on course pages (``core.panels``): a signed-in reader's own progress.
Registered from ``LearnersConfig.ready``; the page types know nothing of it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest

from core.api import register_panel
from courses.api import CoursePage, LessonPage

from .completion import course_completion
from .selectors import enrollment_for, lesson_progress_for


def _reader(request: HttpRequest | None) -> Any:
    """The signed-in user reading the page, or None (anonymous, or a CMS preview)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "is_preview", False):
        return None
    return user


def lesson_state(request: HttpRequest | None, lesson: LessonPage) -> Mapping[str, Any]:
    """The reader's record of ``lesson`` (one query); ``state`` is None when nobody is signed in,
    and the panel invites them to."""
    user = _reader(request)
    if user is None:
        return {"state": None}
    return {"state": {"progress": lesson_progress_for(user=user, lesson_id=lesson.pk)}}


def course_state(request: HttpRequest | None, course: CoursePage) -> Mapping[str, Any] | None:
    """The reader's enrolment in ``course`` and its completion; nothing when nobody is signed in
    (the page then shows its own "Start the course")."""
    user = _reader(request)
    if user is None:
        return None
    enrollment = enrollment_for(user=user, course=course)
    completion = course_completion(user=user, course=course)
    return {
        "state": {
            "enrollment": enrollment,
            "enrolled": enrollment is not None and enrollment.left_at is None,
            "completion": completion,
            "next_lesson_id": completion.missing[0].page_id if completion.missing else None,
        }
    }


def register() -> None:
    register_panel(
        "courses.course_actions", template="learners/panels/course_actions.html", data=course_state
    )
    register_panel(
        "courses.lesson_progress",
        template="learners/panels/lesson_progress.html",
        data=lesson_state,
    )
    register_panel(
        "courses.lesson_next", template="learners/panels/lesson_next.html", data=lesson_state
    )
