"""The one-page summary's PDF (WeasyPrint): imported only when a summary is made."""

from __future__ import annotations

from typing import Any

from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

__all__ = ["ExternalResourceRefused", "render_summary"]

_NOWHERE = "https://summary.invalid/"


class ExternalResourceRefused(RuntimeError):
    """The summary template asked for a resource from outside the document."""


class _OfflineFetcher(URLFetcher):
    """Hands WeasyPrint ``data:`` URIs only; any other URL stops the rendering."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data",), fail_on_errors=True)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if not url.lower().startswith("data:"):
            raise ExternalResourceRefused(f"The summary may not load {url!r}")
        return super().fetch(url, headers)


def render_summary(html: str) -> bytes:
    """The summary's HTML as a PDF, offline."""
    try:
        pdf = HTML(string=html, base_url=_NOWHERE, url_fetcher=_OfflineFetcher()).write_pdf(
            pdf_tags=True
        )
    except FatalURLFetchingError as error:
        # A BaseException in WeasyPrint; the job's error handling expects an Exception.
        cause = error.__cause__
        if isinstance(cause, ExternalResourceRefused):
            raise cause from None
        raise RuntimeError(f"The summary could not be rendered: {cause}") from cause
    return bytes(pdf)
