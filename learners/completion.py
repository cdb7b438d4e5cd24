"""Completion rules: one function decides whether a learner completed a module or a course, from
the stored progress rows, and says exactly what is missing and why ("What is left?").

Other apps add requirements (required quizzes passed, interactive activities completed) by
registering a hook with :func:`register_requirement`; nothing else changes. A hook is called once
for a whole batch of learners and courses (a cohort table, a report), so its cost does not grow
with the number of learners: see :class:`Requirement`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from wagtail.models import Page

from core.api import page_memo, read_once
from courses.api import CoursePage, lesson_content_type_id

from .models import Enrollment, LessonProgress

__all__ = [
    "CourseCompletion",
    "LearnerRows",
    "MissingItem",
    "ModuleCompletion",
    "ModuleStructure",
    "Requirement",
    "RequirementLookup",
    "completion_from",
    "course_completion",
    "course_structures",
    "courses_completion",
    "learner_records",
    "learner_rows",
    "register_requirement",
    "requirements_lookup",
    "single_learner",
]

STEPLEN = 4  # treebeard's path step (wagtail.models.Page.steplen)


@dataclass(frozen=True)
class MissingItem:
    """One thing a learner still has to do, and why it counts."""

    kind: str  # "lesson", "quiz", later "activity"
    title: str
    module_title: str
    reason: str
    page_id: int | None = None
    url: str = ""  # where to do it, when it is not a lesson page (``page_id`` links lessons)


@dataclass
class ModuleCompletion:
    module_id: int
    title: str
    required: int = 0
    done: int = 0
    missing: list[MissingItem] = field(default_factory=list)
    lesson_ids: tuple[int, ...] = ()  # the module's live lessons, in order

    @property
    def complete(self) -> bool:
        return not self.missing


@dataclass
class CourseCompletion:
    course_id: int
    modules: list[ModuleCompletion]
    extra_missing: list[MissingItem] = field(default_factory=list)
    extra_required: int = 0  # course-level requirements (met or not) outside any module

    @property
    def required(self) -> int:
        return sum(m.required for m in self.modules) + self.extra_required

    @property
    def done(self) -> int:
        return sum(m.done for m in self.modules) + self.extra_required - len(self.extra_missing)

    @property
    def missing(self) -> list[MissingItem]:
        return [item for m in self.modules for item in m.missing] + self.extra_missing

    @property
    def complete(self) -> bool:
        return bool(self.modules) and not self.missing

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.required) if self.required else 0


#: One required thing for one learner: the module it belongs to (None: the course as a whole) and
#: what is missing (None when the learner has done it).
RequiredItem = tuple[int | None, MissingItem | None]

#: What a hook returns: the required items of one learner (by id) in one course (by id).
RequirementLookup = Callable[[int, int], Iterable[RequiredItem]]


class Requirement(Protocol):
    """A requirement hook, called once per batch with every learner and course in it.

    ``users`` are user ids, or a queryset of users (a report passes a query rather than 10,000
    ids). ``structures`` are the courses' live modules and lessons, as ``course_structures``
    returns them. The hook runs its queries for the whole batch and returns a lookup that answers
    for each learner and course without further queries.
    """

    def __call__(
        self,
        users: Collection[int] | Any,
        courses: list[CoursePage],
        structures: Mapping[int, list[ModuleStructure]],
    ) -> RequirementLookup: ...


_REQUIREMENTS: list[Requirement] = []


def register_requirement(hook: Requirement) -> Requirement:
    """Add a requirement every course completion is checked against (usable as a decorator)."""
    if hook not in _REQUIREMENTS:
        _REQUIREMENTS.append(hook)
    return hook


def requirements_lookup(
    *,
    users: Collection[int] | Any,
    courses: list[CoursePage],
    structures: Mapping[int, list[ModuleStructure]],
) -> RequirementLookup:
    """Run every registered hook once for the batch; the lookup merges their answers."""
    lookups = [hook(users, courses, structures) for hook in _REQUIREMENTS] if courses else []

    def lookup(user_id: int, course_id: int) -> list[RequiredItem]:
        return [item for found in lookups for item in found(user_id, course_id)]

    return lookup


def course_completion(*, user: User, course: CoursePage) -> CourseCompletion:
    """Completion of ``course`` for ``user``: every live lesson of every live module is required.

    Two queries whatever the size of the course, plus whatever registered requirements need.
    """
    return courses_completion(user=user, courses=[course])[course.pk]


@dataclass(frozen=True)
class ModuleStructure:
    """A live module of a course and its live lessons: ``(lesson id, title)`` in order, and
    each lesson's translation key (the same order), which the learner's records are read by."""

    module_id: int
    title: str
    lessons: tuple[tuple[int, str], ...]
    lesson_keys: tuple[Any, ...] = ()


def course_structures(courses: Iterable[CoursePage]) -> dict[int, list[ModuleStructure]]:
    """The live modules and lessons of each course: one query for any number of courses, kept
    in the page memo (the same for every learner) until a publish moves the generation on.

    This is where "required" is decided: every live lesson of every live module.
    """
    courses = list(courses)
    if not courses:
        return {}
    return page_memo(
        None,
        ("course-structures", tuple(sorted(c.pk for c in courses))),
        lambda: _course_structures(courses),
    )


def _course_structures(courses: list[CoursePage]) -> dict[int, list[ModuleStructure]]:
    within = Q()
    for course in courses:
        within |= Q(path__startswith=course.path)
    module_depth = courses[0].depth + 1
    pages = (
        Page.objects.filter(within, live=True, depth__in=(module_depth, module_depth + 1))
        .order_by("path")
        .only("title", "path", "depth", "content_type", "translation_key")
    )
    lesson_types = _lesson_content_type_ids()
    by_path = {c.path: c.pk for c in courses}
    Entry = tuple[int, str, list[tuple[int, str]], list[Any]]
    modules: dict[str, Entry] = {}
    structure: dict[int, list[Entry]] = {c.pk: [] for c in courses}
    for page in pages:
        if page.depth == module_depth:
            entry: Entry = (page.pk, page.title, [], [])
            modules[page.path] = entry
            structure[by_path[page.path[:-STEPLEN]]].append(entry)
        elif page.content_type_id in lesson_types and page.path[:-STEPLEN] in modules:
            _pk, _title, lessons, keys = modules[page.path[:-STEPLEN]]
            lessons.append((page.pk, page.title))
            keys.append(page.translation_key)
    return {
        pk: [
            ModuleStructure(m_id, title, tuple(lessons), tuple(keys))
            for m_id, title, lessons, keys in entries
        ]
        for pk, entries in structure.items()
    }


def completion_from(
    *,
    user: User | int,
    course: CoursePage,
    structure: list[ModuleStructure],
    done_ids: set[int],
    requirements: RequirementLookup | None = None,
) -> CourseCompletion:
    """Apply the rules to one learner's completed lesson ids.

    ``requirements`` comes from :func:`requirements_lookup` for a batch of learners (no queries
    here then); without it, the registered hooks run for this learner alone.
    """
    user_id = user if isinstance(user, int) else user.pk
    if requirements is None:
        requirements = requirements_lookup(
            users=[user_id], courses=[course], structures={course.pk: structure}
        )
    modules = []
    by_id: dict[int, ModuleCompletion] = {}
    for module in structure:
        completion = ModuleCompletion(
            module.module_id,
            module.title,
            required=len(module.lessons),
            lesson_ids=tuple(lesson_id for lesson_id, _title in module.lessons),
        )
        for lesson_id, title in module.lessons:
            if lesson_id in done_ids:
                completion.done += 1
            else:
                completion.missing.append(
                    MissingItem("lesson", title, module.title, "not marked complete yet", lesson_id)
                )
        modules.append(completion)
        by_id[module.module_id] = completion
    result = CourseCompletion(course.pk, modules)
    for module_id, missing in requirements(user_id, course.pk):
        owner = by_id.get(module_id) if module_id is not None else None
        if owner is None:
            result.extra_required += 1
            if missing is not None:
                result.extra_missing.append(missing)
        else:
            owner.required += 1
            if missing is None:
                owner.done += 1
            else:
                owner.missing.append(missing)
    return result


def single_learner(users: Collection[int] | Any) -> int | None:
    """The one learner's id when a requirement hook's ``users`` is a collection of one id (a
    learner's own page), else None (a batch, or a queryset of users)."""
    if isinstance(users, list | tuple | set | frozenset) and len(users) == 1:
        return int(next(iter(users)))
    return None


@dataclass(frozen=True)
class LearnerRows:
    """What one learner has done that their pages show, read in one query: every lesson they
    completed and every enrolment, left ones too."""

    #: ``(course id, lesson id, lesson translation key, completed at)``.
    records: list[tuple[int, int, Any, datetime]]
    #: ``(course translation key, enrolment)``, the newest enrolment first.
    enrollments: list[tuple[Any, Enrollment]]


def learner_rows(user_id: int) -> LearnerRows:
    """:class:`LearnerRows` of ``user_id``: one query, shared within a
    ``core.api.shared_reads`` block (a course page's actions, ticks and completion, My
    learning's course cards and certification panel all read from it)."""
    return read_once(("learner-rows", user_id), lambda: _learner_rows(user_id))


def learner_records(user_id: int) -> list[tuple[int, int, Any, datetime]]:
    """Every lesson ``user_id`` completed: ``(course id, lesson id, lesson translation key,
    completed at)`` (:func:`learner_rows`)."""
    return learner_rows(user_id).records


def _learner_rows(user_id: int) -> LearnerRows:
    """:func:`learner_rows` as plain SQL, the records and the enrolments in one ``UNION ALL``:
    the ORM's join through the lesson page type cost several times running the query, on every
    page that shows where a learner stands (decision 0018). Converted as the ORM would: keys to
    UUIDs, times aware (UTC)."""
    q = connection.ops.quote_name
    records, enrollments = q(LessonProgress._meta.db_table), q(Enrollment._meta.db_table)
    pages = q(Page._meta.db_table)
    # Names from the models' metadata and Django's defaults, quoted; the value is a parameter.
    sql = (
        f"SELECT 0, r.{q('course_id')}, r.{q('lesson_id')}, p.{q('translation_key')}, "  # noqa: S608
        f"r.{q('completed_at')}, NULL, NULL FROM {records} r "
        f"JOIN {pages} p ON p.{q('id')} = r.{q('lesson_id')} WHERE r.{q('user_id')} = %s "
        f"UNION ALL SELECT 1, e.{q('course_id')}, e.{q('id')}, p.{q('translation_key')}, "
        f"e.{q('enrolled_at')}, e.{q('left_at')}, e.{q('source')} FROM {enrollments} e "
        f"JOIN {pages} p ON p.{q('id')} = e.{q('course_id')} WHERE e.{q('user_id')} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, user_id])
        rows = cursor.fetchall()
    to_key = Page._meta.get_field("translation_key").to_python
    done, enrolled = [], []
    for kind, course_id, row_id, key, at, left_at, source in rows:
        if kind == 0:
            done.append((course_id, row_id, to_key(key), _aware(at)))
            continue
        values = [row_id, user_id, course_id, source, _aware(at), left_at and _aware(left_at)]
        enrolled.append((to_key(key), Enrollment.from_db(connection.alias, _ENROLMENT, values)))
    enrolled.sort(key=lambda pair: pair[1].enrolled_at, reverse=True)
    return LearnerRows(done, enrolled)


_ENROLMENT = ["id", "user_id", "course_id", "source", "enrolled_at", "left_at"]


def _aware(value: datetime | str) -> datetime:
    """A time as the ORM gives it: SQLite hands back text or a naive time in UTC."""
    at = parse_datetime(value) if isinstance(value, str) else value
    if at is None:
        raise ValueError(f"not a time: {value!r}")
    return at if timezone.is_aware(at) else timezone.make_aware(at, UTC)


def courses_completion(*, user: User, courses: Iterable[CoursePage]) -> dict[int, CourseCompletion]:
    """Completion of several courses at once (My learning): two queries for any number, plus
    those of the registered requirements (each runs once for all the courses).

    The courses may be in any language: the learner's records (kept against each lesson's
    identity) count for every translation of the lesson: they are read by translation key."""
    courses = list(courses)
    if not courses:
        return {}
    structures = course_structures(courses)
    done_keys = {key for _course, _lesson, key, _at in learner_records(user.pk)}
    done_ids = {
        lesson_id
        for structure in structures.values()
        for module in structure
        for (lesson_id, _title), key in zip(module.lessons, module.lesson_keys, strict=True)
        if key in done_keys
    }
    requirements = requirements_lookup(users=[user.pk], courses=courses, structures=structures)
    return {
        course.pk: completion_from(
            user=user,
            course=course,
            structure=structures[course.pk],
            done_ids=done_ids,
            requirements=requirements,
        )
        for course in courses
    }


def _lesson_content_type_ids() -> set[int]:
    return {lesson_content_type_id()}
