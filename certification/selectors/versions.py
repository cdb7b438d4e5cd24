"""Reads for the report of certificates earned on an older MAJOR version of a required course.

A course's version is ``MAJOR.MINOR``; trainers raise MAJOR "when practice changes enough that
certificates earned on the old version should be refreshed" (the course's help text). A
certificate records the version of each course it was earned on (``course_versions``), so
comparing those with the courses' live versions finds the holders to refresh.

:func:`holders_on_older_versions` gives one row per current certificate and required course whose
MAJOR version is older than the live course's, or which the certificate does not record at all
(the course was added to the track after issue), with the holder's standing in the track's
refresher course. Which certificates have rows is decided in SQL
(:func:`certificates_on_older_versions`, so the report counts and pages in the database); the rows
of a page are then built from those certificates (:func:`older_version_rows`), in a fixed number
of queries whatever the number of holders. Assigning the refresher is
``services.refresher_request``; who may see and assign, ``permissions``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.db import models
from django.db.models import (
    CharField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.api import Specialty
from courses.api import CoursePage, live_courses
from learners.api import course_standings, region_name

from ..models import Certificate, CertificateStatus, CertificationTrack, TrackRequirement

__all__ = [
    "OlderVersionRow",
    "RefresherState",
    "RefresherStatus",
    "certificates_on_older_versions",
    "holder_ids_on_older_versions",
    "holders_of",
    "holders_on_older_versions",
    "major_of",
    "older_version_rows",
    "report_courses",
]


def major_of(version: str) -> int | None:
    """The MAJOR part of a ``MAJOR.MINOR`` label, or None when it is not one."""
    head = version.split(".", 1)[0].strip()
    return int(head) if head.isdigit() else None


class RefresherStatus(models.TextChoices):
    """Where a holder stands with the track's refresher course."""

    NO_COURSE = "no_course", _("no refresher course on the track")
    NOT_ASSIGNED = "not_assigned", _("not assigned")
    ENROLLED = "enrolled", _("enrolled")
    COMPLETED = "completed", _("completed")


@dataclass(frozen=True)
class RefresherState:
    """The holder's standing in the track's refresher course (None: the track has no live one).

    *Completed* follows the renewal rule (``selectors.renewal``): the course complete,
    its last lesson finished after the certificate was issued, so it counts toward renewal.
    """

    course: CoursePage | None
    status: RefresherStatus
    percent: int = 0

    @property
    def label(self) -> str | Promise:
        if self.status == RefresherStatus.ENROLLED:
            return _("enrolled, %(percent)s%% done") % {"percent": self.percent}
        return RefresherStatus(self.status).label


@dataclass
class OlderVersionRow:
    """One current certificate and one required course it was earned on an older version of."""

    certificate: Certificate
    track: CertificationTrack
    course: CoursePage
    #: The version the certificate records, or None when it does not record the course.
    trained_on: str | None
    current_version: str
    region: str
    specialty: str
    refresher: RefresherState
    #: The first row of its certificate (a holder's rows are consecutive): where the report puts
    #: the holder's checkbox.
    first_of_certificate: bool = True

    @property
    def holder_name(self) -> str:
        return self.certificate.holder_name

    @property
    def region_name(self) -> str:
        return region_name(self.region) if self.region else ""

    @property
    def specialty_label(self) -> str:
        return str(Specialty(self.specialty).label) if self.specialty in Specialty.values else ""

    @property
    def trained_on_label(self) -> str | Promise:
        return self.trained_on if self.trained_on is not None else _("not in the certificate")

    @property
    def refresher_course_title(self) -> str:
        return self.refresher.course.title if self.refresher.course else ""


def report_courses() -> Any:
    """The live courses some track requires: the report's course filter."""
    return (
        live_courses().filter(pk__in=TrackRequirement.objects.values("course_id")).order_by("title")
    )


def _is_older(entry: Any, current_major: int) -> bool:
    """Whether a ``course_versions`` entry records an older MAJOR version (or none readable)."""
    version = entry.get("version") if isinstance(entry, dict) else None
    major = major_of(version) if isinstance(version, str) else None
    return major is None or major < current_major


