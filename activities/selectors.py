"""Reads of activities: identities, completion, saved state."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet

from xapi.api import actor_for as xapi_actor_for
from xapi.api import state_document

from .models import Activity, ActivityCompletion, ActivityVersion

__all__ = [
    "actor_for",
    "canonical_activity_ids",
    "completed",
    "identity_of",
    "learner_ids_completed",
    "saved_state",
    "versions_of",
]


def identity_of(activity: Activity) -> Activity:
    """The first activity of its translation group (the one completion is recorded against)."""
    first = Activity.objects.filter(translation_key=activity.translation_key).order_by("pk").first()
    return first if first is not None else activity


def canonical_activity_ids(activity_ids: Collection[int]) -> dict[int, int]:
    """Each activity id → its identity's id: one query for any number of ids."""
    if not activity_ids:
        return {}
    rows = list(
        Activity.objects.filter(
            translation_key__in=Activity.objects.filter(pk__in=list(activity_ids)).values(
                "translation_key"
            )
        )
        .order_by("pk")
        .values_list("pk", "translation_key")
    )
    first: dict[object, int] = {}
    for pk, key in rows:
        first.setdefault(key, pk)
    wanted = set(activity_ids)
    return {pk: first[key] for pk, key in rows if pk in wanted}


def completed(*, user: User, activity: Activity) -> bool:
    """Whether ``user`` completed the activity (``activity`` is its identity)."""
    return ActivityCompletion.objects.filter(user=user, activity=activity).exists()


def actor_for(user: User) -> dict[str, Any]:
    """The xAPI actor that stands for ``user`` in statements."""
    return xapi_actor_for(user)


def saved_state(*, user_id: int, activity: Activity, state_id: str) -> str | None:
    """The state the player saved for ``user_id`` in this activity, if any."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return None
    return state_document(user=user, activity_id=activity.iri, state_id=state_id)


def learner_ids_completed(*, since: datetime | None) -> QuerySet[ActivityCompletion, Any]:
    """The ids of learners who completed an activity at or after ``since`` (everyone who ever
    did, with ``since`` None): a subquery, for another app's query."""
    completions = ActivityCompletion.objects.all()
    if since is not None:
        completions = completions.filter(completed_at__gte=since)
    return completions.values("user_id")


def versions_of(activity: Activity) -> list[ActivityVersion]:
    """The activity's versions, newest first, with how many learners started on each."""
    from django.db.models import Count

    return list(
        ActivityVersion.objects.filter(activity=activity)
        .annotate(attempt_count=Count("attempts"))
        .order_by("-number")
    )
