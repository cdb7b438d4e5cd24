"""CMS integration of ``reports``: the report audit log (``admin_views``), listed under the
CMS's Reports menu for administrators only."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .admin_views import ICON, AuditEventViewSet
from .permissions import can_view_audit_log

audit_log_viewset = AuditEventViewSet()


@hooks.register("register_admin_viewset")
def register_audit_log_viewset() -> Any:
    return audit_log_viewset


class AuditLogMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return can_view_audit_log(request.user)


@hooks.register("register_reports_menu_item")
def register_audit_log_menu_item() -> MenuItem:
    return AuditLogMenuItem(
        _("Report audit log"),
        reverse(audit_log_viewset.get_url_name("index")),
        name="report-audit-log",
        icon_name=ICON,
        order=900,
    )


@hooks.register("construct_homepage_panels")
def add_home_panel(request: HttpRequest, panels: list[Any]) -> None:
    """The CMS home links the ministry and administrators to the dashboard."""
    from core.api import HomeLink, HomePanel

    from .permissions import can_view_dashboard

    if not can_view_dashboard(request.user):
        return
    link = HomeLink(
        url=reverse("reports:dashboard"),
        label=_("Dashboard"),
        help=_(
            "Who is trained and certified, by region and specialty: figures, map, lists of "
            "expiring certificates and overdue learners, exports."
        ),
    )
    panels.append(HomePanel(name="reports_home", heading=_("Reports"), links=[link], order=35))
