"""The courses the dashboard counts: one page per translation group, titled in the reader's
language."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from courses.api import CoursePage, in_active_language, live_courses

__all__ = ["course_titles", "source_courses"]


def source_courses() -> list[CoursePage]:
    """The live courses, one per translation group: the group's first page, which enrolments
    and progress are stored against (``courses.api.identity_of``). One query."""
    first: dict[Any, CoursePage] = {}
    for course in live_courses().select_related("locale").order_by("pk"):
        first.setdefault(course.translation_key, course)
    return sorted(first.values(), key=lambda course: course.path)


def course_titles(courses: Iterable[CoursePage]) -> dict[int, str]:
    """Each course's title in the reader's language (one query at most)."""
    translated = in_active_language(courses)
    return {pk: page.title for pk, page in translated.items()}