class _TrainedVersion(Func):
    """The version a certificate's ``course_versions`` records for a course whose id is an
    expression (``course_versions[str(course_id)]["version"]`` as text; NULL when absent).

    Django's key transforms take a fixed key; this one is per row, so it is written per database.
    """

    output_field = CharField()

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, list[Any]]:
        versions, versions_params = compiler.compile(self.source_expressions[0])
        course, course_params = compiler.compile(self.source_expressions[1])
        if connection.vendor == "postgresql":
            sql = f"(({versions})::jsonb -> CAST({course} AS text)) ->> 'version'"
        else:
            sql = f"json_extract({versions}, '$.\"' || CAST({course} AS text) || '\".version')"
        return sql, [*versions_params, *course_params]


class _MajorOf(Func):
    """:func:`major_of` in SQL: the MAJOR part of a ``MAJOR.MINOR`` label as a number, NULL when
    it is not one."""

    output_field = IntegerField()

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, list[Any]]:
        label, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            head = f"btrim(split_part({label}, '.', 1))"
            sql = f"(CASE WHEN {head} ~ '^[0-9]+$' THEN CAST({head} AS numeric) END)"
            return sql, [*params, *params, *params]
        head = (
            f"trim(CASE WHEN instr({label}, '.') > 0 "
            f"THEN substr({label}, 1, instr({label}, '.') - 1) ELSE {label} END)"
        )
        sql = (
            f"(CASE WHEN {head} <> '' AND {head} NOT GLOB '*[^0-9]*' "
            f"THEN CAST({head} AS INTEGER) END)"
        )
        return sql, params * 9


def _requirements(
    *, track: CertificationTrack | None, course: CoursePage | None
) -> QuerySet[TrackRequirement]:
    requirements = TrackRequirement.objects.filter(course__live=True)
    if track is not None:
        requirements = requirements.filter(track=track)
    if course is not None:
        requirements = requirements.filter(course=course)
    return requirements


def certificates_on_older_versions(
    *,
    track: CertificationTrack | None = None,
    course: CoursePage | None = None,
    region: str = "",
    specialty: str = "",
    today: date | None = None,
) -> QuerySet[Certificate]:
    """The current certificates with at least one row in the report (see
    :func:`holders_on_older_versions` for what a row is), in the report's order (track, holder,
    certificate), with their tracks and holders' profiles: one query, decided in SQL, so the
    report can count and paginate it however many holders there are."""
    today = today or timezone.localdate()
    older = _requirements(track=track, course=course).filter(
        Q(specialty="") | Q(specialty=Coalesce(OuterRef("user__profile__specialty"), Value(""))),
        track_id=OuterRef("track_id"),
    )
    older = older.annotate(
        trained=_MajorOf(_TrainedVersion(OuterRef("course_versions"), F("course_id"))),
        current=_MajorOf(F("course__version")),
    ).filter(Q(trained__isnull=True) | Q(trained__lt=F("current")))
    certificates = Certificate.objects.filter(
        Exists(older),
        status=CertificateStatus.VALID,
        expires_on__gte=today,
        renewal__isnull=True,
    )
    if region:
        certificates = certificates.filter(user__profile__region=region)
    if specialty:
        certificates = certificates.filter(user__profile__specialty=specialty)
    return certificates.select_related(
        "track", "track__refresher_course", "user__profile"
    ).order_by(Lower("track__name"), Lower("holder_name"), "pk")


def older_version_rows(
    *,
    certificates: Iterable[Certificate],
    course: CoursePage | None = None,
) -> list[OlderVersionRow]:
    """The report's rows for ``certificates`` (a page of :func:`certificates_on_older_versions`,
    in its order), with each holder's refresher state: a fixed number of queries (the
    requirements, then the refresher standings), whatever the number of certificates."""
    certificates = list(certificates)
    if not certificates:
        return []
    requirements = _requirements(track=None, course=course).filter(
        track_id__in={c.track_id for c in certificates}
    )
    by_track: dict[int, list[TrackRequirement]] = defaultdict(list)
    for requirement in requirements.select_related("course").order_by(
        "track_id", "sort_order", "pk"
    ):
        by_track[requirement.track_id].append(requirement)
    rows: list[OlderVersionRow] = []
    for certificate in certificates:
        profile = getattr(certificate.user, "profile", None)
        holder_specialty = profile.specialty if profile else ""
        first = True
        seen: set[int] = set()
        for requirement in by_track[certificate.track_id]:
            required = requirement.course
            if requirement.specialty not in ("", holder_specialty) or required.pk in seen:
                continue
            seen.add(required.pk)
            entry = certificate.course_versions.get(str(required.pk))
            if entry is not None and not _is_older(entry, required.major_version):
                continue
            trained_on = entry.get("version") if isinstance(entry, dict) else None
            rows.append(
                OlderVersionRow(
                    certificate=certificate,
                    track=certificate.track,
                    course=required,
                    trained_on=str(trained_on) if entry is not None else None,
                    current_version=required.version,
                    region=profile.region if profile else "",
                    specialty=holder_specialty,
                    refresher=RefresherState(None, RefresherStatus.NO_COURSE),
                    first_of_certificate=first,
                )
            )
            first = False
    _add_refresher_states(rows)
    return rows


