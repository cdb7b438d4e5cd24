"""What My learning shows of certification (``panels``): the learner's certificates, each in the
state it is truly in today, and the certifications they are working towards, with what is left.

Every state reads as it is: certified (valid until), renewal open (what is left to renew),
expired (on its date, with renewal), revoked (on its date, and whom to contact: never why). A
track the learner holds no certificate on counts as worked towards once they are enrolled in,
or have done part of, one of its required courses; it shows how many of its courses are done and
which are left.

A fixed number of queries whatever the number of tracks and certificates, except that each
certificate whose renewal window is open adds the few queries of ``renewal_progress`` (a learner
holds a handful at most).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.utils import timezone

from core.api import page_memo, rows_where
from courses.api import CoursePage
from learners.api import CourseCompletion, course_standings, specialty_of

from ..dates import renewal_opens_on
from ..models import Certificate, CertificateStatus, CertificationTrack, TrackRequirement
from .renewal import RenewalProgress, renewal_progress

__all__ = [
    "CertificateCard",
    "CertificateState",
    "CertificationOverview",
    "Contact",
    "TrackCourse",
    "TrackProgress",
    "certificate_contact",
    "certificate_ended_on",
    "my_certificates",
    "my_certifications",
]


class CertificateState:
    """How a certificate reads on My learning today."""

    CERTIFIED = "certified"
    RENEWAL = "renewal"  # valid, and its renewal window is open: expiring soon
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Contact:
    """Whom a holder asks about a revoked certificate: ``CERTIFICATE_CONTACT_EMAIL`` when the
    site sets one, else the track's issuing body (with no address)."""

    name: str
    email: str = ""

    def __str__(self) -> str:
        return self.email or self.name


def certificate_contact(certificate: Certificate) -> Contact:
    """Whom the holder of ``certificate`` asks about it (settings, then the issuing body)."""
    email = str(getattr(settings, "CERTIFICATE_CONTACT_EMAIL", "") or "").strip()
    return Contact(name=certificate.track.localized_issuing_body, email=email)


def certificate_ended_on(certificate: Certificate, *, status: str | None = None) -> date | None:
    """The day ``certificate`` stopped being valid: revoked (the site's local date of the
    revocation) or expired (its expiry date, its last valid day); None while it is valid."""
    status = status or certificate.status_today
    if status == CertificateStatus.REVOKED:
        return timezone.localdate(certificate.revoked_at) if certificate.revoked_at else None
    if status == CertificateStatus.EXPIRED:
        return certificate.expires_on
    return None


@dataclass
class CertificateCard:
    """A learner's current certificate on one track, with its renewal and the earlier ones."""

    certificate: Certificate
    state: str = CertificateState.CERTIFIED
    #: Expired or revoked: the day it ended.
    ended_on: date | None = None
    #: Revoked: whom to contact.
    contact: Contact | None = None
    renewal_opens_on: date | None = None
    #: Set once the renewal window is open: what renewing asks and what is left.
    renewal: RenewalProgress | None = None
    earlier: list[Certificate] = field(default_factory=list)


@dataclass(frozen=True)
class TrackCourse:
    """One course a track requires of the learner, and where they stand in it."""

    course: CoursePage
    completion: CourseCompletion
    enrolled: bool


@dataclass
class TrackProgress:
    """A certification the learner is working towards."""

    track: CertificationTrack
    courses: list[TrackCourse]

    @property
    def total(self) -> int:
        return len(self.courses)

    @property
    def done(self) -> int:
        return sum(1 for c in self.courses if c.completion.complete)

    @property
    def left(self) -> list[TrackCourse]:
        return [c for c in self.courses if not c.completion.complete]

    @property
    def complete(self) -> bool:
        return not self.left


@dataclass(frozen=True)
class CertificationOverview:
    """Everything My learning shows of certification."""

    certificates: list[CertificateCard]
    working_towards: list[TrackProgress]

    def __bool__(self) -> bool:
        return bool(self.certificates or self.working_towards)


def _certificates_of(user: User) -> list[Certificate]:
    """Every certificate of ``user``, by track and newest first, each with its track from the
    page memo: one query, not a queryset (building one cost three times running it, and a join
    to the tracks more again: decision 0018)."""
    certificates = rows_where(Certificate, {"user_id": user.pk}, order_by=("track_id", "-sequence"))
    if certificates:
        tracks = page_memo(None, ("tracks",), _all_tracks)
        for certificate in certificates:
            if certificate.track_id in tracks:  # else read with the certificate (a query)
                certificate.track = tracks[certificate.track_id]
    return certificates


