"""The public interface of ``activities`` (other apps import only this module)."""

from __future__ import annotations

from .models import Activity
from .placements import placements_sync_all
from .selectors import completed, learner_ids_completed
from .services import activity_upload

__all__ = [
    "Activity",
    "activity_upload",
    "completed",
    "learner_ids_completed",
    "placements_sync_all",
]
