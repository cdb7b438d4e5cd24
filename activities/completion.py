"""When an activity counts as complete, and what that changes.

- :func:`on_statements` listens to the xAPI store (``xapi.api.register_statement_listener``): a
  ``completed`` or ``passed`` statement about an activity's IRI records an
  :class:`ActivityCompletion` when it reaches the activity's mastery score (or, with none set,
  when the statement does not report ``success: false``). A lesson whose required activities
  are then all complete is marked complete for the learner. Voiding the statement a completion
  rests on takes it back (another qualifying statement takes its place, if there is one).
- :func:`required_activities` is a completion requirement (``learners.api.register_requirement``):
  every required activity placed on a live lesson of a course must be complete; "What is left?"
  names the ones that are not.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.api import page_memo, read_once
from courses.api import CoursePage, live_lessons
from learners.api import (
    MissingItem,
    ModuleStructure,
    RequirementLookup,
    lesson_progress_complete,
    single_learner,
)
from xapi.api import statements_of

from .models import Activity, ActivityCompletion, ActivityPlacement
from .services import attempts_complete

__all__ = ["COMPLETING_VERBS", "on_statements", "required_activities", "statement_counts"]

COMPLETING_VERBS = (
    "http://adlnet.gov/expapi/verbs/completed",
    "http://adlnet.gov/expapi/verbs/passed",
)
VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def iri_prefix() -> str:
    return f"{settings.SITE_URL}/h5p/activities/"


def scaled_score(data: Mapping[str, Any]) -> float | None:
    """The statement's score as a fraction: ``scaled``, else ``raw`` over ``min``..``max``."""
    score = (data.get("result") or {}).get("score") or {}
    if isinstance(score.get("scaled"), int | float):
        return float(score["scaled"])
    numbers = [score.get("raw"), score.get("min", 0), score.get("max")]
    if not all(isinstance(v, int | float) for v in numbers):
        return None
    raw, low, high = (float(v) for v in numbers)
    return (raw - low) / (high - low) if high > low else None


def statement_counts(activity: Activity, data: Mapping[str, Any]) -> bool:
    """Whether a completed/passed statement makes the activity complete."""
    scaled = scaled_score(data)
    if activity.mastery_score is None:
        return (data.get("result") or {}).get("success") is not False
    return activity.passes(scaled)


def _identities(slugs: Iterable[str]) -> dict[str, Activity]:
    """Slug → the activity identity (first row of the slug's group): one query."""
    found: dict[str, Activity] = {}
    for activity in Activity.objects.filter(slug__in=set(slugs)).order_by("pk"):
        found.setdefault(activity.slug, activity)
    return found


def on_statements(statements: list[Any]) -> None:
    """Derive completions from newly stored statements (called inside the storing transaction)."""
    prefix = iri_prefix()
    completing = [
        s for s in statements if s.verb in COMPLETING_VERBS and s.activity.startswith(prefix)
    ]
    voiding = [s for s in statements if s.verb == VOIDED and s.voided_target]
    if completing:
        identities = _identities(s.activity[len(prefix) :] for s in completing)
        for statement in completing:
            activity = identities.get(statement.activity[len(prefix) :])
            if activity is not None and statement_counts(activity, statement.data):
                _record(statement.user_id, activity, statement)
    if voiding:
        targets = {s.voided_target for s in voiding}
        for completion in ActivityCompletion.objects.filter(
            statement_id__in=targets
        ).select_related("activity"):
            _recompute(completion)


def _record(user_id: int, activity: Activity, statement: Any) -> None:
    scaled = scaled_score(statement.data)
    try:
        with transaction.atomic():
            _completion, created = ActivityCompletion.objects.get_or_create(
                user_id=user_id,
                activity=activity,
                defaults={
                    "statement_id": statement.id,
                    "scaled": None if scaled is None else Decimal(str(round(scaled, 4))),
                    "completed_at": _when(statement),
                },
            )
    except IntegrityError:  # a concurrent request recorded it first
        created = False
    if created:
        attempts_complete(
            user_id=user_id,
            activity_ids=list(
                Activity.objects.filter(translation_key=activity.translation_key).values_list(
                    "pk", flat=True
                )
            ),
        )
        _complete_lessons(user_id, activity)


def _when(statement: Any) -> Any:
    stamp = (statement.data or {}).get("timestamp")
    parsed = parse_datetime(stamp) if isinstance(stamp, str) else None
    return getattr(statement, "stored", None) or parsed or timezone.now()


