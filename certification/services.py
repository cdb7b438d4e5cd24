"""Writes for certification: issuing and renewing certificates exactly once, revoking them, and
assigning a refresher course to holders.

``certificate_issue`` may run any number of times, from any number of workers at once: the
certificate of a cycle is unique per learner and track (``certification_one_per_cycle``), and the
loser of a race returns the winner's certificate. What renewal asks is read by
``selectors.renewal_progress``; codes are made by ``codes``, dates by ``dates``, and who may revoke
or assign is decided by ``permissions``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.api import people_changed
from courses.api import CoursePage
from learners.api import (
    Cohort,
    cohort_add_members,
    cohort_add_trainer,
    cohort_assign_course,
    cohort_for_name,
    cohort_has_course,
    courses_completion,
    lesson_completed_since,
    specialty_of,
)

from .codes import new_code
from .dates import add_months
from .models import (
    Certificate,
    CertificateStatus,
    CertificationTrack,
    RefresherRequest,
    RefresherRequestStatus,
    RenewalRule,
)
from .permissions import can_assign_refresher, can_revoke
from .selectors import active_tracks, learners_to_check, renewal_progress, track_courses

__all__ = [
    "REVOKE_ACTION",
    "RefresherAssignment",
    "RefresherRefused",
    "RevocationRefused",
    "SweepReport",
    "certificate_issue",
    "certificate_revoke",
    "certificates_issue_due",
    "certificates_issue_for_user",
    "refresher_assign",
    "refresher_cohort_name",
    "refresher_request",
    "refresher_request_run",
    "refresher_requests_sweep",
    "renewals_issue",
]


def _versions(courses: list[CoursePage]) -> dict[str, dict[str, str]]:
    return {str(c.pk): {"title": c.title, "version": c.version} for c in courses}


def certificate_issue(
    *, user: User, track: CertificationTrack, today: date | None = None
) -> Certificate | None:
    """Issue the learner's certificate on ``track`` when they meet its requirements: the first
    when every required course is complete, a renewal when the current one's renewal
    requirements are met inside its window (:func:`renewal_progress`).

    Returns the learner's current certificate (new, or the one they hold already), or None when
    they have none yet or their current one is revoked."""
    today = today or timezone.localdate()
    current = Certificate.objects.filter(track=track, user=user).order_by("-sequence").first()
    if current is None:
        return _first_issue(user=user, track=track, today=today)
    if current.status == CertificateStatus.REVOKED:
        return None
    if not track.active:
        return current
    current.track = track
    if not renewal_progress(certificate=current, today=today).met:
        return current
    courses = track_courses(track=track, specialty=specialty_of(user=user))
    if track.renewal_rule == RenewalRule.REFRESHER and track.refresher_course:
        courses.append(track.refresher_course)
    # Renewed early, the new certificate runs on from the old one's expiry; renewed after a
    # lapse, from today.
    starts = max(today, current.expires_on)
    return _create(
        user=user,
        track=track,
        sequence=current.sequence + 1,
        previous=current,
        issued_on=today,
        expires_on=add_months(starts, track.validity_months),
        course_versions=_versions(courses),
    )


def _first_issue(*, user: User, track: CertificationTrack, today: date) -> Certificate | None:
    if not track.active:
        return None
    courses = track_courses(track=track, specialty=specialty_of(user=user))
    if not courses:
        return None
    completions = courses_completion(user=user, courses=courses)
    if not all(completions[c.pk].complete for c in courses):
        return None
    return _create(
        user=user,
        track=track,
        sequence=1,
        previous=None,
        issued_on=today,
        expires_on=add_months(today, track.validity_months),
        course_versions=_versions(courses),
    )


def _create(
    *,
    user: User,
    track: CertificationTrack,
    sequence: int,
    previous: Certificate | None,
    issued_on: date,
    expires_on: date,
    course_versions: dict[str, dict[str, str]],
) -> Certificate:
    try:
        with transaction.atomic():
            return Certificate.objects.create(
                track=track,
                user=user,
                sequence=sequence,
                previous=previous,
                code=new_code(),
                holder_name=user.get_full_name() or user.get_username(),
                issued_on=issued_on,
                expires_on=expires_on,
                status=CertificateStatus.VALID,
                course_versions=course_versions,
            )
    except IntegrityError:
        # Another worker issued it first (the task ran twice, or two completions at once).
        return Certificate.objects.get(track=track, user=user, sequence=sequence)


# --- the sweep -----------------------------------------------------------------------------------


def certificates_issue_for_user(
    *, user: User, tracks: Iterable[CertificationTrack] | None = None
) -> list[Certificate]:
    """Issue every certificate ``user`` has become due for on ``tracks`` (the active ones by
    default); returns those they hold afterwards (new or not). Safe to run any number of times."""
    held = []
    for track in active_tracks() if tracks is None else tracks:
        certificate = certificate_issue(user=user, track=track)
        if certificate is not None:
            held.append(certificate)
    return held


@dataclass
class SweepReport:
    """What a sweep did: how many learners it checked and the certificates it issued."""

    checked: int = 0
    issued: list[int] = field(default_factory=list)


def certificates_issue_due(
    *,
    since: datetime | None,
    batch_size: int = 500,
    on_batch: Callable[[SweepReport], None] | None = None,
) -> SweepReport:
    """Issue every certificate that is due and missing, exactly once, to the learners active
    since ``since`` (everyone, with None): what the issuing task does, for the learners whose task
    was lost or never queued. ``on_batch`` is called after each batch (progress).

    The queries are a fixed number per batch plus a bounded number per learner and track
    (``certificate_issue``), whatever the data holds."""
    report = SweepReport()
    tracks = list(active_tracks())
    for ids in learners_to_check(since=since, batch_size=batch_size):
        held_before = set(Certificate.objects.filter(user_id__in=ids).values_list("pk", flat=True))
        for user in get_user_model().objects.filter(pk__in=ids).order_by("pk"):
            for certificate in certificates_issue_for_user(user=user, tracks=tracks):
                if certificate.pk not in held_before:
                    report.issued.append(certificate.pk)
        report.checked += len(ids)
        if on_batch is not None:
            on_batch(report)
    return report


# --- renewal -------------------------------------------------------------------------------------


def renewals_issue(*, today: date | None = None) -> int:
    """Renew the certificates whose holders finished the refresher course before the renewal
    window opened (nightly; a refresher finished inside the window renews at once through the
    usual task). Returns how many were renewed."""
    today = today or timezone.localdate()
    renewed = 0
    tracks = CertificationTrack.objects.filter(
        active=True, renewal_rule=RenewalRule.REFRESHER, refresher_course__isnull=False
    )
    for track in tracks:
        refreshed = lesson_completed_since(
            user=OuterRef("user_id"),
            course_id=track.refresher_course_id,
            since=OuterRef("created_at"),
        )
        due = (
            Certificate.objects.filter(
                track=track,
                renewal__isnull=True,
                status__in=(CertificateStatus.VALID, CertificateStatus.EXPIRED),
                expires_on__lte=today + timedelta(days=track.renewal_window_days),
            )
            .filter(refreshed)
            .select_related("user")
        )
        for certificate in due:
            current = certificate_issue(user=certificate.user, track=track, today=today)
            if current is not None and current.pk != certificate.pk:
                renewed += 1
    return renewed


# --- revocation ----------------------------------------------------------------------------------


class RevocationRefused(Exception):
    """The revocation cannot be made; the message says why."""


#: The CMS log action of a revocation (its label is registered in ``wagtail_hooks``).
REVOKE_ACTION = "certification.revoke"


def certificate_revoke(*, certificate: Certificate, by: User, reason: str) -> Certificate:
    """Revoke ``certificate``, recording who, when and why on the certificate for good, and in
    the CMS's log (``REVOKE_ACTION``) in the same transaction, whatever the route taken."""
    from wagtail.log_actions import log

    if not can_revoke(by):
        raise RevocationRefused("only a ministry administrator can revoke a certificate")
    reason = reason.strip()
    if not reason:
        raise RevocationRefused("give the reason for revoking the certificate")
    with transaction.atomic():
        updated = (
            Certificate.objects.filter(pk=certificate.pk)
            .exclude(status=CertificateStatus.REVOKED)
            .update(
                status=CertificateStatus.REVOKED,
                revoked_at=timezone.now(),
                revoked_by=by,
                revoked_reason=reason,
            )
        )
        if not updated:
            raise RevocationRefused("the certificate is already revoked")
        certificate.refresh_from_db()
        log(instance=certificate, action=REVOKE_ACTION, user=by, data={"reason": reason})
        # The update above sends no ``post_save``: whatever keeps per-person data hears of it.
        people_changed.send(sender=Certificate, user_ids=[certificate.user_id])
    return certificate


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


