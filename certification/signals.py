"""Queue the issuing task when a learner completes a lesson or passes a quiz."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_save


def _queue(user_id: int) -> None:
    from .tasks import issue_for_user

    transaction.on_commit(lambda: issue_for_user.delay(user_id))


def _course_counts(course_id: int) -> bool:
    """Whether an active track requires the course or renews with it (one small query, so a
    lesson of a course no certification asks for queues no task)."""
    from django.db.models import Q

    from .models import CertificationTrack

    return (
        CertificationTrack.objects.filter(active=True)
        .filter(Q(requirements__course_id=course_id) | Q(refresher_course_id=course_id))
        .exists()
    )


def _on_progress(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if created and _course_counts(instance.course_id):
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
