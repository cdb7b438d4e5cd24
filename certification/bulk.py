"""Bulk writes of certificates with their history: synthetic demo people (``reports.demo_data``)
and anything else that loads certificates at scale, and their removal.

A chain is one learner's certificates on one track, first to latest. They are made as
``services`` makes them, in a few statements rather than one per certificate: a random code from
``codes.new_code``, ``sequence`` 1, 2, … with ``previous`` naming the certificate renewed, the
expiry ``validity_months`` after issue (a renewal runs on from the old expiry when renewed
early), the status as of ``today`` (a certificate past its expiry is expired, and only the latest
can be revoked), and the course versions the track required of the learner's specialty.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from .codes import new_code
from .dates import add_months
from .models import Certificate, CertificateStatus, CertificationTrack
from .selectors import track_courses

__all__ = ["CertificateChain", "certificates_bulk_create", "certificates_delete_for_users"]

BATCH_SIZE = 5000


class CertificateChain(NamedTuple):
    user_id: int
    track_id: int
    specialty: str
    holder_name: str
    #: The issue date of each certificate, first to latest.
    issued: tuple[date, ...]
    #: When the latest was revoked and why (None: not revoked).
    revoked_at: datetime | None = None
    revoked_reason: str = ""


def certificates_bulk_create(
    *, chains: Sequence[CertificateChain], today: date | None = None
) -> int:
    """Insert every certificate of the chains (the learners hold none on those tracks yet);
    returns how many."""
    today = today or timezone.localdate()
    tracks = CertificationTrack.objects.in_bulk({c.track_id for c in chains})
    versions: dict[tuple[int, str], dict[str, dict[str, str]]] = {}
    for chain in chains:
        key = (chain.track_id, chain.specialty)
        if key not in versions:
            courses = track_courses(track=tracks[chain.track_id], specialty=chain.specialty)
            versions[key] = {str(c.pk): {"title": c.title, "version": c.version} for c in courses}
    made = 0
    previous: dict[int, int] = {}  # chain index → the id of its certificate made last round
    expiry: dict[int, date] = {}
    with transaction.atomic():
        for sequence in range(1, max((len(c.issued) for c in chains), default=0) + 1):
            batch: list[tuple[int, Certificate]] = []
            for index, chain in enumerate(chains):
                if len(chain.issued) < sequence:
                    continue
                issued_on = chain.issued[sequence - 1]
                starts = max(issued_on, expiry[index]) if sequence > 1 else issued_on
                expires_on = add_months(starts, tracks[chain.track_id].validity_months)
                expiry[index] = expires_on
                latest = sequence == len(chain.issued)
                revoked = latest and chain.revoked_at is not None
                if revoked:
                    status = CertificateStatus.REVOKED
                elif expires_on < today:
                    status = CertificateStatus.EXPIRED
                else:
                    status = CertificateStatus.VALID
                certificate = Certificate(
                    track_id=chain.track_id,
                    user_id=chain.user_id,
                    sequence=sequence,
                    previous_id=previous.get(index),
                    code=new_code(),
                    holder_name=chain.holder_name,
                    issued_on=issued_on,
                    expires_on=expires_on,
                    status=status,
                    course_versions=versions[chain.track_id, chain.specialty],
                    revoked_at=chain.revoked_at if revoked else None,
                    revoked_reason=chain.revoked_reason if revoked else "",
                )
                batch.append((index, certificate))
            Certificate.objects.bulk_create([c for _, c in batch], batch_size=BATCH_SIZE)
            previous = {index: certificate.pk for index, certificate in batch}
            made += len(batch)
    return made


@transaction.atomic
def certificates_delete_for_users(*, user_ids: Collection[int]) -> int:
    """Delete every certificate of these learners (renewals before what they renewed, as
    ``previous`` protects it), with their reminders; returns how many certificates."""
    certificates = Certificate.objects.filter(user_id__in=list(user_ids))
    deleted = 0
    sequences = sorted(set(certificates.values_list("sequence", flat=True)), reverse=True)
    for sequence in sequences:
        _, by_model = certificates.filter(sequence=sequence).delete()
        deleted += by_model.get(Certificate._meta.label, 0)
    return deleted
