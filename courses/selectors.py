"""Reads of courses that other apps need (through ``courses.api``), so that none of them queries a
page type of ours directly: the live courses, modules and lessons, and where a lesson sits."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import get_language
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Page
from wagtail.query import PageQuerySet

from core.api import page_memo

from .models import CoursePage, LessonPage, ModulePage

__all__ = [
    "all_courses",
    "course_lessons",
    "course_of_lesson",
    "lesson_content_type_id",
    "live_courses",
    "live_courses_shown",
    "live_lessons",
    "live_modules",
]


def all_courses() -> PageQuerySet:
    """Every course, published or not (leaving a course works whatever its state)."""
    return CoursePage.objects.all()


def live_courses() -> PageQuerySet:
    """Every published course (any order: callers order as they show them)."""
    return CoursePage.objects.live()


def live_courses_shown(ids: Iterable[int]) -> dict[int, CoursePage]:
    """The live courses of ``ids``, each in the active language (its live translation, else
    itself), by the id asked for; ids of courses that are not live are left out. From the page
    memo (one query per set of ids and language, then none). The pages are shared between
    requests: read them, never change them."""
    ids = tuple(sorted(set(ids)))
    if not ids:
        return {}
    language = get_supported_content_language_variant(get_language())
    return page_memo(None, ("live-courses", ids, language), lambda: _shown(ids, language))


def _shown(ids: tuple[int, ...], language: str) -> dict[int, CoursePage]:
    asked = CoursePage.objects.filter(pk__in=ids).values("translation_key")
    found = CoursePage.objects.live().filter(translation_key__in=asked).select_related("locale")
    by_id = {c.pk: c for c in found}
    by_key = {c.translation_key: c for c in by_id.values() if c.locale.language_code == language}
    return {pk: by_key.get(by_id[pk].translation_key, by_id[pk]) for pk in ids if pk in by_id}


def live_modules() -> PageQuerySet:
    """Every published module."""
    return ModulePage.objects.live()


def live_lessons() -> PageQuerySet:
    """Every published lesson."""
    return LessonPage.objects.live()


def course_lessons(course: Page) -> PageQuerySet:
    """The published lessons of ``course``, with what their URLs need."""
    return LessonPage.objects.descendant_of(course).live().select_related("locale")


def course_of_lesson(lesson: Page) -> CoursePage:
    """The course ``lesson`` belongs to (one query)."""
    course: CoursePage = CoursePage.objects.ancestor_of(lesson).get()
    return course


def lesson_content_type_id() -> int:
    """The content type of lessons (cached by Django after the first call)."""
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(LessonPage).pk
