"""Keep quiz placements in step with published pages, and cached pages with quizzes."""

from typing import Any

from wagtail.signals import page_published

from core.api import invalidate_page_cache_on

from .models import Quiz, QuizPlacement
from .placements import placements_sync


def _on_publish(sender: Any, instance: Any, **kwargs: Any) -> None:
    placements_sync(instance)


def connect() -> None:
    """Connect the receivers (called from ``QuizzesConfig.ready``)."""
    page_published.connect(_on_publish, dispatch_uid="quizzes-placements")
    # Pages show quizzes' titles (the pager, outlines) and completion reads their placements
    # from the page memo: a change to either moves the page cache's generation on.
    invalidate_page_cache_on(Quiz, QuizPlacement)
