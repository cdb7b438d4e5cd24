"""Interactive activities built by the suite: sources of our two content types, packages built
from them (``activities.building``) and stored as the CMS stores an upload."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from wagtail.models import Locale

from activities.building import build_package
from activities.models import Activity
from activities.placements import placements_sync
from activities.services import activity_upload

__all__ = [
    "make_activity",
    "myth_source",
    "package_file",
    "place_activity",
    "scenario_source",
]


def scenario_source(title: str = "A first conversation", **overrides: Any) -> dict[str, Any]:
    """A decision scenario of three steps, three choices each (2, 1 and 0 points)."""
    steps = [
        {
            "situation": f"Step {n}: the mother says very little.",
            "question": f"What do you do at step {n}?",
            "choices": [
                {"text": f"Best choice {n}", "points": 2, "feedback": "This offers a choice."},
                {"text": f"Partial choice {n}", "points": 1, "feedback": "Kind, but unclear."},
                {"text": f"Poor choice {n}", "points": 0, "feedback": "This puts on pressure."},
            ],
        }
        for n in (1, 2, 3)
    ]
    source: dict[str, Any] = {
        "type": "decision-scenario",
        "title": title,
        "description": "Practise a first conversation.",
        "composite": "A composite case: no real person is shown.",
        "introduction": "You visit a family for the first time.",
        "pass_percentage": 60,
        "steps": steps,
    }
    source.update(overrides)
    return source


def myth_source(title: str = "Myth or fact?", **overrides: Any) -> dict[str, Any]:
    """A myth-or-fact activity of four statements (fact, myth, fact, myth)."""
    source: dict[str, Any] = {
        "type": "myth-or-fact",
        "title": title,
        "description": "Four things people say.",
        "introduction": "Mark each statement.",
        "pass_percentage": 75,
        "statements": [
            {"text": f"Statement {n}", "fact": n % 2 == 1, "explanation": f"Because {n}."}
            for n in (1, 2, 3, 4)
        ],
    }
    source.update(overrides)
    return source


def package_file(source: dict[str, Any], directory: Path, *, language: str = "en") -> Path:
    """The package built from ``source``, written into ``directory``."""
    path = Path(tempfile.mkstemp(suffix=".h5p", dir=directory)[1])
    path.write_bytes(build_package(source, language=language))
    return path


def make_activity(
    source: dict[str, Any] | None = None,
    *,
    slug: str = "first-conversation",
    language: str = "en",
    mastery: int | None = None,
    translation_of: Activity | None = None,
) -> Activity:
    """An activity with one version, built from ``source`` (a decision scenario by default)."""
    source = source or scenario_source()
    locale = Locale.objects.get_or_create(language_code=language)[0]
    activity = Activity(title=source["title"], slug=slug, locale=locale, mastery_score=mastery)
    if translation_of is not None:
        activity.translation_key = translation_of.translation_key
    activity.save()
    with tempfile.TemporaryDirectory() as folder:
        activity_upload(
            activity=activity, path=package_file(source, Path(folder), language=language)
        )
    activity.refresh_from_db()
    return activity


def place_activity(activity: Activity, lesson: Any, *, required: bool = True) -> None:
    """Add an activity block to the lesson, published (which records the placement)."""
    lesson.body.append(("activity", {"activity": activity, "required": required}))
    lesson.save_revision().publish()
    placements_sync(lesson)