def _recompute(completion: ActivityCompletion) -> None:
    """The statement a completion rested on was voided: find another one, or take it back."""
    activity = completion.activity
    user = User.objects.get(pk=completion.user_id)
    for statement in statements_of(user=user, activity_ids=[activity.iri], verbs=COMPLETING_VERBS):
        if statement.id != completion.statement_id and statement_counts(activity, statement.data):
            scaled = scaled_score(statement.data)
            completion.statement_id = statement.id
            completion.scaled = None if scaled is None else Decimal(str(round(scaled, 4)))
            completion.completed_at = _when(statement)
            completion.save(update_fields=["statement_id", "scaled", "completed_at"])
            return
    completion.delete()


def _complete_lessons(user_id: int, activity: Activity) -> None:
    """Mark complete the lessons whose required activities ``user_id`` has now all completed."""
    page_ids = list(
        ActivityPlacement.objects.filter(activity=activity, required=True).values_list(
            "page_id", flat=True
        )
    )
    if not page_ids:
        return
    needs: dict[int, set[int]] = {}
    for page_id, activity_id in ActivityPlacement.objects.filter(
        page_id__in=page_ids, required=True
    ).values_list("page_id", "activity_id"):
        needs.setdefault(page_id, set()).add(activity_id)
    done = set(
        ActivityCompletion.objects.filter(
            user_id=user_id, activity_id__in={a for ids in needs.values() for a in ids}
        ).values_list("activity_id", flat=True)
    )
    ready = [page_id for page_id, ids in needs.items() if ids <= done]
    if not ready:
        return
    user = User.objects.get(pk=user_id)
    for lesson in live_lessons().filter(pk__in=ready):
        lesson_progress_complete(user=user, lesson=lesson)


#: course id → [(module id, module title, activity id, activity title, page id)]
RequiredActivities = dict[int, list[tuple[int, str, int, str, int]]]


def _required_placements(structures: Mapping[int, list[ModuleStructure]]) -> RequiredActivities:
    """The required activities of each course: one query."""
    owner: dict[int, tuple[int, ModuleStructure]] = {}
    for course_id, modules in structures.items():
        for module in modules:
            for lesson_id, _title in module.lessons:
                owner[lesson_id] = (course_id, module)
    if not owner:
        return {}
    placements = (
        ActivityPlacement.objects.filter(page_id__in=list(owner), required=True)
        .select_related("activity")
        .only("page_id", "activity__title", "activity__translation_key")
        .annotate(
            shown_title=Subquery(
                Activity.objects.filter(
                    translation_key=OuterRef("activity__translation_key"),
                    locale__language_code=get_language(),
                ).values("title")[:1]
            )
        )
        .order_by("page__path")
    )
    required: RequiredActivities = {}
    seen: set[tuple[int, int]] = set()
    for placement in placements:
        course_id, module = owner[placement.page_id]
        if (course_id, placement.activity_id) in seen:
            continue
        seen.add((course_id, placement.activity_id))
        required.setdefault(course_id, []).append(
            (
                module.module_id,
                module.title,
                placement.activity_id,
                placement.shown_title or placement.activity.title,
                placement.page_id,
            )
        )
    return required


def required_activities(
    users: Collection[int] | Any,
    courses: list[CoursePage],
    structures: Mapping[int, list[ModuleStructure]],
) -> RequirementLookup:
    """Every required activity placed on a live lesson of the courses must be complete."""
    # The same for every learner: kept in the page memo until a publish, or a change to an
    # activity or a placement, moves the page cache's generation on.
    required = page_memo(
        None,
        ("required-activities", tuple(sorted(structures)), get_language()),
        lambda: _required_placements(structures),
    )
    if not required:
        return _nothing
    activity_ids = {entry[2] for entries in required.values() for entry in entries}
    learner = single_learner(users)
    if learner is None:
        done = set(
            ActivityCompletion.objects.filter(user_id__in=users, activity_id__in=activity_ids)
            .order_by()
            .values_list("user_id", "activity_id")
        )
    else:  # one learner's, whole, once per ``shared_reads`` block (My learning reads it twice)
        done = read_once(
            ("activity-completions", learner),
            lambda: set(
                ActivityCompletion.objects.filter(user_id=learner)
                .order_by()
                .values_list("user_id", "activity_id")
            ),
        )

    def lookup(user_id: int, course_id: int) -> list[tuple[int | None, MissingItem | None]]:
        items: list[tuple[int | None, MissingItem | None]] = []
        for module_id, module_title, activity_id, title, page_id in required.get(course_id, ()):
            if (user_id, activity_id) in done:
                items.append((module_id, None))
                continue
            reason = _("interactive activity not completed yet")
            items.append((module_id, MissingItem("activity", title, module_title, reason, page_id)))
        return items

    return lookup


def _nothing(user_id: int, course_id: int) -> list[tuple[int | None, MissingItem | None]]:
    return []
