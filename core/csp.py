"""Content-Security-Policy: django-csp's middleware, with two additions.

- **Framing follows ``X-Frame-Options``.** The policy says ``frame-ancestors 'none'``; a response
  that may be framed by the site itself (Wagtail's preview sets ``X-Frame-Options: SAMEORIGIN`` on
  its views) gets ``frame-ancestors 'self'`` instead, so the CMS's live preview keeps working
  without opening every page to framing.
- **A nonce on the CMS's inline scripts.** Some of Wagtail's admin templates carry inline scripts
  (inline panels, the date and time pickers). ``core/templates/wagtailadmin/`` overrides them to
  add ``nonce="{% csp_nonce %}"``; Wagtail's chooser widgets write theirs in Python, so
  ``install_wagtail_nonces`` wraps their ``render``. Form widgets render without the request, so
  the middleware keeps the current request in a context variable that both read.

The policy itself is in settings (``CONTENT_SECURITY_POLICY``; report-only with
``CSP_REPORT_ONLY=true``); docs/decisions/0012-headers-and-limits.md says why each directive is
what it is.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import wraps
from typing import Any

from csp.constants import SELF
from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponseBase
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

__all__ = ["SiteCSPMiddleware", "current_nonce", "install_wagtail_nonces"]

_request: ContextVar[HttpRequest | None] = ContextVar("zhusan_csp_request", default=None)


def current_nonce(request: HttpRequest | None = None) -> str:
    """The nonce of ``request`` (or of the request being handled); "" outside a request.

    Reading it puts the nonce in this response's policy, so call it only where a script tag
    that we wrote is rendered."""
    request = request if request is not None else _request.get()
    nonce = getattr(request, "csp_nonce", None)
    return str(nonce) if nonce is not None else ""


class SiteCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with framing that follows ``X-Frame-Options`` and the request
    made available to templates rendered without it (see the module docstring)."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request._zhusan_csp_token = _request.set(request)  # type: ignore[attr-defined]

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> Any:
        token = getattr(request, "_zhusan_csp_token", None)
        if token is not None:
            try:
                _request.reset(token)
            except ValueError:  # set in another context (a streaming or async hand-over)
                _request.set(None)
        return super().process_response(request, response)

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if response.get("X-Frame-Options", "").upper() == "SAMEORIGIN":
            parts.replace = {**(parts.replace or {}), "frame-ancestors": [SELF]}
        return parts


def install_wagtail_nonces() -> None:
    """Give the inline script of every Wagtail chooser widget (pages, images, documents, snippets)
    the request's nonce. ``BaseChooser.render`` ends its HTML with ``<script>init…</script>``;
    the wrapper adds the nonce to that last tag. tests/core/test_headers.py fails if a Wagtail
    upgrade changes this (an inline script without the nonce on a CMS page)."""
    from wagtail.admin.widgets.chooser import BaseChooser

    original = BaseChooser.render
    if getattr(original, "zhusan_csp_nonce", False):
        return

    @wraps(original)
    def render(self: Any, *args: Any, **kwargs: Any) -> SafeString:
        html = str(original(self, *args, **kwargs))
        nonce = current_nonce()
        at = html.rfind("<script>")
        if nonce and at != -1:
            html = f'{html[:at]}<script nonce="{escape(nonce)}">{html[at + len("<script>") :]}'
        return mark_safe(html)  # noqa: S308 - Wagtail's own safe HTML, plus an escaped nonce

    setattr(render, "zhusan_csp_nonce", True)  # noqa: B010 - a marker on a function
    setattr(BaseChooser, "render", render)  # noqa: B010 - replaces a library method
