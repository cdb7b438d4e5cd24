"""Keeping the dashboard's summary tables (the facts) correct and current.

What each table holds (``models``), for **practitioners** only: accounts with a learners profile
that are practitioners (``learners.api.practitioner_profiles``: not staff, not administrators,
in no role group but Practitioner). Region, specialty and organisation are copied from the
profile. Someone who stops being a practitioner, or loses their profile, loses their facts.

- ``CourseFact``: one row per practitioner and course where they have an enrolment (left or
  not) or a completed lesson. ``course`` is the course's identity page (the first page of its
  translation group), against which enrolments and progress are stored. ``enrolled``: an
  enrolment not left; ``enrolled_at``: the enrolment's date (kept after leaving);
  ``started_at``: their first completed lesson; ``completed_at``: when the course is complete by
  the platform's completion rules (``learners.completion``, with every registered requirement,
  such as required quizzes passed), which is their last completed lesson of the course (as
  ``learners.api.course_finished_at``), None while it is not complete; ``due_on``: the
  earliest due date of the course among the cohorts they are a member of (None: none).
- ``PersonFact``: one row per practitioner, even with no course. ``enrolled``: some course
  enrolled; ``in_progress``: some enrolled course started and not completed; ``completed``:
  some course completed; ``due_on``: the earliest ``due_on`` among their courses not completed;
  ``valid_until``: the latest ``valid_until`` over their tracks; ``revoked``: the latest
  certificate of some track is revoked.
- ``CertificationFact``: one row per practitioner and track they hold a certificate of.
  ``first_issued_on``/``latest_issued_on``: the first and latest issue dates; ``valid_until``:
  the latest expiry among their certificates not revoked (None: all revoked); ``revoked``: the
  latest certificate (the highest sequence) is revoked.

How they stay current:

- :func:`facts_refresh` recomputes the three tables for a set of people, set-based: a fixed
  number of queries per batch whatever its size.
- Events that change them (``signals``) mark the people concerned *stale* in the same
  transaction (:func:`stale_mark`, an outbox: the ``StalePerson`` table) and queue
  ``tasks.refresh_stale`` after the commit, which calls :func:`stale_refresh`. A lost task is
  harmless: beat runs the same task every two minutes, and it works from the table.
- :func:`facts_rebuild` recomputes everyone (nightly, and ``manage.py rebuild_report_facts``): it
  mends what no event reports (a lesson published or withdrawn, a quiz made required, which
  change the completion of everyone in a course) and anything else.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import AutoField, Field, Model, Q
from django.utils import timezone
from psycopg import sql

from certification.api import TrackStanding, track_standings
from core.api import Progress
from learners.api import (
    CourseHistory,
    PractitionerProfile,
    course_histories,
    practitioner_profile_count,
    practitioner_profiles,
)

from .models import CertificationFact, CourseFact, PersonFact, StalePerson

__all__ = ["facts_rebuild", "facts_refresh", "stale_mark", "stale_refresh"]

#: People refreshed per transaction by :func:`stale_refresh`: a change to one of them made while
#: their refresh runs waits for its end (see there), so this is kept small.
STALE_CHUNK = 500

_COURSE_FIELDS = [
    *("region", "specialty", "organisation"),
    *("enrolled", "enrolled_at", "started_at", "completed_at", "due_on"),
]
_CERTIFICATION_FIELDS = [
    *("region", "specialty", "organisation"),
    *("first_issued_on", "latest_issued_on", "valid_until", "revoked"),
]
_PERSON_FIELDS = [
    *("region", "specialty", "organisation"),
    *("enrolled", "in_progress", "completed", "due_on", "valid_until", "revoked", "refreshed_at"),
]


def facts_refresh(*, user_ids: Collection[int]) -> int:
    """Recompute the facts of ``user_ids``; returns how many of them are practitioners (and so
    have facts now). The others' facts are deleted. A fixed number of queries whatever the
    number of people."""
    ids = sorted(set(user_ids))
    if not ids:
        return 0
    profiles = practitioner_profiles(user_ids=ids)
    return _facts_write(profiles, within=Q(user_id__in=ids))


def facts_rebuild(*, progress: Progress | None = None, batch_size: int = 2000) -> int:
    """Recompute everyone's facts, ``batch_size`` practitioners at a time (by id, each batch in
    its own transaction, so memory stays flat), and delete the facts of everyone who no longer
    qualifies; returns how many practitioners have facts."""
    total = practitioner_profile_count() if progress is not None else 0
    done = 0
    after = 0
    while profiles := practitioner_profiles(after=after, limit=batch_size):
        last = profiles[-1].user_id
        # The range, not the ids: whoever in it is no longer a practitioner loses their facts.
        done += _facts_write(profiles, within=Q(user_id__gt=after, user_id__lte=last))
        after = last
        if progress is not None:
            progress(done, max(total, done), f"{done:,} practitioners")
    with transaction.atomic():
        for model in (CourseFact, CertificationFact, PersonFact):
            model.objects.filter(user_id__gt=after).delete()
    return done


def stale_mark(*, user_ids: Iterable[int | None]) -> int:
    """Mark ``user_ids`` stale (in the caller's transaction: the mark commits with the change
    that made it); returns how many.

    A mark already there gets the new time: the upsert locks it until this transaction ends, so a
    refresh running meanwhile skips it (or, if it took it first, this waits for its end and then
    marks afresh), and a change is never refreshed from a read made before it committed."""
    ids = sorted({int(user_id) for user_id in user_ids if user_id is not None})
    if not ids:
        return 0
    StalePerson.objects.bulk_create(
        [StalePerson(user_id=user_id) for user_id in ids],
        update_conflicts=True,
        unique_fields=["user_id"],
        update_fields=["marked_at"],
    )
    return len(ids)


def stale_refresh(*, limit: int = 5000) -> int:
    """Refresh up to ``limit`` people marked stale, oldest marks first; returns how many.

    Each chunk is one transaction: the marks are read and locked (``SKIP LOCKED``: two workers
    never take the same people, and a mark being written is left for later), the people
    refreshed, and only the marks read, made no later than when they were read, deleted. A new
    mark for someone of the chunk waits for the commit and then makes a new row, so it is not
    lost."""
    done = 0
    while done < limit:
        size = min(STALE_CHUNK, limit - done)
        with transaction.atomic():
            moment = timezone.now()
            ids = list(
                StalePerson.objects.select_for_update(skip_locked=True)
                .filter(marked_at__lte=moment)
                .order_by("user_id")
                .values_list("user_id", flat=True)[:size]
            )
            if not ids:
                break
            facts_refresh(user_ids=ids)
            StalePerson.objects.filter(user_id__in=ids, marked_at__lte=moment).delete()
        done += len(ids)
        if len(ids) < size:
            break
    return done


def _facts_write(profiles: Sequence[PractitionerProfile], *, within: Q) -> int:
    """Replace every fact of the people ``within`` selects by those of ``profiles`` (the
    practitioners among them)."""
    user_ids = [p.user_id for p in profiles]
    courses = course_histories(user_ids=user_ids) if user_ids else []
    tracks = track_standings(user_ids=user_ids) if user_ids else []
    course_facts, certification_facts, person_facts = _facts_from(profiles, courses, tracks)
    with transaction.atomic():
        for model in (CourseFact, CertificationFact, PersonFact):
            model.objects.filter(within).delete()
        # An upsert, not an insert: a refresh of the same people committed meanwhile (the
        # nightly rebuild and an event's refresh) is overwritten rather than a failure.
        _upsert(CourseFact, course_facts, unique=["user_id", "course_id"], update=_COURSE_FIELDS)
        _upsert(
            CertificationFact,
            certification_facts,
            unique=["user_id", "track_id"],
            update=_CERTIFICATION_FIELDS,
        )
        _upsert(PersonFact, person_facts, unique=["user_id"], update=_PERSON_FIELDS)
    return len(profiles)


def _upsert(model: type[Model], rows: list[Any], *, unique: list[str], update: list[str]) -> None:
    """Insert ``rows``, updating ``update`` where a row with the same ``unique`` columns exists.

    On PostgreSQL the rows are streamed with ``COPY`` into a temporary table and upserted from it
    in one statement: building a multi-row ``INSERT`` (what ``bulk_create`` does) cost most of a
    national rebuild. Elsewhere, ``bulk_create`` with ``update_conflicts``."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=[name.removesuffix("_id") for name in unique],
            update_fields=update,
            batch_size=1000,
        )
        return
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, AutoField)]
    table = sql.Identifier(model._meta.db_table)
    temporary = sql.Identifier(f"{model._meta.db_table}_load")
    listed = sql.SQL(", ").join(sql.Identifier(str(f.column)) for f in fields)
    conflict = sql.SQL(", ").join(sql.Identifier(column) for column in unique)
    by_name = {f.name: f for f in fields}
    updates = sql.SQL(", ").join(
        [
            sql.SQL("{column} = EXCLUDED.{column}").format(
                column=sql.Identifier(str(by_name[name].column))
            )
            for name in update
        ]
    )
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg's own: COPY and composed SQL
        cursor.execute(
            sql.SQL(
                "CREATE TEMPORARY TABLE IF NOT EXISTS {temporary} ON COMMIT DROP AS "
                "SELECT {listed} FROM {table} WITH NO DATA"
            ).format(temporary=temporary, listed=listed, table=table)
        )
        copying = sql.SQL("COPY {temporary} ({listed}) FROM STDIN").format(
            temporary=temporary, listed=listed
        )
        with cursor.copy(copying) as copy:
            for row in rows:
                copy.write_row([_value(row, f) for f in fields])
        cursor.execute(
            sql.SQL(
                "INSERT INTO {table} ({listed}) SELECT {listed} FROM {temporary} "
                "ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
            ).format(
                table=table, listed=listed, temporary=temporary, conflict=conflict, updates=updates
            )
        )
        cursor.execute(sql.SQL("DROP TABLE {temporary}").format(temporary=temporary))


