"""Bulk writes of learners' records with their own dates: synthetic demo people
(``reports.demo_data``) and anything else that loads history at scale.

These insert many rows in a few statements (``bulk_create`` in batches): no ``save()`` and no
signals per row, so whoever calls them rebuilds what signals would have kept current (the report
facts). They keep the models' invariants: one progress row per (learner, lesson) and one
enrolment per (learner, course), against the course's identity page, which the caller passes
(``courses.api.identity_of``). The dates the rows carry are kept as given, although the models
stamp ``auto_now_add`` on an ordinary save: history loaded in bulk happened in the past.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, NamedTuple

from django.db import models, transaction

from .models import Cohort, CohortCourse, CohortMembership, Enrollment, LessonProgress, Profile

__all__ = [
    "EnrollmentRow",
    "MembershipRow",
    "ProfileRow",
    "ProgressRow",
    "cohort_due_dates",
    "cohort_ids_named",
    "cohort_memberships_bulk_create",
    "cohorts_delete",
    "enrollments_bulk_create",
    "lesson_progress_bulk_create",
    "profiles_bulk_create",
]

BATCH_SIZE = 5000


class ProfileRow(NamedTuple):
    user_id: int
    specialty: str
    region: str
    organisation: str
    preferred_language: str
    created_at: datetime


class EnrollmentRow(NamedTuple):
    user_id: int
    course_id: int  # the course's identity page
    source: str  # ``Enrollment.Source`` value: "self" or "cohort"
    enrolled_at: datetime
    left_at: datetime | None = None


class ProgressRow(NamedTuple):
    user_id: int
    lesson_id: int  # the lesson's identity page
    course_id: int  # the course's identity page
    course_version: str
    completed_at: datetime


class MembershipRow(NamedTuple):
    cohort_id: int
    user_id: int
    joined_at: datetime


@contextmanager
def _dates_as_given(model: type[models.Model], *names: str) -> Iterator[None]:
    """Let rows keep the dates they carry in fields that stamp ``now`` on insert."""
    fields: list[Any] = [model._meta.get_field(name) for name in names]
    saved = [(f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, (auto_now, auto_now_add) in zip(fields, saved, strict=True):
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def profiles_bulk_create(*, rows: Iterable[ProfileRow]) -> int:
    """Insert a profile per row (the users have none yet); returns how many."""
    objects = [
        Profile(
            user_id=r.user_id,
            specialty=r.specialty,
            region=r.region,
            organisation=r.organisation,
            preferred_language=r.preferred_language,
            created_at=r.created_at,
            updated_at=r.created_at,
        )
        for r in rows
    ]
    with _dates_as_given(Profile, "created_at", "updated_at"):
        Profile.objects.bulk_create(objects, batch_size=BATCH_SIZE)
    return len(objects)


def enrollments_bulk_create(*, rows: Iterable[EnrollmentRow]) -> int:
    """Insert enrolments; a (learner, course) already enrolled is left alone. Returns how many
    rows were offered."""
    objects = [
        Enrollment(
            user_id=r.user_id,
            course_id=r.course_id,
            source=r.source,
            enrolled_at=r.enrolled_at,
            left_at=r.left_at,
        )
        for r in rows
    ]
    with _dates_as_given(Enrollment, "enrolled_at"):
        Enrollment.objects.bulk_create(objects, batch_size=BATCH_SIZE, ignore_conflicts=True)
    return len(objects)


def lesson_progress_bulk_create(*, rows: Iterable[ProgressRow]) -> int:
    """Insert completed lessons; a (learner, lesson) already complete keeps its row (the unique
    constraint decides). Returns how many rows were offered."""
    objects = [
        LessonProgress(
            user_id=r.user_id,
            lesson_id=r.lesson_id,
            course_id=r.course_id,
            course_version=r.course_version,
            completed_at=r.completed_at,
        )
        for r in rows
    ]
    LessonProgress.objects.bulk_create(objects, batch_size=BATCH_SIZE, ignore_conflicts=True)
    return len(objects)


def cohort_memberships_bulk_create(*, rows: Iterable[MembershipRow]) -> int:
    """Insert cohort memberships (the caller enrols the members in the cohort's courses)."""
    objects = [
        CohortMembership(cohort_id=r.cohort_id, user_id=r.user_id, joined_at=r.joined_at)
        for r in rows
    ]
    with _dates_as_given(CohortMembership, "joined_at"):
        CohortMembership.objects.bulk_create(objects, batch_size=BATCH_SIZE, ignore_conflicts=True)
    return len(objects)


def cohort_due_dates(*, cohort_ids: Sequence[int]) -> dict[int, list[tuple[int, date | None]]]:
    """Each cohort's assigned courses and due dates: ``{cohort id: [(course id, due), ...]}``."""
    found: dict[int, list[tuple[int, date | None]]] = {pk: [] for pk in cohort_ids}
    for cohort_id, course_id, due in CohortCourse.objects.filter(
        cohort_id__in=list(cohort_ids)
    ).values_list("cohort_id", "course_id", "due_date"):
        found[cohort_id].append((course_id, due))
    return found


def cohort_ids_named(*, names: Sequence[str]) -> list[int]:
    """The ids of the cohorts with these exact names (any order)."""
    return list(Cohort.objects.filter(name__in=list(names)).values_list("pk", flat=True))


@transaction.atomic
def cohorts_delete(*, cohort_ids: Sequence[int]) -> int:
    """Delete cohorts with their memberships and assignments (not the members' enrolments)."""
    deleted, _ = Cohort.objects.filter(pk__in=list(cohort_ids)).delete()
    return deleted
