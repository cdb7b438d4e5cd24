"""Which quizzes a page places (quiz blocks in a lesson, a module's assessment), kept in step with
what is published, so completion can find a course's quizzes without opening lesson bodies."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from courses.api import LessonPage, ModulePage, live_lessons, live_modules

from .models import PlacementKind, QuizPlacement
from .translations import canonical_quiz_ids

__all__ = ["placements_sync", "placements_sync_all"]


def _wanted(page: Any) -> dict[int, tuple[str, bool]]:
    """Quiz id → (kind, required) for the page as published."""
    if isinstance(page, ModulePage):
        if page.assessment_id:
            return {page.assessment_id: (PlacementKind.MODULE, True)}
        return {}
    if isinstance(page, LessonPage):
        wanted: dict[int, tuple[str, bool]] = {}
        for block in page.body.raw_data:
            if block.get("type") != "quiz":
                continue
            value = block.get("value") or {}
            quiz_id = value.get("quiz")
            if isinstance(quiz_id, int):
                required = bool(value.get("required", True))
                previous = wanted.get(quiz_id, (PlacementKind.LESSON, False))[1]
                wanted[quiz_id] = (PlacementKind.LESSON, required or previous)
        return wanted
    return {}


def placements_sync(page: Any) -> None:
    """Make the placements of ``page`` match its live content (called when it is published).

    A placement names the quiz's identity (``quizzes.translations``), whichever translation the
    page picked: a Russian module that places the Russian quiz requires the same quiz, with the
    same results, as the English module."""
    wanted: dict[int, tuple[str, bool]] = {}
    placed = _wanted(page.specific)
    identity = canonical_quiz_ids(list(placed))
    for quiz_id, (kind, required) in placed.items():
        key = identity.get(quiz_id, quiz_id)
        previous = wanted.get(key, (kind, False))[1]
        wanted[key] = (kind, required or previous)
    with transaction.atomic():
        current = {p.quiz_id: p for p in QuizPlacement.objects.filter(page_id=page.pk)}
        stale = [p.pk for quiz_id, p in current.items() if quiz_id not in wanted]
        if stale:
            QuizPlacement.objects.filter(pk__in=stale).delete()
        for quiz_id, (kind, required) in wanted.items():
            placement = current.get(quiz_id)
            if placement is None:
                QuizPlacement.objects.create(
                    quiz_id=quiz_id, page_id=page.pk, kind=kind, required=required
                )
            elif (placement.kind, placement.required) != (kind, required):
                placement.kind, placement.required = kind, required
                placement.save(update_fields=["kind", "required"])


def placements_sync_all() -> int:
    """Rebuild every placement from the live pages (after a bulk change); returns pages seen."""
    pages = [*live_modules(), *live_lessons()]
    for page in pages:
        placements_sync(page)
    return len(pages)
