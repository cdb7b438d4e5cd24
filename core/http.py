"""HTTP helpers the apps share: a request typed as signed in, the CMS's refusal page, and the
header that keeps a personal response out of every cache."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.functional import Promise

if TYPE_CHECKING:
    from django.contrib.auth.models import User

__all__ = ["AuthenticatedRequest", "admin_refusal", "client_address", "mark_private"]

_Response = TypeVar("_Response", bound=HttpResponseBase)


class AuthenticatedRequest(HttpRequest):
    """The request of a view behind ``login_required``: its user is signed in. A type only (for
    mypy); the decorator is what makes it true."""

    user: User


def admin_refusal(
    request: HttpRequest, *, title: str | Promise, message: str | Promise, icon: str
) -> HttpResponse:
    """A 403 page inside the CMS that says why access was refused.

    Rendered rather than raised: Wagtail turns a raised ``PermissionDenied`` into a redirect to
    the dashboard, which hides from the user, and from tests, that access was refused.
    """
    context = {"title": title, "message": message, "icon": icon}
    return render(request, "core/admin_refusal.html", context, status=403)


def mark_private(response: _Response) -> _Response:
    """Keep ``response`` out of shared caches and off the disk: ``Cache-Control: private,
    no-store``, added to whatever the view set (``public`` gives way to ``private``).

    ``core.middleware.PrivateCacheMiddleware`` does this for every signed-in response; files
    (certificates, exports) call it themselves too, so the header does not depend on the
    middleware's place in the list."""
    patch_cache_control(response, private=True, no_store=True)
    return response


def client_address(request: HttpRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or behind ``TRUSTED_PROXY_COUNT`` proxies the
    address the outermost of them saw (entries further left could be forged by the client).
    Every per-address limit reads it: sign-in lockout, reset emails, the public check."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR") or "unknown")
