"""Request body caps, enforced from the headers before anything reads the body.

Django reads a form or an upload whole when a view first touches ``request.POST`` or
``request.FILES`` (to memory, or to a temporary file past ``FILE_UPLOAD_MAX_MEMORY_SIZE``), and its
own ``DATA_UPLOAD_MAX_MEMORY_SIZE`` does not count file parts. So a 200 MB post to the sign-in page
was received in full. This middleware, first in ``MIDDLEWARE``, answers 413 from the
``Content-Length`` header alone, with the cap that fits the path (``settings.REQUEST_BODY_LIMITS``:
small for forms, sign-in and autosave; large for the CMS's document uploads).

A body without a length (``Transfer-Encoding: chunked``) is refused with 411: browsers always send
the length of a form or a ``fetch`` body, and Django under WSGI would read such a body as empty
anyway. The reverse proxy's caps (docs/deployment.md, "Request limits") should match these, so
that an oversized upload is stopped before it reaches a worker at all.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

__all__ = ["RequestBodyLimitMiddleware", "body_limit_for"]


def body_limit_for(path: str) -> int:
    """The largest body, in bytes, accepted for a request to ``path``: the first rule of
    ``settings.REQUEST_BODY_LIMITS`` whose prefix the path starts with, else the default."""
    for prefix, limit in settings.REQUEST_BODY_LIMITS:
        if path.startswith(prefix):
            return int(limit)
    return int(settings.REQUEST_BODY_MAX_BYTES)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}" if size >= 1024 * 1024 else f"{size / (1024 * 1024):.1f}"


def _refusal(request: HttpRequest, status: int, message: str) -> HttpResponse:
    response = HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")
    # The body was not read: the connection cannot carry another request.
    response["Connection"] = "close"
    response["Cache-Control"] = "no-store"
    return response


class RequestBodyLimitMiddleware:
    """Refuse, unread, a body longer than the cap for its path (413), a body of unknown length
    (411) and a length that is not a number (400). See the module docstring."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = self._check(request)
        return refusal if refusal is not None else self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        meta = request.META
        length = meta.get("CONTENT_LENGTH") or ""
        chunked = "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower()
        if not length and not chunked:
            return None
        # Runs before LocaleMiddleware: the language comes from the path, cookie or browser.
        language = translation.get_language_from_request(request, check_path=True)
        with translation.override(language):
            if chunked and not length:
                return _refusal(
                    request,
                    411,
                    _("This request was refused: it did not say how large it is. Try again."),
                )
            if not (length.isascii() and length.isdigit()):
                return _refusal(request, 400, _("This request was refused: it was malformed."))
            limit = body_limit_for(request.path_info)
            if int(length) > limit:
                return _refusal(
                    request,
                    413,
                    _(
                        "This request was refused: it is larger than %(size)s MB, the most this "
                        "page accepts. Choose a smaller file, or split it."
                    )
                    % {"size": _megabytes(limit)},
                )
        return None
