"""Completion rules: one function decides whether a learner completed a module or a course, from
the stored progress rows, and says exactly what is missing and why ("What is left?").

Later issues add requirements (required quizzes passed, interactive activities completed) by
registering a hook with :func:`register_requirement`; nothing else changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from courses.api import CoursePage, LessonPage, ModulePage

from .models import LessonProgress

__all__ = [
    "CourseCompletion",
    "MissingItem",
    "ModuleCompletion",
    "course_completion",
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

    Three queries whatever the size of the course (modules, lessons, the learner's records),
    plus whatever registered requirements need.
    """
    modules = list(
        ModulePage.objects.child_of(course).live().order_by("path").only("title", "path")
    )
    lessons = list(
        LessonPage.objects.descendant_of(course).live().order_by("path").only("title", "path")
    )
    done_ids = set(
        LessonProgress.objects.filter(user=user, course=course).values_list("lesson_id", flat=True)
    )
    by_path = {m.path: ModuleCompletion(m.pk, m.title) for m in modules}
    for lesson in lessons:
        module = by_path.get(lesson.path[:-STEPLEN])
        if module is None:  # under an unpublished module: not part of the course now
            continue
        module.required += 1
        if lesson.pk in done_ids:
            module.done += 1
        else:
            module.missing.append(
                MissingItem(
                    "lesson", lesson.title, module.title, "not marked complete yet", lesson.pk
                )
            )
    completion = CourseCompletion(course.pk, list(by_path.values()))
    for hook in _REQUIREMENTS:
        completion.extra_missing.extend(hook(user, course, completion))
    return completion
