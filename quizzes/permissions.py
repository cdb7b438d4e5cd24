"""Who may do what with quizzes: one function per capability, used by views, templates and the
CMS alike. Anonymous users may do none of these."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.api import has_permission
from learners.api import can_run_cohorts

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

__all__ = [
    "can_export_questions",
    "can_grade_any_answer",
    "can_import_questions",
    "can_open_grading_queue",
    "can_open_unplaced_quiz",
    "can_publish_questions",
    "can_translate_quizzes",
    "can_view_statistics",
]


def can_view_statistics(user: User | AnonymousUser) -> bool:
    """A quiz's statistics page, its CSV and the CMS buttons that link to them: trainers and
    course reviewers (``quizzes.view_quiz``, migration quizzes 0002), and superusers."""
    return has_permission(user, "quizzes.view_quiz")


def can_import_questions(user: User | AnonymousUser) -> bool:
    """Importing a GIFT or Aiken file into the question bank (``quizzes.add_question``)."""
    return has_permission(user, "quizzes.add_question")


def can_export_questions(user: User | AnonymousUser) -> bool:
    """Exporting a category of the question bank as GIFT (``quizzes.view_question``)."""
    return has_permission(user, "quizzes.view_question")


def can_publish_questions(user: User | AnonymousUser) -> bool:
    """Publishing questions without a further review, in the CMS or by importing a file
    (``quizzes.publish_question``: Course reviewers, migration quizzes 0006). Trainers'
    changes wait for their approval."""
    return has_permission(user, "quizzes.publish_question")


def can_open_unplaced_quiz(user: User | AnonymousUser) -> bool:
    """Opening a quiz that no live page places, to try it (``quizzes.change_quiz``): learners
    get a 404 for such a quiz."""
    return has_permission(user, "quizzes.change_quiz")


def can_translate_quizzes(user: User | AnonymousUser) -> bool:
    """Starting the translation of a quiz or a question with Wagtail's simple translation (a copy
    in another locale to translate): ``simple_translation.submit_translation`` and the right to
    change quizzes and questions."""
    return has_permission(user, "simple_translation.submit_translation") and all(
        has_permission(user, f"quizzes.change_{model}") for model in ("quiz", "question")
    )


def can_grade_any_answer(user: User | AnonymousUser) -> bool:
    """Grading any learner's written answers, not only those of one's own cohorts
    (``quizzes.grade_any_answer``: Course reviewers, migration quizzes 0011; superusers).
    Trainers grade the members of the cohorts they run without it (``quizzes.grading``)."""
    return has_permission(user, "quizzes.grade_any_answer")


def can_open_grading_queue(user: User | AnonymousUser) -> bool:
    """The grading queue of written answers: trainers (the members of their cohorts), course
    reviewers and administrators (``can_grade_any_answer``)."""
    return can_run_cohorts(user) or can_grade_any_answer(user)
