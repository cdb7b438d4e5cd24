"""Issuing certificates: who is eligible, and issuing exactly once.

``certificate_issue`` may run any number of times, from any number of workers at once: the
certificate of a cycle is unique per learner and track (``certification_one_per_cycle``), and the
loser of a race returns the winner's certificate.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from courses.api import CoursePage
from learners.api import Profile, courses_completion

from .models import Certificate, CertificateStatus, CertificationTrack

__all__ = [
    "CODE_ALPHABET",
    "RevocationRefused",
    "add_months",
    "can_revoke",
    "certificate_issue",
    "certificate_revoke",
    "code_normalise",
    "new_code",
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


def certificate_issue(
    *, user: Any, track: CertificationTrack, today: date | None = None
) -> Certificate | None:
    """Issue the learner's first certificate on ``track`` if they meet its requirements.

    Returns the certificate (new, or the one already issued), or None when the learner is not
    eligible yet. Renewal (later cycles) is not built yet (issue #5, in progress).
    """
    existing = Certificate.objects.filter(track=track, user=user, sequence=1).first()
    if existing is not None:
        return existing
    if not track.active:
        return None
    profile = Profile.objects.filter(user=user).first()
    courses = track_courses(track=track, specialty=profile.specialty if profile else "")
    if not courses:
        return None
    completions = courses_completion(user=user, courses=courses)
    if not all(completions[c.pk].complete for c in courses):
        return None
    today = today or timezone.localdate()
    try:
        with transaction.atomic():
            return Certificate.objects.create(
                track=track,
                user=user,
                sequence=1,
                code=new_code(),
                holder_name=user.get_full_name() or user.get_username(),
                issued_on=today,
                expires_on=add_months(today, track.validity_months),
                status=CertificateStatus.VALID,
                course_versions={
                    str(c.pk): {"title": c.title, "version": c.version} for c in courses
                },
            )
    except IntegrityError:
        # Another worker issued it first (the task ran twice, or two completions at once).
        return Certificate.objects.get(track=track, user=user, sequence=1)


class RevocationRefused(Exception):
    """The revocation cannot be made; the message says why."""


def can_revoke(user: Any) -> bool:
    """Ministry administrators (and the site administrator) revoke certificates: the permission
    ``certification.revoke_certificate``, which the Ministry group holds (migration 0003)."""
    return bool(user.is_authenticated and user.has_perm("certification.revoke_certificate"))


def certificate_revoke(*, certificate: Certificate, by: Any, reason: str) -> Certificate:
    """Revoke ``certificate``, recording who, when and why (kept on the certificate for good)."""
    if not can_revoke(by):
        raise RevocationRefused("only a ministry administrator can revoke a certificate")
    reason = reason.strip()
    if not reason:
        raise RevocationRefused("give the reason for revoking the certificate")
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
    return certificate
