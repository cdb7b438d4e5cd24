"""Certificates earned on an older MAJOR version of a required course, and assigning a refresher.

A course's version is ``MAJOR.MINOR``; trainers raise MAJOR "when practice changes enough that
certificates earned on the old version should be refreshed" (the course's help text). A
certificate records the version of each course it was earned on (``course_versions``), so
comparing those with the courses' live versions finds the holders to refresh.

- :func:`holders_on_older_versions` (the selector): one row per current certificate and required
  course whose MAJOR version is older than the live course's, or which the certificate does not
  record at all (the course was added to the track after issue). A fixed number of queries,
  whatever the number of holders.
- :func:`refresher_assign` (the write): puts the chosen holders in one cohort per refresher course
  and track, assigns the course to it (enrolling them) and makes the acting user a trainer of it.

Who may do what is decided here too: :func:`can_view_version_report` and
:func:`can_assign_refresher`. ``services.py`` stays the home of issuing and renewal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.api import Specialty
from courses.api import CoursePage
from learners.api import (
    Cohort,
    CohortCourse,
    CohortMembership,
    Enrollment,
    LessonProgress,
    cohort_add_member,
    cohort_assign_course,
    completion_from,
    course_structures,
    region_name,
    requirements_lookup,
)

from .models import Certificate, CertificateStatus, CertificationTrack, TrackRequirement
from .selectors import VIEW_PERMISSION, can_view_certificates

__all__ = [
    "ASSIGN_PERMISSION",
    "VIEW_PERMISSION",
    "OlderVersionRow",
    "RefresherAssignment",
    "RefresherRefused",
    "RefresherState",
    "RefresherStatus",
    "can_assign_refresher",
    "can_view_version_report",
    "holders_on_older_versions",
    "major_of",
    "refresher_assign",
    "refresher_cohort_name",
    "report_courses",
]

#: Assigning a refresher also needs this: whoever may change a track's requirements and renewal
#: rule may act on what those rules imply. Ministry administrators have both; trainers have this
#: one but cannot see certificates, so only the Ministry (and superusers) may assign.
ASSIGN_PERMISSION = "certification.change_certificationtrack"


def can_view_version_report(user: Any) -> bool:
    """Whether ``user`` may see the report: whoever may see certificates in the CMS
    (``selectors.can_view_certificates``: ``VIEW_PERMISSION``, the Ministry and superusers)."""
    return can_view_certificates(user)


def can_assign_refresher(user: Any) -> bool:
    """Whether ``user`` may assign a refresher course from the report."""
    return can_view_version_report(user) and bool(user.has_perm(ASSIGN_PERMISSION))


def major_of(version: str) -> int | None:
    """The MAJOR part of a ``MAJOR.MINOR`` label, or None when it is not one."""
    head = version.split(".", 1)[0].strip()
    return int(head) if head.isdigit() else None


# --- the report ----------------------------------------------------------------------------------


class RefresherStatus(models.TextChoices):
    """Where a holder stands with the track's refresher course."""

    NO_COURSE = "no_course", _("no refresher course on the track")
    NOT_ASSIGNED = "not_assigned", _("not assigned")
    ENROLLED = "enrolled", _("enrolled")
    COMPLETED = "completed", _("completed")


