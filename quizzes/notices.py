"""Telling people about grading: the learner when their written work is graded, and trainers when
work has waited too long (``quizzes.grading``). Celery tasks, with a sweep for lost notices."""

from __future__ import annotations

from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.api import absolute_url
from learners.api import preferred_language_of

from .models import Attempt, AttemptState

__all__ = [
    "attempts_to_notify",
    "notify_graded",
    "notify_graded_sweep",
    "overdue_before",
    "overdue_by_grader",
    "remind_graders",
]


def overdue_before(now: datetime | None = None) -> datetime:
    """Work submitted before this moment has waited too long for its grader."""
    days = int(getattr(settings, "QUIZZES_GRADING_OVERDUE_DAYS", 7))
    return (now or timezone.now()) - timedelta(days=days)


def attempts_to_notify(*, now: datetime | None = None, grace_minutes: int = 5) -> list[int]:
    """Graded attempts whose learner was not told, graded more than ``grace_minutes`` ago (their
    task was lost: the worker or the broker went away). The sweep sends them again."""
    now = now or timezone.now()
    return list(
        Attempt.objects.filter(
            state=AttemptState.FINISHED,
            graded_at__isnull=False,
            graded_at__lt=now - timedelta(minutes=grace_minutes),
            learner_notified_at__isnull=True,
        )
        .order_by("graded_at")
        .values_list("pk", flat=True)[:500]
    )


def overdue_by_grader(*, now: datetime | None = None) -> dict[int, int]:
    """For every person who may grade: how many attempts in their reach have waited too long.
    Two queries: the trainers' cohorts, and the graders with the permission."""
    cutoff = overdue_before(now)
    overdue = Attempt.objects.filter(state=AttemptState.AWAITING, finished_at__lt=cutoff)
    counts: dict[int, int] = {}
    trainer_rows = (
        overdue.filter(user__cohort_memberships__cohort__trainers__isnull=False)
        .values_list("user__cohort_memberships__cohort__trainers", "pk")
        .distinct()
    )
    for trainer_id, _attempt_id in trainer_rows:
        counts[trainer_id] = counts.get(trainer_id, 0) + 1
    return counts


def _language(user: User) -> str:
    return preferred_language_of(user=user) or settings.LANGUAGE_CODE


@shared_task(name="quizzes.notify_graded", acks_late=True)
def notify_graded(attempt_id: int) -> bool:
    """Tell the learner, in their language, that their written work was graded; once.

    The attempt's ``learner_notified_at`` is claimed before sending, by a conditional update,
    so a task and the sweep never both send; a failed send clears it for the sweep to retry."""
    now = timezone.now()
    claimed = Attempt.objects.filter(
        pk=attempt_id, graded_at__isnull=False, learner_notified_at__isnull=True
    ).update(learner_notified_at=now)
    if not claimed:
        return False
    attempt = Attempt.objects.select_related("quiz", "user").get(pk=attempt_id)
    if not attempt.user.email:
        return True  # nobody to write to; the review page shows the grade
    with translation.override(_language(attempt.user)):
        url = absolute_url(reverse("quizzes:review", args=[attempt.pk]))
        subject = _("Your written work on “%(quiz)s” has been graded") % {
            "quiz": attempt.quiz.title
        }
        body = _(
            "Your trainer has graded your written work on “%(quiz)s”. Your score is "
            "%(score)s%%. Read the rubric and their feedback here: %(url)s"
        ) % {"quiz": attempt.quiz.title, "score": attempt.score, "url": url}
    try:
        send_mail(subject, body, None, [attempt.user.email])
    except Exception:
        Attempt.objects.filter(pk=attempt_id, learner_notified_at=now).update(
            learner_notified_at=None
        )
        raise
    return True


@shared_task(name="quizzes.notify_graded_sweep")
def notify_graded_sweep() -> int:
    """Send the notices a lost task did not (``grading.attempts_to_notify``); returns how many."""
    return sum(notify_graded(attempt_id) for attempt_id in attempts_to_notify())


@shared_task(name="quizzes.remind_graders")
def remind_graders() -> int:
    """Each morning, tell every trainer how many written answers in their cohorts have waited
    longer than ``QUIZZES_GRADING_OVERDUE_DAYS``; returns how many were told."""
    counts = overdue_by_grader()
    users = get_user_model().objects.filter(pk__in=list(counts)).exclude(email="")
    told = 0
    url = absolute_url(reverse("quizzes:grading_queue") + "?stage=overdue")
    days = int(getattr(settings, "QUIZZES_GRADING_OVERDUE_DAYS", 7))
    for user in users:
        count = counts[user.pk]
        with translation.override(_language(user)):
            subject = ngettext(
                "%(count)d written answer has waited more than %(days)d days for grading",
                "%(count)d written answers have waited more than %(days)d days for grading",
                count,
            ) % {"count": count, "days": days}
            body = _(
                "Learners in your cohorts are waiting for their grades. Open the grading "
                "queue: %(url)s"
            ) % {"url": url}
        send_mail(subject, body, None, [user.email])
        told += 1
    return told
