"""Reads that build a course page's navigation: the catalogue, a course's outline, a module's
lessons, a lesson's place in its course. Each runs a fixed number of queries whatever the size of
the course.

The page types call these from ``get_context``, handing in the querysets of their own children, so
this module imports no page type of ours and ``models`` depends on it, not the other way round.
Reads that other apps need (``selectors``) import the page types instead."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import F, Q
from django.http import HttpRequest
from wagtail.models import Page
from wagtail.query import PageQuerySet

__all__ = [
    "LessonLink",
    "LessonNavigation",
    "ModuleAssessment",
    "ModuleOutline",
    "ModuleSequel",
    "catalogue",
    "course_outline",
    "lesson_navigation",
    "module_lessons",
    "module_sequel",
]

STEPLEN = Page.steplen


@dataclass(frozen=True)
class LessonLink:
    """A lesson as shown in an outline or in navigation."""

    title: str
    url: str
    estimated_minutes: int | None = None
    summary: str = ""
    page_id: int | None = None


@dataclass
class ModuleOutline:
    """A module with its lessons, for the course overview."""

    title: str
    url: str
    summary: str
    lessons: list[LessonLink] = field(default_factory=list)
    page_id: int | None = None

    @property
    def minutes(self) -> int:
        return sum(lesson.estimated_minutes or 0 for lesson in self.lessons)


@dataclass(frozen=True)
class ModuleAssessment:
    """The quiz a module ends with (``ModulePage.assessment``), as the lesson before it sees it:
    ids and title only. ``courses`` never links to it itself: the ``courses.lesson_next`` panel
    of ``quizzes`` does."""

    quiz_id: int
    title: str
    module_id: int


@dataclass(frozen=True)
class LessonNavigation:
    """Where a lesson sits: breadcrumbs, its module, and the lessons before and after it."""

    breadcrumbs: list[tuple[str, str]]
    course_title: str
    course_url: str
    module_title: str
    module_number: int
    module_count: int
    position: int
    lesson_count: int
    previous: LessonLink | None
    next: LessonLink | None
    completion_mode: str = "mark"
    module_id: int | None = None
    module_url: str = ""
    #: Whether this is the last lesson of its module (``next``, if any, opens another module).
    ends_module: bool = False
    #: The module's quiz, when this is the module's last lesson and the module has one: what
    #: comes next is then the quiz, not ``next``.
    assessment: ModuleAssessment | None = None


def catalogue(courses: PageQuerySet) -> PageQuerySet:
    """The published, public pages of ``courses`` (a catalogue's courses), in the editors'
    order."""
    return courses.live().public().select_related("cover_image", "locale").order_by("path")


def _url(page: Page, request: HttpRequest | None) -> str:
    return page.get_url(request) or ""


def _live_lessons(lessons: PageQuerySet) -> PageQuerySet:
    """Live lessons in tree order, with only what a lesson link needs."""
    return (
        lessons.live()
        .select_related("locale")
        .only(
            "title", "summary", "estimated_minutes", "path", "url_path", "depth", "locale", "slug"
        )
        .order_by("path")
    )


def _lesson_link(lesson: Page, request: HttpRequest | None) -> LessonLink:
    return LessonLink(
        lesson.title, _url(lesson, request), lesson.estimated_minutes, lesson.summary, lesson.pk
    )


def course_outline(
    *, modules: PageQuerySet, lessons: PageQuerySet, request: HttpRequest | None
) -> list[ModuleOutline]:
    """A course's live ``modules`` with their live ``lessons`` (the course's modules and its
    lessons at any depth): two queries."""
    modules = (
        modules.live()
        .select_related("locale")
        .only("title", "summary", "path", "url_path", "depth", "locale", "slug")
        .order_by("path")
    )
    outline = {
        m.path: ModuleOutline(m.title, _url(m, request), m.summary, page_id=m.pk) for m in modules
    }
    for lesson in _live_lessons(lessons):
        module = outline.get(lesson.path[:-STEPLEN])
        if module is not None:  # a lesson under an unpublished module is not shown
            module.lessons.append(_lesson_link(lesson, request))
    return list(outline.values())


def module_lessons(*, lessons: PageQuerySet, request: HttpRequest | None) -> list[LessonLink]:
    """The live pages of ``lessons`` (a module's lessons): one query."""
    return [_lesson_link(lesson, request) for lesson in _live_lessons(lessons)]


def lesson_navigation(*, lesson: Page, request: HttpRequest | None) -> LessonNavigation:
    """Breadcrumbs, module position and previous/next lessons across the whole course.

    One query: the lesson's ancestors together with the course's live modules and lessons
    (titles and paths only), whatever the size of the course.
    """
    module_path = lesson.path[:-STEPLEN]
    course_path = module_path[:-STEPLEN]
    module_depth = lesson.depth - 1
    ancestor_paths = [lesson.path[: STEPLEN * i] for i in range(2, lesson.depth)]
    pages = list(
        Page.objects.filter(
            Q(path__in=[*ancestor_paths, lesson.path])
            | Q(path__startswith=course_path, depth__in=(module_depth, lesson.depth), live=True)
        )
        .select_related("locale")
        .only("title", "path", "url_path", "depth", "locale", "slug", "live")
        .annotate(
            course_completion_mode=F("coursepage__completion_mode"),
            assessment_id=F("modulepage__assessment_id"),
            assessment_title=F("modulepage__assessment__title"),
        )
        .order_by("path")
    )
    by_path = {p.path: p for p in pages}
    modules = [p for p in pages if p.depth == module_depth and p.live]
    module_paths = {m.path for m in modules}
    breadcrumbs = [(by_path[p].title, _url(by_path[p], request)) for p in ancestor_paths]
    # A lesson under an unpublished module is not part of the course's sequence.
    lessons = [
        p for p in pages
        if p.depth == lesson.depth and (p.path[:-STEPLEN] in module_paths or p.pk == lesson.pk)
    ]  # fmt: skip
    index = next((i for i, p in enumerate(lessons) if p.pk == lesson.pk), 0)

    def link(i: int) -> LessonLink | None:
        if 0 <= i < len(lessons):
            return LessonLink(lessons[i].title, _url(lessons[i], request))
        return None

    module_number = next((i + 1 for i, m in enumerate(modules) if m.path == module_path), 1)
    course = by_path.get(course_path)
    module = by_path.get(module_path)
    following = lessons[index + 1] if index + 1 < len(lessons) else None
    ends_module = following is None or following.path[:-STEPLEN] != module_path
    assessment_id = getattr(module, "assessment_id", None)
    assessment = (
        ModuleAssessment(assessment_id, getattr(module, "assessment_title", "") or "", module.pk)
        if module is not None and assessment_id and ends_module and module.live
        else None
    )
    return LessonNavigation(
        breadcrumbs=breadcrumbs,
        course_title=course.title if course else "",
        course_url=_url(course, request) if course else "",
        module_title=module.title if module else "",
        module_number=module_number,
        module_count=len(modules),
        position=index + 1,
        lesson_count=len(lessons),
        previous=link(index - 1),
        next=link(index + 1),
        completion_mode=getattr(course, "course_completion_mode", None) or "mark",
        module_id=module.pk if module else None,
        module_url=_url(module, request) if module else "",
        ends_module=ends_module,
        assessment=assessment,
    )


@dataclass(frozen=True)
class ModuleSequel:
    """Where a learner goes after a module: the next live module of its course (None after the
    last one) and the course itself."""

    next_module: LessonLink | None
    module_number: int | None
    course: LessonLink | None


def module_sequel(*, module: Page, request: HttpRequest | None) -> ModuleSequel:
    """The module after ``module`` in its course, and the course: one query."""
    course_path = module.path[:-STEPLEN]
    pages = list(
        Page.objects.filter(
            Q(path=course_path) | Q(path__startswith=course_path, depth=module.depth, live=True)
        )
        .select_related("locale")
        .only("title", "path", "url_path", "depth", "locale", "slug")
        .order_by("path")
    )
    course = next((p for p in pages if p.path == course_path), None)
    modules = [p for p in pages if p.depth == module.depth]
    after = [(i, p) for i, p in enumerate(modules) if p.path > module.path]
    number, following = after[0] if after else (None, None)
    return ModuleSequel(
        next_module=LessonLink(following.title, _url(following, request), page_id=following.pk)
        if following
        else None,
        module_number=number + 1 if number is not None else None,
        course=LessonLink(course.title, _url(course, request), page_id=course.pk)
        if course
        else None,
    )