@dataclass(frozen=True)
class RefresherState:
    """The holder's standing in the track's refresher course (None: the track has no live one).

    *Completed* follows the renewal rule (``services._refresher_progress``): the course complete,
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
        CoursePage.objects.live()
        .filter(pk__in=TrackRequirement.objects.values("course_id"))
        .order_by("title")
    )


def _is_older(entry: Any, current_major: int) -> bool:
    """Whether a ``course_versions`` entry records an older MAJOR version (or none readable)."""
    version = entry.get("version") if isinstance(entry, dict) else None
    major = major_of(version) if isinstance(version, str) else None
    return major is None or major < current_major


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

    Queries: the requirements, the certificates with their holders' profiles, then the refresher
    state (enrolments, progress, the course structures and registered requirements), whatever
    the number of holders.
    """
    today = today or timezone.localdate()
    requirements = TrackRequirement.objects.filter(course__live=True).select_related(
        "track", "track__refresher_course", "course"
    )
    if track is not None:
        requirements = requirements.filter(track=track)
    if course is not None:
        requirements = requirements.filter(course=course)
    by_track: dict[int, list[TrackRequirement]] = defaultdict(list)
    for requirement in requirements.order_by("track_id", "sort_order", "pk"):
        by_track[requirement.track_id].append(requirement)
    if not by_track:
        return []

    certificates = Certificate.objects.filter(
        track_id__in=list(by_track),
        status=CertificateStatus.VALID,
        expires_on__gte=today,
        renewal__isnull=True,
    ).select_related("user__profile")
    if region:
        certificates = certificates.filter(user__profile__region=region)
    if specialty:
        certificates = certificates.filter(user__profile__specialty=specialty)

    rows: list[OlderVersionRow] = []
    for certificate in certificates:
        profile = getattr(certificate.user, "profile", None)
        holder_specialty = profile.specialty if profile else ""
        track_requirements = by_track[certificate.track_id]
        first = True
        seen: set[int] = set()
        for requirement in track_requirements:
            required = requirement.course
            if requirement.specialty not in ("", holder_specialty) or required.pk in seen:
                continue
            seen.add(required.pk)
            entry = certificate.course_versions.get(str(required.pk))
            if entry is not None and not _is_older(entry, required.major_version):
                continue
            trained_on = entry.get("version") if isinstance(entry, dict) else None
            certificate.track = requirement.track  # already loaded with the requirement
            rows.append(
                OlderVersionRow(
                    certificate=certificate,
                    track=requirement.track,
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
    rows.sort(
        key=lambda r: (r.track.name.casefold(), r.holder_name.casefold(), r.certificate.pk)
    )  # stable: a certificate's rows keep the track's course order
    _add_refresher_states(rows)
    return rows


def _add_refresher_states(rows: list[OlderVersionRow]) -> None:
    """Fill in each row's refresher state, for all holders at once."""
    courses = {
        r.track.refresher_course.pk: r.track.refresher_course
        for r in rows
        if r.track.refresher_course is not None and r.track.refresher_course.live
    }
    if not courses:
        return
    course_list = list(courses.values())
    user_ids = sorted({r.certificate.user_id for r in rows})
    enrolled = set(
        Enrollment.objects.filter(
            user_id__in=user_ids, course__in=course_list, left_at=None
        ).values_list("user_id", "course_id")
    )
    done: dict[tuple[int, int], set[int]] = defaultdict(set)
    last: dict[tuple[int, int], datetime] = {}
    for user_id, course_id, lesson_id, completed_at in LessonProgress.objects.filter(
        user_id__in=user_ids, course__in=course_list
    ).values_list("user_id", "course_id", "lesson_id", "completed_at"):
        key = (user_id, course_id)
        done[key].add(lesson_id)
        if key not in last or completed_at > last[key]:
            last[key] = completed_at
    structures = course_structures(course_list)
    requirements = requirements_lookup(users=user_ids, courses=course_list, structures=structures)
    completions: dict[tuple[int, int], Any] = {}
    for row in rows:
        refresher = row.track.refresher_course
        if refresher is None or refresher.pk not in courses:
            continue
        key = (row.certificate.user_id, refresher.pk)
        if key not in completions:
            completions[key] = completion_from(
                user=row.certificate.user_id,
                course=refresher,
                structure=structures[refresher.pk],
                done_ids=done.get(key, set()),
                requirements=requirements,
            )
        completion = completions[key]
        finished = last.get(key)
        if completion.complete and finished and finished >= row.certificate.created_at:
            row.refresher = RefresherState(refresher, RefresherStatus.COMPLETED, 100)
        elif key in enrolled:
            row.refresher = RefresherState(refresher, RefresherStatus.ENROLLED, completion.percent)
        else:
            row.refresher = RefresherState(refresher, RefresherStatus.NOT_ASSIGNED)


# --- assigning a refresher -----------------------------------------------------------------------


class RefresherRefused(Exception):
    """The assignment cannot be made; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str | Promise) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = message


@dataclass(frozen=True)
class RefresherAssignment:
    """What :func:`refresher_assign` did."""

    cohort: Cohort
    course: CoursePage
    holders: int  # the holders it was asked to assign (each once)
    added: int  # of them, those who were not in the cohort yet
    cohort_created: bool


def refresher_cohort_name(*, course: CoursePage, track: CertificationTrack) -> str:
    """The cohort's name: fixed wording, not translated, so every user finds the same cohort."""
    name = f"Refresher: {course.title} ({track.name})"
    return name if len(name) <= 200 else name[:199] + "…"


def _cohort_for(name: str) -> tuple[Cohort, bool]:
    """The cohort called ``name`` (any case), made if there is none. Safe under concurrency."""
    existing = Cohort.objects.filter(name__iexact=name).order_by("pk").first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return Cohort.objects.create(name=name), True
    except IntegrityError:  # another request made it first (learners_cohort_unique_name)
        return Cohort.objects.get(name=name), False


def refresher_assign(
    *,
    track: CertificationTrack,
    course: CoursePage,
    holders: Iterable[Any],
    by: Any,
    due_date: date | None = None,
    today: date | None = None,
) -> RefresherAssignment:
    """Assign ``course`` to ``holders`` of ``track`` through the cohort
    "Refresher: <course> (<track>)", made if needed, with ``by`` as one of its trainers.

    Idempotent: the cohort is found by name and memberships and enrolments are unique, so doing
    it again adds nobody twice and makes no second cohort (a holder who left the course is
    enrolled again). A due date replaces the cohort's due date for the course; none keeps it.
    Raises :class:`RefresherRefused`, having changed nothing, when ``by`` may not assign, the
    course is not live, the due date is past or there is nobody to assign.
    """
    if not can_assign_refresher(by):
        raise RefresherRefused("permission", _("You may not assign refresher courses."))
    if not course.live:
        raise RefresherRefused(
            "course", _("“%(title)s” is not published.") % {"title": course.title}
        )
    if due_date is not None and due_date < (today or timezone.localdate()):
        raise RefresherRefused("due_date", _("The due date is in the past."))
    people = list({user.pk: user for user in holders}.values())
    if not people:
        raise RefresherRefused("holders", _("Choose at least one holder."))
    with transaction.atomic():
        cohort, created = _cohort_for(refresher_cohort_name(course=course, track=track))
        cohort.trainers.add(by)
        members_before = set(
            CohortMembership.objects.filter(
                cohort=cohort, user_id__in=[p.pk for p in people]
            ).values_list("user_id", flat=True)
        )
        assigned = CohortCourse.objects.filter(cohort=cohort, course=course).exists()
        if not assigned or due_date is not None:
            cohort_assign_course(cohort=cohort, course=course, due_date=due_date)
        for person in people:
            cohort_add_member(cohort=cohort, user=person)
    return RefresherAssignment(
        cohort=cohort,
        course=course,
        holders=len(people),
        added=len(people) - len(members_before),
        cohort_created=created,
    )


def holders_of(rows: Sequence[OlderVersionRow], certificate_ids: Iterable[int]) -> list[Any]:
    """The users holding the certificates ``certificate_ids`` among ``rows`` (each once): the
    rows guard the choice, so an id from outside the report assigns nobody."""
    wanted = set(certificate_ids)
    users: dict[int, Any] = {}
    for row in rows:
        if row.certificate.pk in wanted:
            users.setdefault(row.certificate.user_id, row.certificate.user)
    return list(users.values())
