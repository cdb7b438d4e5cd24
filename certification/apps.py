"""Certification: tracks, certificates, public verification, expiry and renewal."""

from django.apps import AppConfig


class CertificationConfig(AppConfig):
    name = "certification"
    verbose_name = "Certification"

    def ready(self) -> None:
        from quizzes.api import register_attempt_window

        from . import panels, signals
        from .selectors import renewal_attempt_window

        signals.connect()
        panels.register()
        from . import panels_course

        panels_course.register()
        register_attempt_window(renewal_attempt_window)
