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
    "ModuleStructure",
    "completion_from",
    "course_completion",
    "course_structures",
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


@dataclass(frozen=True)
class ModuleStructure:
    """A live module of a course and its live lessons: ``(lesson id, title)`` in order."""

    module_id: int
    title: str
    lessons: tuple[tuple[int, str], ...]


def course_structures(courses: Iterable[CoursePage]) -> dict[int, list[ModuleStructure]]:
    """The live modules and lessons of each course: one query for any number of courses.

    This is where "required" is decided: every live lesson of every live module.
    """
    courses = list(courses)
    if not courses:
        return {}
    within = Q()
    for course in courses:
        within |= Q(path__startswith=course.path)
    module_depth = courses[0].depth + 1
    pages = (
        Page.objects.filter(within, live=True, depth__in=(module_depth, module_depth + 1))
        .order_by("path")
        .only("title", "path", "depth", "content_type")
    )
    lesson_types = _lesson_content_type_ids()
    by_path = {c.path: c.pk for c in courses}
    modules: dict[str, tuple[int, str, list[tuple[int, str]]]] = {}
    structure: dict[int, list[tuple[int, str, list[tuple[int, str]]]]] = {c.pk: [] for c in courses}
    for page in pages:
        if page.depth == module_depth:
            entry: tuple[int, str, list[tuple[int, str]]] = (page.pk, page.title, [])
            modules[page.path] = entry
            structure[by_path[page.path[:-STEPLEN]]].append(entry)
        elif page.content_type_id in lesson_types and page.path[:-STEPLEN] in modules:
            modules[page.path[:-STEPLEN]][2].append((page.pk, page.title))
    return {
        pk: [ModuleStructure(m_id, title, tuple(lessons)) for m_id, title, lessons in entries]
        for pk, entries in structure.items()
    }


def completion_from(
    *, user: Any, course: CoursePage, structure: list[ModuleStructure], done_ids: set[int]
) -> CourseCompletion:
    """Apply the rules to one learner's completed lesson ids (no queries of its own; registered
    requirements may query, so hooks used in tables must be cheap)."""
    modules = []
    for module in structure:
        completion = ModuleCompletion(module.module_id, module.title, required=len(module.lessons))
        for lesson_id, title in module.lessons:
            if lesson_id in done_ids:
                completion.done += 1
            else:
                completion.missing.append(
                    MissingItem("lesson", title, module.title, "not marked complete yet", lesson_id)
                )
        modules.append(completion)
    result = CourseCompletion(course.pk, modules)
    for hook in _REQUIREMENTS:
        result.extra_missing.extend(hook(user, course, result))
    return result


def courses_completion(*, user: Any, courses: Iterable[CoursePage]) -> dict[int, CourseCompletion]:
    """Completion of several courses at once (My learning): two queries for any number."""
    courses = list(courses)
    if not courses:
        return {}
    structures = course_structures(courses)
    done_ids = set(
        LessonProgress.objects.filter(user=user, course__in=courses).values_list(
            "lesson_id", flat=True
        )
    )
    return {
        course.pk: completion_from(
            user=user, course=course, structure=structures[course.pk], done_ids=done_ids
        )
        for course in courses
    }


def _lesson_content_type_ids() -> set[int]:
    from django.contrib.contenttypes.models import ContentType

    return {ContentType.objects.get_for_model(LessonPage).pk}