def holders_on_older_versions(
    *,
    track: CertificationTrack | None = None,
    course: CoursePage | None = None,
    region: str = "",
    specialty: str = "",
    today: date | None = None,
) -> list[OlderVersionRow]:
    """Rows for every current certificate earned on an older MAJOR version of a course its track
    requires of the holder (by their specialty now), optionally for one track, course, region or
    specialty.

    A current certificate is valid, not past its expiry date (the nightly task may not have marked
    it yet) and not renewed: a renewal records the courses at their versions when it was issued,
    so a holder who renewed after the new version drops off. A required course the certificate
    does not record is listed with ``trained_on`` None. Entries for courses the track does not
    require (a refresher recorded on a renewal) are ignored.

    Every row at once, for the downloads and the tests; the report pages through
    :func:`certificates_on_older_versions` and builds rows a page at a time
    (:func:`older_version_rows`).
    """
    certificates = certificates_on_older_versions(
        track=track, course=course, region=region, specialty=specialty, today=today
    )
    return older_version_rows(certificates=certificates, course=course)


def holder_ids_on_older_versions(
    *,
    track: CertificationTrack,
    certificate_ids: Iterable[int] | None = None,
    region: str = "",
    specialty: str = "",
    today: date | None = None,
) -> list[int]:
    """The ids of the holders the report shows for ``track`` (and the filters), each once:
    all of them, or those holding ``certificate_ids`` (an id the report does not show chooses
    nobody). One query, however many."""
    certificates = certificates_on_older_versions(
        track=track, region=region, specialty=specialty, today=today
    )
    if certificate_ids is not None:
        certificates = certificates.filter(pk__in=list(certificate_ids))
    return sorted(set(certificates.order_by().values_list("user_id", flat=True)))


def _add_refresher_states(rows: list[OlderVersionRow]) -> None:
    """Fill in each row's refresher state, for all holders at once."""
    courses = {
        r.track.refresher_course.pk: r.track.refresher_course
        for r in rows
        if r.track.refresher_course is not None and r.track.refresher_course.live
    }
    if not courses:
        return
    standings = course_standings(
        user_ids={r.certificate.user_id for r in rows}, courses=list(courses.values())
    )
    for row in rows:
        refresher = row.track.refresher_course
        if refresher is None or refresher.pk not in courses:
            continue
        standing = standings[(row.certificate.user_id, refresher.pk)]
        finished = standing.last_activity
        if standing.completion.complete and finished and finished >= row.certificate.created_at:
            row.refresher = RefresherState(refresher, RefresherStatus.COMPLETED, 100)
        elif standing.enrolled:
            row.refresher = RefresherState(
                refresher, RefresherStatus.ENROLLED, standing.completion.percent
            )
        else:
            row.refresher = RefresherState(refresher, RefresherStatus.NOT_ASSIGNED)


def holders_of(rows: Sequence[OlderVersionRow], certificate_ids: Iterable[int]) -> list[User]:
    """The users holding the certificates ``certificate_ids`` among ``rows`` (each once): the
    rows guard the choice, so an id from outside the report assigns nobody."""
    wanted = set(certificate_ids)
    users: dict[int, User] = {}
    for row in rows:
        if row.certificate.pk in wanted:
            users.setdefault(row.certificate.user_id, row.certificate.user)
    return list(users.values())
