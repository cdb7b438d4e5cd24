"""Who is who: the one place that reads a user's role groups and administrator flag.

Each app's ``permissions.py`` decides its own capabilities (one function each) and asks these:
``has_role`` when a capability follows a role, ``has_permission`` when it follows a Django
permission.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .roles import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

__all__ = ["can_use_cms", "has_permission", "has_role", "is_administrator", "role_names"]


def is_administrator(user: User | AnonymousUser) -> bool:
    """The site administrator (a superuser), who may do everything."""
    return bool(user.is_authenticated and user.is_superuser)


def has_role(user: User | AnonymousUser, *roles: Role) -> bool:
    """Whether ``user`` is in any of ``roles`` (one query)."""
    if not user.is_authenticated:
        return False
    return user.groups.filter(name__in=[role.value for role in roles]).exists()


def role_names(user: User | AnonymousUser) -> set[str]:
    """The names of every group ``user`` is in (one query; none when signed out)."""
    if not user.is_authenticated:
        return set()
    return set(user.groups.values_list("name", flat=True))


def has_permission(user: User | AnonymousUser, permission: str) -> bool:
    """Whether ``user`` is signed in and has the Django ``permission`` (``app.codename``),
    through a group or as a superuser."""
    return bool(user.is_authenticated and user.has_perm(permission))


def can_use_cms(user: User | AnonymousUser) -> bool:
    """Whether ``user`` may open the CMS (Wagtail's ``access_admin``)."""
    return has_permission(user, "wagtailadmin.access_admin")
