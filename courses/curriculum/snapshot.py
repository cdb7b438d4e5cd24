"""The comparable state of a course page, shared by the importer (to skip unchanged pages) and
the exporter (to write exactly what the importer would compare)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from wagtail.models import Page

from courses.models import CoursePage, LessonPage, ModulePage

__all__ = ["normalise_value", "page_snapshot", "stream_items"]


def normalise_value(value: Any) -> Any:
    """Strip text and drop Wagtail's list-item wrappers and block ids, so that a value written
    in the admin and the same value read from a file compare equal."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return [
            normalise_value(item["value"] if isinstance(item, dict) and "type" in item
                            and "value" in item and item.get("type") == "item" else item)
            for item in value
        ]  # fmt: skip
    if isinstance(value, dict):
        # An empty optional field is stored as None by some blocks and "" by others.
        return {key: "" if item is None else normalise_value(item) for key, item in value.items()}
    return value


def stream_items(raw: Any) -> list[tuple[str, Any]]:
    """A StreamField's raw data as ``[(type, normalised value), ...]`` without block ids."""
    return [(block["type"], normalise_value(block["value"])) for block in (raw or [])]


def _hours(value: Decimal | None) -> str:
    return str(Decimal(value or 0).quantize(Decimal("0.1")))


def page_snapshot(page: Page) -> dict[str, Any]:
    """Every field the curriculum format carries, normalised."""
    base = {"title": page.title.strip(), "slug": page.slug, "summary": ""}
    if isinstance(page, CoursePage):
        return {
            **base,
            "summary": page.summary.strip(),
            "description": page.description.strip(),
            "specialties": list(page.intended_specialties or []),
            "estimated_hours": _hours(page.estimated_hours),
            "version": page.version,
            "outcomes": [value for _, value in stream_items(page.learning_outcomes.raw_data)],
            "cover_image": page.cover_image_id,
            "cover_alt": page.cover_alt.strip(),
            "completion_mode": page.completion_mode,
        }
    if isinstance(page, ModulePage):
        return {
            **base,
            "summary": page.summary.strip(),
            "introduction": page.introduction.strip(),
            "assessment": page.assessment_id,
        }
    if isinstance(page, LessonPage):
        return {
            **base,
            "summary": page.summary.strip(),
            "estimated_minutes": page.estimated_minutes,
            "body": stream_items(page.body.raw_data),
        }
    raise TypeError(f"not a course page: {page!r}")