def refresher_assign(
    *,
    track: CertificationTrack,
    course: CoursePage,
    holders: Iterable[User],
    by: User,
    due_date: date | None = None,
    today: date | None = None,
) -> RefresherAssignment:
    """Assign ``course`` to ``holders`` of ``track`` through the cohort
    "Refresher: <course> (<track>)", made if needed, with ``by`` as one of its trainers.

    Set-based (``learners.api.cohort_add_members``): a fixed number of queries however many
    holders; the report queues it as a task (:func:`refresher_request`). Idempotent: the cohort
    is found by name and memberships and enrolments are unique, so doing
    it again adds nobody twice and makes no second cohort (a holder who left the course is
    enrolled again). A due date replaces the cohort's due date for the course; none keeps it.
    Raises :class:`RefresherRefused`, having changed nothing, when ``by`` may not assign, the
    course is not live, the due date is past or there is nobody to assign.
    """
    _refresher_check(by=by, course=course, due_date=due_date, today=today)
    user_ids = sorted({user.pk for user in holders})
    if not user_ids:
        raise RefresherRefused("holders", _("Choose at least one holder."))
    return _refresher_assign_ids(
        track=track, course=course, user_ids=user_ids, by=by, due_date=due_date
    )


def _refresher_check(
    *, by: User, course: CoursePage, due_date: date | None, today: date | None
) -> None:
    if not can_assign_refresher(by):
        raise RefresherRefused("permission", _("You may not assign refresher courses."))
    if not course.live:
        raise RefresherRefused(
            "course", _("“%(title)s” is not published.") % {"title": course.title}
        )
    if due_date is not None and due_date < (today or timezone.localdate()):
        raise RefresherRefused("due_date", _("The due date is in the past."))


