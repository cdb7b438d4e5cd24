"""What ``certification`` shows on My learning (``core.panels``): the holder's certificates, with
renewal. Registered from ``CertificationConfig.ready``; ``learners`` knows nothing of it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest

from core.api import register_panel

from .selectors import my_certificates


def holder_certificates(
    request: HttpRequest | None, user: User | AnonymousUser
) -> Mapping[str, Any] | None:
    """The holder's certificates (``selectors.my_certificates``), or nothing when they hold
    none."""
    certificates = my_certificates(user=user)
    return {"certificates": certificates} if certificates else None


def register() -> None:
    register_panel(
        "learners.my_learning",
        template="certification/panels/my_certificates.html",
        data=holder_certificates,
    )
