"""Reads of courses that other apps need (through ``courses.api``), so that none of them queries a
page type of ours directly: the live courses, modules and lessons, and where a lesson sits."""

from __future__ import annotations

from wagtail.models import Page
from wagtail.query import PageQuerySet

from .models import CoursePage, LessonPage, ModulePage

__all__ = [
    "all_courses",
    "course_lessons",
    "course_of_lesson",
    "lesson_content_type_id",
    "live_courses",
    "live_lessons",
    "live_modules",
]


def all_courses() -> PageQuerySet:
    """Every course, published or not (leaving a course works whatever its state)."""
    return CoursePage.objects.all()


def live_courses() -> PageQuerySet:
    """Every published course (any order: callers order as they show them)."""
    return CoursePage.objects.live()


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
