"""Public verification of a certificate: ``/verify/<code>/``, no login.

It shows the status, the holder's name, the certification and the dates, and nothing else about
the person. An unknown code answers 404 with a page that says no certificate has this code and
what to do (the same page for a malformed code: nothing tells which codes exist). Requests are
counted per client address; more than ``VERIFY_RATE`` a minute answer 429, so codes cannot be
enumerated (they have 100 random bits in any case).

The holder's PDF (``certificate_download``) is made on request from the record. An expired or
revoked certificate still downloads, as the holder's record of what was issued, but it never
reads as valid: it is marked "Expired on …" or "Revoked on …" across the page (a revoked one
also says whom to contact), and its QR code opens the verification page, which says the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.api import AuthenticatedRequest, absolute_url, client_address, mark_private
from learners.api import preferred_language_of

from .models import Certificate, CertificateStatus
from .selectors import (
    certificate_by_code,
    certificate_contact,
    certificate_ended_on,
    certificate_renewal,
    holder_certificates,
)

if TYPE_CHECKING:
    from .pdf import CertificateDocument

VERIFY_RATE = 20  # lookups per client address per minute


def _window() -> str:
    """The minute a lookup counts in: the limit is a fixed window per client address."""
    return timezone.now().strftime("%Y%m%d%H%M")


def _over_limit(request: HttpRequest) -> bool:
    key = f"verify-rate:{client_address(request)}:{_window()}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    return count > VERIFY_RATE


@never_cache
def verify(request: HttpRequest, code: str) -> HttpResponse:
    if _over_limit(request):
        response = render(
            request,
            "certification/verify_limited.html",
            {"message": _("Too many checks from your address. Please wait a minute.")},
            status=429,
        )
        response["Retry-After"] = "60"
        return response
    certificate = certificate_by_code(code)
    if certificate is None:
        # The typed code is not echoed back: the page is the same for every unknown code.
        contact = str(getattr(settings, "CERTIFICATE_CONTACT_EMAIL", "") or "").strip()
        return render(
            request,
            "certification/verify_unknown.html",
            {"contact_email": contact},
            status=404,
        )
    status = certificate.status_today  # the nightly task may not have marked it yet
    # A renewal is the same holder's next certificate: say so, so an old printout still helps.
    renewal = certificate_renewal(certificate=certificate)
    return render(
        request,
        "certification/verify.html",
        {
            "status": status,
            "status_label": CertificateStatus(status).label,
            "holder_name": certificate.holder_name,
            "certification": certificate.track.localized_name,
            "issuing_body": certificate.track.localized_issuing_body,
            "issued_on": certificate.issued_on,
            "expires_on": certificate.expires_on,
            "revoked_on": certificate.revoked_at,
            "renewal": renewal,
            "code": certificate.code,
        },
    )


def _document(certificate: Certificate) -> CertificateDocument:
    """What ``certificate`` shows, in the active language."""
    from .pdf import CertificateDocument

    status = certificate.status_today
    return CertificateDocument(
        holder_name=certificate.holder_name,
        certification=certificate.track.localized_name,
        issued_on=certificate.issued_on,
        expires_on=certificate.expires_on,
        issuing_body=certificate.track.localized_issuing_body,
        verification_url=absolute_url(reverse("certification:verify", args=[certificate.code])),
        code=certificate.code,
        courses=tuple(
            f"{entry['title']} ({_('version')} {entry['version']})"
            for entry in certificate.course_versions.values()
        ),
        status=status,
        ended_on=certificate_ended_on(certificate, status=status),
        contact=(
            str(certificate_contact(certificate)) if status == CertificateStatus.REVOKED else ""
        ),
    )


@login_required
def certificate_download(request: AuthenticatedRequest, certificate_id: int) -> HttpResponse:
    """The holder's certificate as a PDF, with its QR code pointing at the verification page.
    Another person's certificate is a 404, like one that does not exist."""
    from .pdf import certificate_pdf  # WeasyPrint: only when asked for

    certificate = get_object_or_404(holder_certificates(user=request.user), pk=certificate_id)
    # In the holder's language (their profile's), whichever language they are reading in.
    language = preferred_language_of(user=request.user) or translation.get_language()
    with translation.override(language):
        response = HttpResponse(
            certificate_pdf(_document(certificate)), content_type="application/pdf"
        )
    status = certificate.status_today
    suffix = "" if status == CertificateStatus.VALID else f"-{status}"
    response["Content-Disposition"] = (
        f'attachment; filename="certificate-{certificate.code}{suffix}.pdf"'
    )
    return mark_private(response)  # the holder's personal document: no cache keeps it
