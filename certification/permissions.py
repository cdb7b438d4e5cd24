"""Who may do what with certification: one function per capability, used by views, templates
and the CMS alike. Each follows a Django permission, which migration 0003 gives the Ministry
group (and a superuser has); anonymous users may do none of these."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.api import has_permission

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

__all__ = [
    "can_assign_refresher",
    "can_edit_tracks",
    "can_revoke",
    "can_view_certificates",
    "can_view_version_report",
]


def can_view_certificates(user: User | AnonymousUser) -> bool:
    """The CMS's certificates section: every certificate, every region
    (``certification.view_certificate``)."""
    return has_permission(user, "certification.view_certificate")


def can_revoke(user: User | AnonymousUser) -> bool:
    """Revoking a certificate: ministry administrators (``certification.revoke_certificate``)."""
    return has_permission(user, "certification.revoke_certificate")


def can_edit_tracks(user: User | AnonymousUser) -> bool:
    """Changing a track's requirements and renewal rule
    (``certification.change_certificationtrack``: trainers and the Ministry)."""
    return has_permission(user, "certification.change_certificationtrack")


def can_view_version_report(user: User | AnonymousUser) -> bool:
    """The report of certificates earned on older course versions: whoever may see
    certificates."""
    return can_view_certificates(user)


def can_assign_refresher(user: User | AnonymousUser) -> bool:
    """Assigning a refresher course from that report: whoever may see it and may change what a
    track asks (so the Ministry and superusers; trainers cannot see certificates)."""
    return can_view_version_report(user) and can_edit_tracks(user)
