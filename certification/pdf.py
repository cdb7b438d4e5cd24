"""The certificate as a PDF: one A4 landscape page with a QR code that opens its verification page.

Rendered by WeasyPrint from ``templates/certification/certificate_pdf.html``. It stands apart
from the certification models: the caller fills a ``CertificateDocument`` and gets bytes back.

Nothing is fetched while rendering. The QR code is drawn by segno and embedded as a ``data:``
URI, the CSS is inline, and the fonts (DejaVu Sans and Serif, which cover Kazakh and Russian
Cyrillic) are system fonts found through fontconfig. The URL fetcher
refuses every other URL and stops the rendering, so a template that reaches out fails loudly
instead of producing a certificate with a hole in it.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

import segno
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

__all__ = [
    "CertificateDocument",
    "ExternalResourceRefused",
    "certificate_pdf",
    "qr_svg",
]

TEMPLATE = "certification/certificate_pdf.html"

# "M" restores up to 15 % of damaged modules, enough for a folded or slightly marked print; segno
# raises the level further whenever that does not make the symbol bigger (boost_error).
QR_ERROR_CORRECTION = "m"
# The quiet zone the QR standard asks for: four modules of blank space on every side.
QR_QUIET_ZONE = 4

_NOWHERE = "https://certificate.invalid/"


@dataclass(frozen=True)
class CertificateDocument:
    """What a certificate shows; the caller fills it from a certificate record."""

    holder_name: str
    certification: str
    issued_on: date
    expires_on: date
    issuing_body: str
    verification_url: str
    code: str
    courses: tuple[str, ...] = ()
    #: ``valid``, ``expired`` or ``revoked`` (``Certificate.status_today``). An expired or revoked
    #: certificate is marked so across the page, with ``ended_on``: the day it expired or was
    #: revoked. It never reads as valid.
    status: str = "valid"
    ended_on: date | None = None
    #: Whom the holder asks about a revoked certificate (an email address or the issuing body).
    contact: str = ""


class ExternalResourceRefused(RuntimeError):
    """The certificate template asked for a resource from outside the document."""


class _OfflineFetcher(URLFetcher):
    """Hands WeasyPrint ``data:`` URIs only; any other URL is refused and stops the rendering."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data",), fail_on_errors=True)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if not url.lower().startswith("data:"):
            raise ExternalResourceRefused(f"The certificate may not load {url!r}")
        return super().fetch(url, headers)


def qr_svg(url: str) -> str:
    """Return a QR code for ``url`` as a standalone SVG document (error correction M or higher).

    It carries its namespace, so it works as an image file, a ``data:`` URI or inline in HTML.
    """
    qr = segno.make_qr(url, error=QR_ERROR_CORRECTION)
    out = io.BytesIO()
    qr.save(
        out,
        kind="svg",
        xmldecl=False,
        nl=False,
        border=QR_QUIET_ZONE,
        dark="#000",
        # An explicit white keeps the quiet zone blank whatever is printed behind it.
        light="#fff",
        title=url,
        # Sized by the page's CSS; the viewBox keeps the modules square at any size.
        omitsize=True,
    )
    return out.getvalue().decode("utf-8")


def _svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def certificate_pdf(document: CertificateDocument) -> bytes:
    """Render ``document`` as a one-page A4 landscape PDF, offline.

    Dates and labels follow the active language (``translation.override`` around the call).
    Raises ``ExternalResourceRefused`` if the template refers to anything outside itself.
    """
    html = render_to_string(
        TEMPLATE,
        {"document": document, "qr_src": _svg_data_uri(qr_svg(document.verification_url))},
    )
    try:
        pdf = HTML(
            string=html,
            # A base that can never resolve, so a relative URL reaches the fetcher and is refused
            # instead of being dropped with a log line.
            base_url=_NOWHERE,
            url_fetcher=_OfflineFetcher(),
        ).write_pdf(pdf_tags=True)
    except FatalURLFetchingError as error:
        # A BaseException in WeasyPrint; Django's error handling expects an Exception.
        cause = error.__cause__
        if isinstance(cause, ExternalResourceRefused):
            raise cause from None
        raise RuntimeError(f"The certificate could not be rendered: {cause}") from cause
    return bytes(pdf)
