"""What ``certification`` shows on My learning (``core.panels``): the learner's certificates, each
in its true state (with renewal), and the certifications they are working towards. Registered
from ``CertificationConfig.ready``; ``learners`` knows nothing of it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest

from core.api import register_panel

from .selectors import my_certifications


def holder_certificates(
    request: HttpRequest | None, user: User | AnonymousUser
) -> Mapping[str, Any] | None:
    """The learner's certificates and the certifications they are working towards
    (``selectors.my_certifications``), or nothing when there are neither."""
    overview = my_certifications(user=user)
    if not overview:
        return None
    return {
        "certificates": overview.certificates,
        "working_towards": overview.working_towards,
    }


def register() -> None:
    register_panel(
        "learners.my_learning",
        template="certification/panels/my_certificates.html",
        data=holder_certificates,
    )
