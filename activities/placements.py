"""Which activities a published lesson places, kept in step on publish (as quiz placements are),
so completion finds a course's activities without opening lesson bodies."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from wagtail.signals import page_published

from core.api import invalidate_page_cache_on
from courses.api import LessonPage, live_lessons

from .models import Activity, ActivityPlacement
from .selectors import canonical_activity_ids

__all__ = ["connect", "placements_sync", "placements_sync_all"]

BLOCK = "activity"  # the lesson block's name in courses.blocks.LessonStreamBlock


def _wanted(page: Any) -> dict[int, bool]:
    """Activity id → required, for the page as published."""
    if not isinstance(page, LessonPage):
        return {}
    wanted: dict[int, bool] = {}
    for block in page.body.raw_data:
        if block.get("type") != BLOCK:
            continue
        value = block.get("value") or {}
        activity_id = value.get("activity")
        if isinstance(activity_id, int):
            wanted[activity_id] = bool(value.get("required", True)) or wanted.get(
                activity_id, False
            )
    return wanted


def placements_sync(page: Any) -> None:
    """Make the placements of ``page`` match its live content. A placement names the activity's
    identity, whichever translation the page chose."""
    placed = _wanted(page.specific)
    identity = canonical_activity_ids(list(placed))
    wanted: dict[int, bool] = {}
    for activity_id, required in placed.items():
        key = identity.get(activity_id, activity_id)
        wanted[key] = required or wanted.get(key, False)
    with transaction.atomic():
        current = {p.activity_id: p for p in ActivityPlacement.objects.filter(page_id=page.pk)}
        stale = [p.pk for key, p in current.items() if key not in wanted]
        if stale:
            ActivityPlacement.objects.filter(pk__in=stale).delete()
        for activity_id, required in wanted.items():
            placement = current.get(activity_id)
            if placement is None:
                ActivityPlacement.objects.create(
                    activity_id=activity_id, page_id=page.pk, required=required
                )
            elif placement.required != required:
                placement.required = required
                placement.save(update_fields=["required"])


def placements_sync_all() -> int:
    """Rebuild every placement from the live lessons; returns the lessons seen."""
    pages = list(live_lessons())
    for page in pages:
        placements_sync(page)
    return len(pages)


def _on_publish(sender: Any, instance: Any, **kwargs: Any) -> None:
    placements_sync(instance)


def connect() -> None:
    """Connect the receiver (called from ``ActivitiesConfig.ready``)."""
    page_published.connect(_on_publish, dispatch_uid="activities-placements")
    # Completion reads activities' titles and placements from the page memo: a change to either
    # moves the page cache's generation on.
    invalidate_page_cache_on(Activity, ActivityPlacement)
