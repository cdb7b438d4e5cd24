"""Reads of the certificate sweep: who may have become due for a certificate.

A learner becomes due when they complete a lesson of a course an active track asks for (or renews
with), or pass a quiz; the issuing task is queued then (``signals``), and this finds the same
learners again from the database for the sweep (``services.certificates_issue_due``), in case
that task was lost. The learning apps' rows are read through the app registry, as ``signals``
does: their public APIs answer per learner, and the sweep needs one query for everyone.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Q

from .renewal import active_tracks

__all__ = ["learners_to_check"]


def _counted_course_ids() -> list[int]:
    tracks = active_tracks()
    required = tracks.values_list("requirements__course_id", flat=True)
    refreshers = tracks.filter(refresher_course__isnull=False).values_list(
        "refresher_course_id", flat=True
    )
    return sorted({pk for pk in [*required, *refreshers] if pk is not None})


def learners_to_check(*, since: datetime | None, batch_size: int = 500) -> Iterator[list[int]]:
    """The ids of the learners who completed a lesson of a course an active track counts, or
    passed a quiz, at or after ``since`` (everyone who ever did, with ``since`` None), in
    ascending batches of at most ``batch_size``: one query per batch, whatever their number."""
    course_ids = _counted_course_ids()
    if not course_ids:
        return
    progress = apps.get_model("learners", "LessonProgress").objects.filter(course_id__in=course_ids)
    results = apps.get_model("quizzes", "QuizResult").objects.filter(passed=True)
    if since is not None:
        progress = progress.filter(completed_at__gte=since)
        results = results.filter(updated_at__gte=since)
    users = (
        get_user_model()
        .objects.filter(Q(pk__in=progress.values("user_id")) | Q(pk__in=results.values("user_id")))
        .order_by("pk")
    )
    after = 0
    while True:
        batch = list(users.filter(pk__gt=after).values_list("pk", flat=True)[:batch_size])
        if not batch:
            return
        yield batch
        after = batch[-1]
