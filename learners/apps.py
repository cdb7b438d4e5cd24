"""Learners: specialist profiles, enrolment and lesson progress (issue #3, in progress)."""

from django.apps import AppConfig


class LearnersConfig(AppConfig):
    name = "learners"
    verbose_name = "Learners"

    def ready(self) -> None:
        from . import (
            panels,
            signals,  # noqa: F401 - connects the sign-in receiver
        )

        panels.register()
