"""Issuing and renewing certificates: who is eligible, and issuing exactly once.

``certificate_issue`` may run any number of times, from any number of workers at once: the
certificate of a cycle is unique per learner and track (``certification_one_per_cycle``), and the
loser of a race returns the winner's certificate.

Renewal (cycle n + 1) opens ``renewal_window_days`` before the current certificate expires and
stays open after it has expired (the lapse shows in the history). What it asks depends on the
track's rule (:func:`renewal_progress`):

- **pass the final assessments again**: every quiz the track's courses require, passed by an
  attempt finished inside the window. Attempts used before the window do not count toward a
  quiz's attempt limit (``quizzes.api.register_attempt_window``), so a holder can always retake.
- **a refresher course**: the refresher complete, finished since the current certificate was
  issued. Progress keeps a learner's first completion of each lesson, so a refresher counts once;
  a refresher finished before the window opens (for example when it was assigned after a new
  course version) renews the certificate on the night the window opens (``renewals_issue``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.api import CoursePage
from learners.api import LessonProgress, Profile, courses_completion
from quizzes.api import quiz_links, quizzes_passed_since, required_quiz_ids

from .models import Certificate, CertificateStatus, CertificationTrack, RenewalRule

__all__ = [
    "CODE_ALPHABET",
    "REVOKE_ACTION",
    "RenewalProgress",
    "RevocationRefused",
    "add_months",
    "can_revoke",
    "certificate_issue",
    "certificate_revoke",
    "code_normalise",
    "new_code",
    "renewal_attempt_window",
    "renewal_opens_on",
    "renewal_progress",
    "renewals_issue",
    "track_courses",
]

#: Crockford's base 32: no I, L, O or U, so a code read aloud or typed is not misread.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_GROUPS = 5  # 5 groups of 4: 100 random bits


def new_code() -> str:
    """A random verification code such as ``7K2M-Q9XD-…`` (100 bits: not guessable)."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(4 * CODE_GROUPS))
    return "-".join(chars[i : i + 4] for i in range(0, len(chars), 4))


