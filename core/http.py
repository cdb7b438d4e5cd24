"""HTTP helpers the apps share: a request typed as signed in, and the CMS's refusal page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise

if TYPE_CHECKING:
    from django.contrib.auth.models import User

__all__ = ["AuthenticatedRequest", "admin_refusal"]


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