def _refresher_assign_ids(
    *,
    track: CertificationTrack,
    course: CoursePage,
    user_ids: list[int],
    by: User,
    due_date: date | None,
) -> RefresherAssignment:
    """The assignment itself, set-based: a fixed number of queries however many holders."""
    with transaction.atomic():
        cohort, created = cohort_for_name(name=refresher_cohort_name(course=course, track=track))
        cohort_add_trainer(cohort=cohort, trainer=by)
        if due_date is not None or not cohort_has_course(cohort=cohort, course=course):
            cohort_assign_course(cohort=cohort, course=course, due_date=due_date)
        added = cohort_add_members(cohort=cohort, user_ids=user_ids)
    return RefresherAssignment(
        cohort=cohort,
        course=course,
        holders=len(user_ids),
        added=len(added),
        cohort_created=created,
    )


# --- assigning a refresher in the background ----------------------------------------------------

#: A request still waiting this long after it was made has lost its task; the sweep queues it again.
REFRESHER_QUEUED_GRACE = timedelta(minutes=2)
#: A request "in progress" this long has lost its worker; the sweep runs it again.
REFRESHER_STALE_AFTER = timedelta(minutes=10)
#: After this many tries the sweep gives up and marks the request failed.
REFRESHER_MAX_ATTEMPTS = 5


