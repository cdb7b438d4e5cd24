"""Queue the issuing task when a learner completes a lesson or an activity, or passes a quiz.

Queuing never fails the learner's request (``core.api.enqueue_on_commit``); a task that could not
be queued, or was lost, is made good by the sweep (``tasks.issue_due``)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models.signals import post_save

from core.api import enqueue_on_commit, invalidate_page_cache_on


def _queue(user_id: int) -> None:
    from .tasks import issue_for_user

    enqueue_on_commit(issue_for_user, user_id)


def _on_progress(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    from .selectors import course_counts_toward_certification

    # One small query, so a lesson of a course no certification asks for queues no task.
    if created and course_counts_toward_certification(course_id=instance.course_id):
        _queue(instance.user_id)


def _on_result(sender: Any, instance: Any, **kwargs: Any) -> None:
    if instance.passed:
        _queue(instance.user_id)


def _on_activity(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if created:
        _queue(instance.user_id)


def connect() -> None:
    """Connect the receivers (called from ``CertificationConfig.ready``)."""
    # Course pages show the certificates a course leads to, from the page memo.
    invalidate_page_cache_on(
        apps.get_model("certification", "CertificationTrack"),
        apps.get_model("certification", "TrackRequirement"),
    )
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
    post_save.connect(
        _on_activity,
        sender=apps.get_model("activities", "ActivityCompletion"),
        dispatch_uid="certification-activity-completion",
    )
