"""Courses: the page tree, lesson blocks, and the curriculum file import and export."""

from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses"

    def ready(self) -> None:
        from . import signals

        signals.connect()