def code_normalise(text: str) -> str | None:
    """A code as typed (any case, spaces or hyphens, O for 0, I/L for 1) in stored form, or None
    when it cannot be one."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    cleaned = cleaned.translate(str.maketrans("OIL", "011"))
    if len(cleaned) != 4 * CODE_GROUPS or any(ch not in CODE_ALPHABET for ch in cleaned):
        return None
    return "-".join(cleaned[i : i + 4] for i in range(0, len(cleaned), 4))


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def track_courses(*, track: CertificationTrack, specialty: str) -> list[CoursePage]:
    """The live courses ``track`` requires of a practitioner of ``specialty``."""
    return [
        requirement.course
        for requirement in track.requirements.select_related("course").order_by("sort_order")
        if requirement.specialty in ("", specialty) and requirement.course.live
    ]


def _specialty(user: Any) -> str:
    # No ordering: Profile's default (by the user's name) would join and sort to read one row.
    specialty = Profile.objects.filter(user=user).order_by().values_list("specialty", flat=True)
    return next(iter(specialty[:1]), "")


def _versions(courses: list[CoursePage]) -> dict[str, dict[str, str]]:
    return {str(c.pk): {"title": c.title, "version": c.version} for c in courses}


def certificate_issue(
    *, user: Any, track: CertificationTrack, today: date | None = None
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
    courses = track_courses(track=track, specialty=_specialty(user))
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


def _first_issue(*, user: Any, track: CertificationTrack, today: date) -> Certificate | None:
    if not track.active:
        return None
    courses = track_courses(track=track, specialty=_specialty(user))
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
    user: Any,
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


# --- renewal -------------------------------------------------------------------------------------


def renewal_opens_on(certificate: Certificate) -> date:
    """The first day ``certificate`` can be renewed."""
    return certificate.expires_on - timedelta(days=certificate.track.renewal_window_days)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class RenewalProgress:
    """Where a holder stands with renewing ``certificate``."""

    certificate: Certificate
    opens_on: date
    is_open: bool
    met: bool
    #: What is left, as (title, url); url is empty when there is nothing to open.
    missing: tuple[tuple[str, str], ...] = ()


def renewal_progress(*, certificate: Certificate, today: date | None = None) -> RenewalProgress:
    """Whether the holder of ``certificate`` (their current one) has met the renewal
    requirements of its track, and what is left. Nothing is open before the window opens, or for
    a revoked or already renewed certificate."""
    today = today or timezone.localdate()
    track = certificate.track
    opens_on = renewal_opens_on(certificate)
    closed = RenewalProgress(certificate, opens_on, is_open=False, met=False)
    if (
        today < opens_on
        or certificate.status == CertificateStatus.REVOKED
        or Certificate.objects.filter(previous=certificate).exists()
    ):
        return closed
    if track.renewal_rule == RenewalRule.REFRESHER:
        return _refresher_progress(certificate, opens_on)
    return _repass_progress(certificate, opens_on)


def _refresher_progress(certificate: Certificate, opens_on: date) -> RenewalProgress:
    course = certificate.track.refresher_course
    if course is None or not course.live:
        missing = ((_("the refresher course is not available yet: ask your trainer"), ""),)
        return RenewalProgress(certificate, opens_on, True, False, missing)
    user = certificate.user
    completion = courses_completion(user=user, courses=[course])[course.pk]
    finished = LessonProgress.objects.filter(user=user, course=course).aggregate(
        last=Max("completed_at")
    )["last"]
    if completion.complete and finished and finished >= certificate.created_at:
        return RenewalProgress(certificate, opens_on, True, True)
    missing = ((_("complete the refresher course “%s”") % course.title, course.url or ""),)
    return RenewalProgress(certificate, opens_on, True, False, missing)


def _repass_progress(certificate: Certificate, opens_on: date) -> RenewalProgress:
    user = certificate.user
    courses = track_courses(track=certificate.track, specialty=_specialty(user))
    quiz_ids = required_quiz_ids(courses)
    if not quiz_ids:
        nothing = _("these courses have no final assessment to pass again: ask your trainer")
        return RenewalProgress(certificate, opens_on, True, False, ((nothing, ""),))
    passed = quizzes_passed_since(user=user, quiz_ids=quiz_ids, since=_start_of(opens_on))
    left = quiz_ids - passed
    if not left:
        return RenewalProgress(certificate, opens_on, True, True)
    missing = tuple((_("pass “%s” again") % title, url) for title, url in quiz_links(left))
    return RenewalProgress(certificate, opens_on, True, False, missing)


def renewal_attempt_window(*, user: Any, quiz: Any, now: datetime) -> datetime | None:
    """For ``quizzes.api.register_attempt_window``: when ``user``'s renewal window is open on a
    track that asks for the final assessments again and ``quiz`` is one of them, attempts count
    afresh from the day the window opened."""
    today = timezone.localdate(now)
    moments = []
    current = (
        Certificate.objects.filter(
            user=user,
            renewal__isnull=True,
            track__active=True,
            track__renewal_rule=RenewalRule.REPASS,
        )
        .exclude(status=CertificateStatus.REVOKED)
        .select_related("track")
    )
    for certificate in current:
        opens_on = renewal_opens_on(certificate)
        courses = track_courses(track=certificate.track, specialty=_specialty(user))
        if today >= opens_on and quiz.pk in required_quiz_ids(courses):
            moments.append(_start_of(opens_on))
    return max(moments, default=None)


def renewals_issue(*, today: date | None = None) -> int:
    """Renew the certificates whose holders finished the refresher course before the renewal
    window opened (nightly; a refresher finished inside the window renews at once through the
    usual task). Returns how many were renewed."""
    from django.db.models import Exists, OuterRef

    today = today or timezone.localdate()
    renewed = 0
    tracks = CertificationTrack.objects.filter(
        active=True, renewal_rule=RenewalRule.REFRESHER, refresher_course__isnull=False
    )
    for track in tracks:
        refreshed = LessonProgress.objects.filter(
            user_id=OuterRef("user_id"),
            course_id=track.refresher_course_id,
            completed_at__gte=OuterRef("created_at"),
        )
        due = (
            Certificate.objects.filter(
                track=track,
                renewal__isnull=True,
                status__in=(CertificateStatus.VALID, CertificateStatus.EXPIRED),
                expires_on__lte=today + timedelta(days=track.renewal_window_days),
            )
            .filter(Exists(refreshed))
            .select_related("user")
        )
        for certificate in due:
            current = certificate_issue(user=certificate.user, track=track, today=today)
            if current is not None and current.pk != certificate.pk:
                renewed += 1
    return renewed


class RevocationRefused(Exception):
    """The revocation cannot be made; the message says why."""


def can_revoke(user: Any) -> bool:
    """Ministry administrators (and the site administrator) revoke certificates: the permission
    ``certification.revoke_certificate``, which the Ministry group holds (migration 0003)."""
    return bool(user.is_authenticated and user.has_perm("certification.revoke_certificate"))


#: The CMS log action of a revocation (its label is registered in ``wagtail_hooks``).
REVOKE_ACTION = "certification.revoke"


def certificate_revoke(*, certificate: Certificate, by: Any, reason: str) -> Certificate:
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
    return certificate