def _cards(certificates: list[Certificate], today: date) -> list[CertificateCard]:
    """The current certificate per track (newest first), each with its earlier ones, from
    :func:`_certificates_of`; ``renewal_progress`` for each whose window is open."""
    cards: dict[int, CertificateCard] = {}
    for certificate in certificates:
        card = cards.get(certificate.track_id)
        if card is None:
            cards[certificate.track_id] = CertificateCard(certificate)
        else:
            card.earlier.append(certificate)
    for card in cards.values():
        certificate = card.certificate
        status = certificate.status_today
        card.ended_on = certificate_ended_on(certificate, status=status)
        if status == CertificateStatus.REVOKED:
            card.state = CertificateState.REVOKED
            card.contact = certificate_contact(certificate)
            continue
        card.renewal_opens_on = renewal_opens_on(certificate)
        is_open = today >= card.renewal_opens_on
        if status == CertificateStatus.EXPIRED:
            card.state = CertificateState.EXPIRED
        elif is_open:
            card.state = CertificateState.RENEWAL
        if is_open and certificate.track.active:
            card.renewal = renewal_progress(certificate=certificate, today=today)
    return sorted(cards.values(), key=lambda c: c.certificate.issued_on, reverse=True)


def _track_requirements(track_ids: tuple[int, ...]) -> dict[int, list[tuple[str, CoursePage]]]:
    """Each track's required courses in order, with the specialty each is required of (""
    for everyone): one query."""
    found: dict[int, list[tuple[str, CoursePage]]] = {}
    for requirement in (
        TrackRequirement.objects.filter(track_id__in=track_ids)
        .select_related("course", "course__locale")
        .order_by("sort_order")
    ):
        found.setdefault(requirement.track_id, []).append(
            (requirement.specialty, requirement.course)
        )
    return found


def _working_towards(user: User, tracks: list[CertificationTrack]) -> list[TrackProgress]:
    """Those of ``tracks`` (active, none held by ``user``) that ``user`` has started a required
    course of, with where they stand in each course.

    Queries: the tracks' requirements with their courses, the learner's specialty, then
    ``learners.api.course_standings`` once for every course of every track."""
    if not tracks:
        return []
    # The same for every learner: kept until a publish or a change to a track moves the page
    # cache's generation on.
    track_ids = tuple(sorted(t.pk for t in tracks))
    requirements = page_memo(
        None, ("track-requirements", track_ids), lambda: _track_requirements(track_ids)
    )
    # The learner's specialty only matters when a requirement names one (a query saved else).
    named = any(spec for track in tracks for spec, _course in requirements.get(track.pk, ()))
    specialty = specialty_of(user=user) if named else ""
    required: dict[int, list[CoursePage]] = {}
    courses: dict[int, CoursePage] = {}
    for track in tracks:
        mine = [
            course
            for course_specialty, course in requirements.get(track.pk, ())
            if course_specialty in ("", specialty) and course.live
        ]
        required[track.pk] = mine
        courses.update((c.pk, c) for c in mine)
    if not courses:
        return []
    standings = course_standings(user_ids=[user.pk], courses=list(courses.values()))
    working = []
    for track in tracks:
        entries = [
            TrackCourse(
                course=course,
                completion=standings[(user.pk, course.pk)].completion,
                enrolled=standings[(user.pk, course.pk)].enrolled,
            )
            for course in required[track.pk]
        ]
        started = any(e.enrolled or e.completion.done for e in entries)
        if entries and started:
            working.append(TrackProgress(track=track, courses=entries))
    return working


def my_certifications(
    *, user: User | AnonymousUser, today: date | None = None
) -> CertificationOverview:
    """The signed-in learner's certificates and the certifications they are working towards.

    One query reads the learner's certificates; the active tracks come from the page memo (a
    change to a track moves its generation on). A learner who holds none and has no track to
    work towards costs nothing more.
    """
    if not user.is_authenticated:
        return CertificationOverview([], [])
    today = today or timezone.localdate()
    certificates = _certificates_of(user)
    held = {c.track_id for c in certificates}
    active = [t for t in page_memo(None, ("tracks",), _all_tracks).values() if t.active]
    working = _working_towards(user, [t for t in active if t.pk not in held])
    return CertificationOverview(_cards(certificates, today), working)


def _all_tracks() -> dict[int, CertificationTrack]:
    """Every track by id, in the order of their names: kept in the page memo (a change to a
    track moves its generation on); shared between requests, so read, never changed."""
    return {t.pk: t for t in CertificationTrack.objects.order_by("name")}


def my_certificates(*, user: User | AnonymousUser) -> list[CertificateCard]:
    """The signed-in learner's certificates: the current one per track, newest first."""
    if not user.is_authenticated:
        return []
    return _cards(_certificates_of(user), timezone.localdate())
