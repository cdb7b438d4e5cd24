"""Learners: specialist profiles, enrolment and lesson progress cohorts, reports and My learning."""

from django.apps import AppConfig


class LearnersConfig(AppConfig):
    name = "learners"
    verbose_name = "Learners"

    def ready(self) -> None:
        from . import panels, signals

        panels.register()
        signals.connect()
