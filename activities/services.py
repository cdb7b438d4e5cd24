"""Writes of activities: uploads, attempts, completion."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from .models import Activity, ActivityAttempt, ActivityVersion
from .storing import package_store

__all__ = ["activity_upload", "attempt_version", "state_id"]


def activity_upload(
    *, activity: Activity, path: Path, user: User | None = None, language: str = ""
) -> ActivityVersion:
    """Store the package at ``path`` as the activity's new current version (validated first;
    ``PackageInvalid`` when a rule fails, with nothing stored)."""
    return package_store(activity=activity, path=path, user=user, language=language)


def state_id(version: ActivityVersion) -> str:
    """The xAPI State id the player's resume state is kept under: one per version, so a new
    package never receives the state of an old one."""
    return f"h5p-state-{version.pk}"


def attempt_version(*, user: User, activity: Activity) -> ActivityVersion:
    """The version ``user`` plays: the one their open attempt started on; else the current
    version (starting an attempt on it). A replaced package stays with the learners who began
    it until they complete it."""
    current = activity.current_version
    assert current is not None
    with transaction.atomic():
        attempt = (
            ActivityAttempt.objects.select_related("version")
            .filter(user=user, activity=activity)
            .order_by("-started_at", "-pk")
            .first()
        )
        if attempt is not None and (
            attempt.completed_at is None or attempt.version_id == current.pk
        ):
            return attempt.version
        ActivityAttempt.objects.create(user=user, activity=activity, version=current)
    return current


def attempts_complete(*, user_id: int, activity_ids: list[int]) -> None:
    """Close the open attempts of ``user_id`` on these activities (any translation)."""
    ActivityAttempt.objects.filter(
        user_id=user_id, activity_id__in=activity_ids, completed_at__isnull=True
    ).update(completed_at=timezone.now())
