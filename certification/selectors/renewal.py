"""Reads of renewal: the courses a track asks of a holder, where a holder stands with renewing
(what is left), and the quiz hook that lets a renewing holder retake final assessments.

Renewal (cycle n + 1) opens ``renewal_window_days`` before the current certificate expires and
stays open after it has expired (the lapse shows in the history). What it asks depends on the
track's rule (:func:`renewal_progress`):

- **pass the final assessments again**: every quiz the track's courses require, passed by an
  attempt finished inside the window. Attempts used before the window do not count toward a
  quiz's attempt limit (:func:`renewal_attempt_window`, registered with
  ``quizzes.api.register_attempt_window``), so a holder can always retake.
- **a refresher course**: the refresher complete, finished since the current certificate was
  issued. Progress keeps a learner's first completion of each lesson, so a refresher counts once;
  a refresher finished before the window opens (for example when it was assigned after a new
  course version) renews the certificate on the night the window opens
  (``services.renewals_issue``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.api import CoursePage
from learners.api import course_finished_at, courses_completion, specialty_of
from quizzes.api import Quiz, quiz_links, quizzes_passed_since, required_quiz_ids

from ..dates import renewal_opens_on, start_of
from ..models import Certificate, CertificateStatus, CertificationTrack, RenewalRule

__all__ = [
    "RenewalProgress",
    "active_tracks",
    "course_counts_toward_certification",
    "renewal_attempt_window",
    "renewal_progress",
    "track_courses",
]


def active_tracks() -> QuerySet[CertificationTrack]:
    """The tracks that issue and renew certificates now."""
    return CertificationTrack.objects.filter(active=True)


def course_counts_toward_certification(*, course_id: int) -> bool:
    """Whether an active track requires the course or renews with it (one query)."""
    return (
        active_tracks()
        .filter(Q(requirements__course_id=course_id) | Q(refresher_course_id=course_id))
        .exists()
    )


def track_courses(*, track: CertificationTrack, specialty: str) -> list[CoursePage]:
    """The live courses ``track`` requires of a practitioner of ``specialty``."""
    return [
        requirement.course
        for requirement in track.requirements.select_related("course").order_by("sort_order")
        if requirement.specialty in ("", specialty) and requirement.course.live
    ]


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
    finished = course_finished_at(user=user, course=course)
    if completion.complete and finished and finished >= certificate.created_at:
        return RenewalProgress(certificate, opens_on, True, True)
    missing = ((_("complete the refresher course “%s”") % course.title, course.url or ""),)
    return RenewalProgress(certificate, opens_on, True, False, missing)


def _repass_progress(certificate: Certificate, opens_on: date) -> RenewalProgress:
    user = certificate.user
    courses = track_courses(track=certificate.track, specialty=specialty_of(user=user))
    quiz_ids = required_quiz_ids(courses)
    if not quiz_ids:
        nothing = _("these courses have no final assessment to pass again: ask your trainer")
        return RenewalProgress(certificate, opens_on, True, False, ((nothing, ""),))
    passed = quizzes_passed_since(user=user, quiz_ids=quiz_ids, since=start_of(opens_on))
    left = quiz_ids - passed
    if not left:
        return RenewalProgress(certificate, opens_on, True, True)
    missing = tuple((_("pass “%s” again") % title, url) for title, url in quiz_links(left))
    return RenewalProgress(certificate, opens_on, True, False, missing)


def renewal_attempt_window(*, user: User, quiz: Quiz, now: datetime) -> datetime | None:
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
        courses = track_courses(track=certificate.track, specialty=specialty_of(user=user))
        if today >= opens_on and quiz.pk in required_quiz_ids(courses):
            moments.append(start_of(opens_on))
    return max(moments, default=None)
