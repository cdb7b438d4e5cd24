"""Quizzes: the question bank, attempts with server-side scoring, and import/export."""

from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = "Quizzes"

    def ready(self) -> None:
        from learners.api import register_requirement

        from . import signals
        from .completion import required_quizzes

        signals.connect()
        register_requirement(required_quizzes)
