"""Quizzes: the question bank, attempts with server-side scoring, and import/export."""

from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = "Quizzes"

    def ready(self) -> None:
        from courses.api import register_curriculum_extension
        from learners.api import register_requirement

        from . import panels, signals
        from .completion import required_quizzes
        from .curriculum import QuizCurriculum

        signals.connect()
        panels.register()
        register_requirement(required_quizzes)
        register_curriculum_extension(QuizCurriculum())