def refresher_request(
    *,
    track: CertificationTrack,
    course: CoursePage,
    user_ids: Iterable[int],
    by: User,
    due_date: date | None = None,
    today: date | None = None,
) -> RefresherRequest:
    """Record a request to assign ``course`` to the holders ``user_ids`` of ``track`` (as
    :func:`refresher_assign` does), for the caller to queue ``tasks.assign_refresher`` with
    its id (``core.api.enqueue_on_commit``); returns at once, whatever the number of holders.

    The row is the work: if the task is lost, :func:`refresher_requests_sweep` queues it again;
    running it twice assigns nobody twice. Raises :class:`RefresherRefused`, having recorded
    nothing, for the refusals :func:`refresher_assign` makes."""
    _refresher_check(by=by, course=course, due_date=due_date, today=today)
    ids = sorted(set(user_ids))
    if not ids:
        raise RefresherRefused("holders", _("Choose at least one holder."))
    request = RefresherRequest.objects.create(
        track=track, course=course, requested_by=by, due_date=due_date, user_ids=ids
    )
    return request


def refresher_request_run(
    *, request_id: int, now: datetime | None = None
) -> RefresherRequest | None:
    """Do the request ``request_id``: claim it (waiting → in progress, or in progress but stale,
    in one ``UPDATE``, so a task delivered twice runs it once), assign, and record the outcome.
    Returns the request, or None when there was nothing to claim (done, failed, or running
    elsewhere).

    A refusal (the course unpublished since, the requester's permission withdrawn) marks it
    failed with the reason; any other error leaves it in progress for the sweep to retry."""
    now = now or timezone.now()
    claimable = Q(status=RefresherRequestStatus.QUEUED) | Q(
        status=RefresherRequestStatus.RUNNING, started_at__lt=now - REFRESHER_STALE_AFTER
    )
    claimed = (
        RefresherRequest.objects.filter(claimable, pk=request_id)
        .filter(attempts__lt=REFRESHER_MAX_ATTEMPTS)
        .update(status=RefresherRequestStatus.RUNNING, started_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    request = RefresherRequest.objects.select_related("track", "course", "requested_by").get(
        pk=request_id
    )
    course = request.course  # the course page, live or not
    try:
        _refresher_check(by=request.requested_by, course=course, due_date=None, today=None)
        result = _refresher_assign_ids(
            track=request.track,
            course=course,
            user_ids=list(request.user_ids),
            by=request.requested_by,
            due_date=request.due_date,
        )
    except RefresherRefused as refused:
        request.status = RefresherRequestStatus.FAILED
        request.error = str(refused.message)
        request.finished_at = timezone.now()
        request.save(update_fields=["status", "error", "finished_at"])
        return request
    request.status = RefresherRequestStatus.DONE
    request.cohort = result.cohort
    request.added = result.added
    request.finished_at = timezone.now()
    request.save(update_fields=["status", "cohort", "added", "finished_at"])
    return request


def refresher_requests_sweep(*, now: datetime | None = None) -> list[int]:
    """Queue again every request whose task was lost: waiting for longer than
    ``REFRESHER_QUEUED_GRACE``, or in progress with no end after ``REFRESHER_STALE_AFTER``;
    mark failed those that have had ``REFRESHER_MAX_ATTEMPTS`` tries. Returns the ids to queue
    again (``tasks.refresher_requests_sweep`` queues them)."""
    now = now or timezone.now()
    stale = Q(
        status=RefresherRequestStatus.QUEUED, created_at__lt=now - REFRESHER_QUEUED_GRACE
    ) | Q(status=RefresherRequestStatus.RUNNING, started_at__lt=now - REFRESHER_STALE_AFTER)
    RefresherRequest.objects.filter(stale, attempts__gte=REFRESHER_MAX_ATTEMPTS).update(
        status=RefresherRequestStatus.FAILED,
        error=str(_("The assignment was tried several times and did not finish.")),
        finished_at=now,
    )
    return list(
        RefresherRequest.objects.filter(stale, attempts__lt=REFRESHER_MAX_ATTEMPTS)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
