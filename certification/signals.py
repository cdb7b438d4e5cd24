"""Queue the issuing task when a learner completes a lesson or passes a quiz."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_save


def _queue(user_id: int) -> None:
    from .tasks import issue_for_user

    transaction.on_commit(lambda: issue_for_user.delay(user_id))


def _on_progress(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    from .selectors import course_counts_toward_certification

    # One small query, so a lesson of a course no certification asks for queues no task.
    if created and course_counts_toward_certification(course_id=instance.course_id):
        _queue(instance.user_id)


def _on_result(sender: Any, instance: Any, **kwargs: Any) -> None:
    if instance.passed:
        _queue(instance.user_id)


def connect() -> None:
    """Connect the receivers (called from ``CertificationConfig.ready``)."""
    post_save.connect(
        _on_progress,
        sender=apps.get_model("learners", "LessonProgress"),
        dispatch_uid="certification-progress",
    )
    post_save.connect(
        _on_result,
        sender=apps.get_model("quizzes", "QuizResult"),
        dispatch_uid="certification-quiz-result",
    )
