"""Template tags: a learner's certificates, for My learning (which lives in ``learners`` and so
cannot import this app)."""

from __future__ import annotations

from typing import Any

from django import template

from ..models import Certificate

register = template.Library()


@register.simple_tag
def my_certificates(user: Any) -> list[Certificate]:
    """The signed-in learner's certificates, newest first (one query)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Certificate.objects.filter(user=user).select_related("track"))
