"""Reads of certificates: the CMS listing, search and history (``certification.view_certificate``
decides who sees them: ``permissions.can_view_certificates``; everyone else gets an empty
queryset, so a view that forgot its check would still show nothing), and a holder's own
certificates (for the PDF). What My learning shows is in ``learning``."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, TypeAlias, TypedDict

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.utils import timezone

from ..codes import code_normalise
from ..models import Certificate, CertificateStatus
from ..permissions import can_view_certificates

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

__all__ = [
    "ChainCertificate",
    "ListedCertificate",
    "certificate_by_code",
    "certificate_history",
    "certificate_list",
    "certificate_renewal",
    "certificate_search",
    "holder_certificates",
]


class WithStatus(TypedDict):
    """The status a reader sees today (``_current_status``)."""

    current_status: str


class Listed(WithStatus):
    """What ``certificate_list`` adds to each certificate."""

    holder_region: str | None
    holder_specialty: str | None


#: A certificate as the listing and the record see it.
ListedCertificate: TypeAlias = "WithAnnotations[Certificate, Listed]"
#: A certificate of a renewal chain.
ChainCertificate: TypeAlias = "WithAnnotations[Certificate, WithStatus]"


def _current_status(today: date) -> Case:
    """The status a reader should see today: valid past its expiry date is expired."""
    return Case(
        When(
            status=CertificateStatus.VALID,
            expires_on__lt=today,
            then=Value(CertificateStatus.EXPIRED.value),
        ),
        default=F("status"),
        output_field=CharField(),
    )


def certificate_list(
    *, user: User | AnonymousUser, today: date | None = None
) -> QuerySet[ListedCertificate]:
    """Every certificate ``user`` may see, newest first, with what the listing shows.

    Each row carries ``current_status`` (a valid certificate past its expiry date counts as
    expired, as on the public verification page, even before the nightly task has marked it)
    and the holder's ``holder_region`` and ``holder_specialty`` from their profile (empty when
    the holder has none). One query, whatever the number of certificates.
    """
    visible = (
        Certificate.objects.all() if can_view_certificates(user) else Certificate.objects.none()
    )
    today = today or timezone.localdate()
    return (
        visible.select_related("track")
        .annotate(
            current_status=_current_status(today),
            holder_region=F("user__profile__region"),
            holder_specialty=F("user__profile__specialty"),
        )
        .order_by("-issued_on", "-pk")
    )


def _spellings(word: str) -> set[str]:
    """The case forms a name is likely stored in. PostgreSQL's ``icontains`` folds the case of
    any letter, but SQLite's (the development database) folds only ASCII, so "нұрланова" would
    not find "Нұрланова" there without these."""
    return {word, word.lower(), word.upper(), word.capitalize(), word.title()}


def certificate_search(
    *, certificates: QuerySet[ListedCertificate], text: str
) -> QuerySet[ListedCertificate]:
    """``certificates`` whose holder's name has every word of ``text`` (in any order and case),
    or whose verification code is ``text`` as a person types it (any case, spaces or hyphens,
    O for 0, I and L for 1)."""
    by_name = Q()
    for word in text.split():
        any_spelling = Q()
        for spelling in _spellings(word):
            any_spelling |= Q(holder_name__icontains=spelling)
        by_name &= any_spelling
    code = code_normalise(text)
    return certificates.filter(by_name | Q(code=code) if code else by_name)


def certificate_history(
    *, certificate: Certificate, today: date | None = None
) -> list[ChainCertificate]:
    """The holder's certificates on the same track, first cycle to last, ``certificate`` included
    (each with ``current_status``).

    A renewal is the next cycle (``sequence``) of the same holder and track and points at the
    certificate it renews (``previous``); since a cycle is unique per holder and track, these are
    exactly the certificates of the renewal chain.
    """
    today = today or timezone.localdate()
    return list(
        Certificate.objects.filter(track_id=certificate.track_id, user_id=certificate.user_id)
        .only("pk", "sequence", "previous_id", "issued_on", "expires_on", "status")
        .annotate(current_status=_current_status(today))
        .order_by("sequence")
    )


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate with the verification code ``code`` as a person typed it, or None
    (``codes.code_normalise``): the public check, open to anyone."""
    normalised = code_normalise(code)
    if normalised is None:
        return None
    return Certificate.objects.select_related("track").filter(code=normalised).first()


def certificate_renewal(*, certificate: Certificate) -> Certificate | None:
    """The certificate that renewed ``certificate`` (the holder's next cycle), unless revoked."""
    return (
        Certificate.objects.filter(previous=certificate)
        .exclude(status=CertificateStatus.REVOKED)
        .only("issued_on", "expires_on")
        .first()
    )


def holder_certificates(*, user: User) -> QuerySet[Certificate]:
    """``user``'s own certificates, with their tracks: no one else's is ever found."""
    return Certificate.objects.filter(user=user).select_related("track")