def _value(row: Model, field: Field[Any, Any]) -> Any:
    """A field's value as ``COPY`` takes it (``auto_now`` fields are set here, as a save would)."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return timezone.now()
    return getattr(row, field.attname)


def _facts_from(
    profiles: Sequence[PractitionerProfile],
    courses: Iterable[CourseHistory],
    tracks: Iterable[TrackStanding],
) -> tuple[list[CourseFact], list[CertificationFact], list[PersonFact]]:
    """The three tables' rows for ``profiles``, from their course histories and track standings
    (no queries)."""
    by_user = {p.user_id: p for p in profiles}
    person_courses: dict[int, list[CourseHistory]] = defaultdict(list)
    course_facts = []
    for history in courses:
        profile = by_user.get(history.user_id)
        if profile is None:
            continue
        person_courses[history.user_id].append(history)
        course_facts.append(
            CourseFact(
                user_id=history.user_id,
                course_id=history.course_id,
                region=profile.region,
                specialty=profile.specialty,
                organisation=profile.organisation,
                enrolled=history.enrolled,
                enrolled_at=history.enrolled_at,
                started_at=history.started_at,
                completed_at=history.completed_at,
                due_on=history.due_on,
            )
        )
    person_tracks: dict[int, list[TrackStanding]] = defaultdict(list)
    certification_facts = []
    for standing in tracks:
        profile = by_user.get(standing.user_id)
        if profile is None:
            continue
        person_tracks[standing.user_id].append(standing)
        certification_facts.append(
            CertificationFact(
                user_id=standing.user_id,
                track_id=standing.track_id,
                region=profile.region,
                specialty=profile.specialty,
                organisation=profile.organisation,
                first_issued_on=standing.first_issued_on,
                latest_issued_on=standing.latest_issued_on,
                valid_until=standing.valid_until,
                revoked=standing.revoked,
            )
        )
    person_facts = []
    for profile in profiles:
        mine = person_courses.get(profile.user_id, [])
        held = person_tracks.get(profile.user_id, [])
        person_facts.append(
            PersonFact(
                user_id=profile.user_id,
                region=profile.region,
                specialty=profile.specialty,
                organisation=profile.organisation,
                enrolled=any(c.enrolled for c in mine),
                in_progress=any(
                    c.enrolled and c.started_at is not None and c.completed_at is None for c in mine
                ),
                completed=any(c.completed_at is not None for c in mine),
                due_on=_earliest(c.due_on for c in mine if c.completed_at is None),
                valid_until=_latest(t.valid_until for t in held),
                revoked=any(t.revoked for t in held),
            )
        )
    return course_facts, certification_facts, person_facts


def _earliest(dates: Iterable[date | None]) -> date | None:
    return min((d for d in dates if d is not None), default=None)


def _latest(dates: Iterable[date | None]) -> date | None:
    return max((d for d in dates if d is not None), default=None)
