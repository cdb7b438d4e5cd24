"""Keep quiz placements in step with published pages."""

from typing import Any

from wagtail.signals import page_published

from .placements import placements_sync


def _on_publish(sender: Any, instance: Any, **kwargs: Any) -> None:
    placements_sync(instance)


def connect() -> None:
    """Connect the receivers (called from ``QuizzesConfig.ready``)."""
    page_published.connect(_on_publish, dispatch_uid="quizzes-placements")
