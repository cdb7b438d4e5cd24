"""Writing the audit log: who viewed which list of names, who exported what, and when."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .models import AuditEvent

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = ["audit_record"]


def audit_record(
    *, request: HttpRequest, action: str, view: str, query: str, detail: dict[str, Any]
) -> AuditEvent:
    """Record that ``request.user`` did ``action`` on ``view`` with the filters ``query``."""
    user = request.user
    return AuditEvent.objects.create(
        user_id=user.pk,
        username=user.get_username(),
        action=action,
        view=view,
        query=query[:1000],
        detail=detail,
    )
