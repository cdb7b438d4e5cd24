"""Template tags: a learner's certificates, for My learning (which lives in ``learners`` and so
cannot import this app)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django import template
from django.utils import timezone

from ..models import Certificate, CertificateStatus
from ..services import RenewalProgress, renewal_opens_on, renewal_progress

register = template.Library()


@dataclass
class CertificateCard:
    """A learner's current certificate on one track, with its renewal and the earlier ones."""

    certificate: Certificate
    renewal_opens_on: date | None = None
    #: Set once the renewal window is open: what renewing asks and what is left.
    renewal: RenewalProgress | None = None
    earlier: list[Certificate] = field(default_factory=list)


@register.simple_tag
def my_certificates(user: Any) -> list[CertificateCard]:
    """The signed-in learner's certificates: the current one per track (newest first), each
    with its earlier certificates. One query, plus a few for each certificate whose renewal
    window is open (a learner holds a handful at most)."""
    if not getattr(user, "is_authenticated", False):
        return []
    today = timezone.localdate()
    cards: dict[int, CertificateCard] = {}
    for certificate in (
        Certificate.objects.filter(user=user)
        .select_related("track")
        .order_by("track_id", "-sequence")
    ):
        card = cards.get(certificate.track_id)
        if card is None:
            cards[certificate.track_id] = CertificateCard(certificate)
        else:
            card.earlier.append(certificate)
    for card in cards.values():
        certificate = card.certificate
        if certificate.status == CertificateStatus.REVOKED or not certificate.track.active:
            continue
        card.renewal_opens_on = renewal_opens_on(certificate)
        if today >= card.renewal_opens_on:
            card.renewal = renewal_progress(certificate=certificate, today=today)
    return sorted(cards.values(), key=lambda c: c.certificate.issued_on, reverse=True)
