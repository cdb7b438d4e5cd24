"""What ``learners`` shows on course pages (``core.panels``): a signed-in reader's own progress,
and the facts the pages tick their outlines with (``courses.course_marks``,
``courses.module_marks``). Registered from ``LearnersConfig.ready``; the page types know nothing
of it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest

from core.api import cached_data, register_context, register_panel
from courses.api import CoursePage, LessonPage

from .completion import CourseCompletion, course_completion
from .selectors import enrollment_for, lesson_progress_for

#: Session key ``complete_lesson`` sets to the lesson just completed; the lesson page that follows
#: says "Lesson completed." once instead of the date.
JUST_COMPLETED = "learners:just_completed"


def _reader(request: HttpRequest | None) -> User | None:
    """The signed-in user reading the page, or None (anonymous, or a CMS preview)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "is_preview", False):
        return None
    return user


def lesson_state(request: HttpRequest | None, lesson: LessonPage) -> Mapping[str, Any]:
    """The reader's record of ``lesson`` (one query); ``state`` is None when nobody is signed in,
    and the panel invites them to."""
    user = _reader(request)
    if user is None or request is None:
        return {"state": None}
    just_completed = request.session.pop(JUST_COMPLETED, None) == lesson.pk
    return {
        "state": {
            "progress": lesson_progress_for(user=user, lesson=lesson),
            "just_completed": just_completed,
        }
    }


def marks_of(completion: CourseCompletion) -> dict[str, Any]:
    """What a page ticks: ``done`` and ``started`` page ids (lessons, modules, the course)."""
    done: set[int] = set()
    started: set[int] = set()
    for module in completion.modules:
        missing_lessons = {item.page_id for item in module.missing if item.kind == "lesson"}
        done.update(pk for pk in module.lesson_ids if pk not in missing_lessons)
        if module.complete:
            done.add(module.module_id)
        elif module.done:
            started.add(module.module_id)
    if completion.complete:
        done.add(completion.course_id)
    elif completion.done:
        started.add(completion.course_id)
    return {"done": done, "started": started}


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
            "next_item": completion.missing[0] if completion.missing else None,
        }
    }


def course_marks(request: HttpRequest | None, course: CoursePage) -> Mapping[str, Any] | None:
    """The course page's ticks, from the same reads as its actions panel (no more queries)."""
    state = cached_data(course_state, request, course)
    if state is None:
        return None
    return marks_of(state["state"]["completion"])


def module_marks(request: HttpRequest | None, course: CoursePage) -> Mapping[str, Any] | None:
    """A module page's ticks, from its ``course`` (the module page's parent): the course's
    completion for the reader, a fixed number of queries whatever the number of lessons."""
    user = _reader(request)
    if user is None:
        return None
    return marks_of(course_completion(user=user, course=course))


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
    register_context("courses.course_marks", data=course_marks)
    register_context("courses.module_marks", data=module_marks)
