"""Background work of the quiz engine (the grading notices live in ``quizzes.notices``)."""

from __future__ import annotations

from celery import shared_task

from .notices import notify_graded, notify_graded_sweep, remind_graders
from .services import attempts_close_overdue

__all__ = ["close_overdue_attempts", "notify_graded", "notify_graded_sweep", "remind_graders"]


@shared_task(name="quizzes.close_overdue_attempts")
def close_overdue_attempts() -> int:
    """Grade attempts whose time limit passed while the learner was away (Celery beat, every
    five minutes). A learner who comes back sees them graded either way; this keeps results and
    completion current for trainers' tables in the meantime. Returns how many were graded."""
    return attempts_close_overdue()
