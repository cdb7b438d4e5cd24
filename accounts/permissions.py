"""Who is who: the one place that reads a user's role groups and administrator flag.

Each app's ``permissions.py`` decides its own capabilities (one function each) and asks these:
``has_role`` when a capability follows a role, ``has_permission`` when it follows a Django
permission.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings

from .roles import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

__all__ = [
    "can_use_cms",
    "can_use_two_factor",
    "has_permission",
    "has_role",
    "is_administrator",
    "role_names",
    "two_factor_required",
]


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


def two_factor_required(user: User | AnonymousUser) -> bool:
    """Whether ``user`` must sign in with a code (``TWO_FACTOR_REQUIRED_ROLES``: role group
    names, and ``superuser`` for administrators)."""
    required = set(getattr(settings, "TWO_FACTOR_REQUIRED_ROLES", ()))
    if not required or not user.is_authenticated:
        return False
    if "superuser" in required and user.is_superuser:
        return True
    roles = [role for role in Role if role.value in required]
    return bool(roles) and has_role(user, *roles)


def can_use_two_factor(user: User | AnonymousUser) -> bool:
    """Whether ``user`` may turn on two-factor sign-in: administrators and the Ministry (who can
    revoke certificates), and anyone a setting requires it of."""
    return is_administrator(user) or has_role(user, Role.MINISTRY) or two_factor_required(user)
