"""Quizzes: the question bank and attempts (filled by issue #4)."""

from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = "Quizzes"
