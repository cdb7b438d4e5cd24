"""Completion rules: one function decides whether a learner completed a module or a course, from
the stored progress rows, and says exactly what is missing and why ("What is left?").

Later issues add requirements (required quizzes passed, interactive activities completed) by
registering a hook with :func:`register_requirement`; nothing else changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from wagtail.models import Page

from courses.api import CoursePage, LessonPage

from .models import LessonProgress

__all__ = [
    "CourseCompletion",
    "MissingItem",
    "ModuleCompletion",
    "course_completion",
    "courses_completion",
    "register_requirement",
]

STEPLEN = 4  # treebeard's path step (wagtail.models.Page.steplen)


@dataclass(frozen=True)
class MissingItem:
    """One thing a learner still has to do, and why it counts."""

    kind: str  # "lesson", later "quiz", "activity"
    title: str
    module_title: str
    reason: str
    page_id: int | None = None


@dataclass
class ModuleCompletion:
    module_id: int
    title: str
    required: int = 0
    done: int = 0
    missing: list[MissingItem] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing


@dataclass
class CourseCompletion:
    course_id: int
    modules: list[ModuleCompletion]
    extra_missing: list[MissingItem] = field(default_factory=list)

    @property
    def required(self) -> int:
        return sum(m.required for m in self.modules) + len(self.extra_missing)

    @property
    def done(self) -> int:
        return sum(m.done for m in self.modules)

    @property
    def missing(self) -> list[MissingItem]:
        return [item for m in self.modules for item in m.missing] + self.extra_missing

    @property
    def complete(self) -> bool:
        return bool(self.modules) and not self.missing

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.required) if self.required else 0


#: A requirement hook: (user, course, completion so far) -> further missing items.
Requirement = Callable[[Any, CoursePage, CourseCompletion], Iterable[MissingItem]]
_REQUIREMENTS: list[Requirement] = []


def register_requirement(hook: Requirement) -> Requirement:
    """Add a requirement every course completion is checked against (usable as a decorator)."""
    if hook not in _REQUIREMENTS:
        _REQUIREMENTS.append(hook)
    return hook


def course_completion(*, user: Any, course: CoursePage) -> CourseCompletion:
    """Completion of ``course`` for ``user``: every live lesson of every live module is required.

    Two queries whatever the size of the course, plus whatever registered requirements need.
    """
    return courses_completion(user=user, courses=[course])[course.pk]


def courses_completion(*, user: Any, courses: Iterable[CoursePage]) -> dict[int, CourseCompletion]:
    """Completion of several courses at once (My learning): two queries for any number."""
    courses = list(courses)
    if not courses:
        return {}
    within = Q()
    for course in courses:
        within |= Q(path__startswith=course.path)
    pages = list(
        Page.objects.filter(
            within, live=True, depth__in=(courses[0].depth + 1, courses[0].depth + 2)
        )
        .order_by("path")
        .only("title", "path", "depth", "content_type")
    )
    done_ids = set(
        LessonProgress.objects.filter(user=user, course__in=courses).values_list(
            "lesson_id", flat=True
        )
    )
    lesson_types = _lesson_content_type_ids()
    by_course = {c.path: CourseCompletion(c.pk, []) for c in courses}
    modules: dict[str, ModuleCompletion] = {}
    for page in pages:
        if page.depth == courses[0].depth + 1:
            module = ModuleCompletion(page.pk, page.title)
            modules[page.path] = module
            by_course[page.path[:-STEPLEN]].modules.append(module)
            continue
        module_or_none = modules.get(page.path[:-STEPLEN])
        if module_or_none is None or page.content_type_id not in lesson_types:
            continue  # under an unpublished module: not part of the course now
        module_or_none.required += 1
        if page.pk in done_ids:
            module_or_none.done += 1
        else:
            module_or_none.missing.append(
                MissingItem(
                    "lesson", page.title, module_or_none.title, "not marked complete yet", page.pk
                )
            )
    result = {}
    for course in courses:
        completion = by_course[course.path]
        for hook in _REQUIREMENTS:
            completion.extra_missing.extend(hook(user, course, completion))
        result[course.pk] = completion
    return result


def _lesson_content_type_ids() -> set[int]:
    from django.contrib.contenttypes.models import ContentType

    return {ContentType.objects.get_for_model(LessonPage).pk}
