"""Who may do what with the oversight dashboard: one function per capability, used by views,
templates, exports and the CMS alike.

Roles are read through ``accounts.api`` (the one place that knows group names), with the same
meaning as ``learners.permissions``' report functions: the ministry and regional coordinators
read aggregates, the ministry for the whole country and coordinators for their regions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.api import Role, has_permission, has_role, is_administrator

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

__all__ = [
    "VIEW_NAMES",
    "can_see_names",
    "can_view_audit_log",
    "can_view_dashboard",
    "sees_every_region",
]

#: The permission that opens practitioners' names in the dashboard (its drill-downs and the
#: named exports): given to regional coordinators by migration ``reports.0002``.
VIEW_NAMES = "reports.view_names"


def can_view_dashboard(user: User | AnonymousUser) -> bool:
    """Opening the dashboard (aggregates): the ministry, regional coordinators and
    administrators. Which regions: ``sees_every_region``; names: ``can_see_names``."""
    return is_administrator(user) or has_role(user, Role.MINISTRY, Role.REGIONAL_COORDINATOR)


def sees_every_region(user: User | AnonymousUser) -> bool:
    """Whether the dashboard covers the whole country (the ministry, administrators) rather
    than the regions a coordinator is given."""
    return is_administrator(user) or has_role(user, Role.MINISTRY)


def can_see_names(user: User | AnonymousUser) -> bool:
    """Seeing who is behind a figure (who is overdue, whose certificate expires), not only how
    many: holders of ``reports.view_names`` (regional coordinators, who follow people up), and
    administrators. The ministry sees aggregates unless an administrator grants it. Callers
    also check ``can_view_dashboard``: the permission alone opens nothing."""
    return is_administrator(user) or has_permission(user, VIEW_NAMES)


def can_view_audit_log(user: User | AnonymousUser) -> bool:
    """Reading the dashboard's audit log (who saw names, who exported what) in the CMS:
    administrators only, as those it records must not read or tidy their own trail."""
    return is_administrator(user)
