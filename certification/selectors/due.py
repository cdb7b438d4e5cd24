"""Reads of the certificate sweep: who may have become due for a certificate.

A learner becomes due when they complete a lesson of a course an active track asks for (or renews
with), or pass a quiz; the issuing task is queued then (``signals``), and this finds the same
learners again from the database for the sweep (``services.certificates_issue_due``), in case
that task was lost. The learning apps answer through their public APIs with lazy queries, so the
sweep asks for everyone in one query per batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Q

from activities.api import learner_ids_completed
from learners.api import learner_ids_with_progress
from quizzes.api import learner_ids_passed

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
    """The ids of the learners who completed a lesson of a course an active track counts, passed
    a quiz or completed an activity, at or after ``since`` (everyone who ever did, with
    ``since`` None), in ascending batches of at most ``batch_size``: one query per batch,
    whatever their number."""
    course_ids = _counted_course_ids()
    if not course_ids:
        return
    progress = learner_ids_with_progress(course_ids=course_ids, since=since)
    results = learner_ids_passed(since=since)
    activities = learner_ids_completed(since=since)  # a required activity may be the last step
    users = (
        get_user_model()
        .objects.filter(Q(pk__in=progress) | Q(pk__in=results) | Q(pk__in=activities))
        .order_by("pk")
    )
    after = 0
    while True:
        batch = list(users.filter(pk__gt=after).values_list("pk", flat=True)[:batch_size])
        if not batch:
            return
        yield batch
        after = batch[-1]
