"""The CMS's report audit log, ``/admin/report-audit-log/``: who saw practitioners' names in the
dashboard, and who exported or downloaded what (``models.AuditEvent``), for administrators.

Read-only: a listing, newest first, filtered by action and by username, paginated. There is no
add, edit, copy, delete, history or inspect view, and the permission policy refuses those
actions to everyone, the site administrator included: an audit trail is not edited.

Who may read it is decided in one place (``permissions.can_view_audit_log``). Wagtail's admin
gate runs first (anonymous visitors and users without CMS access are sent to its sign-in page);
other CMS users get a 403 page that says why, rather than Wagtail's silent redirect.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import django_filters
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from core.api import admin_refusal

from .models import AuditEvent
from .permissions import can_view_audit_log

ICON = "list-ul"


class AuditLogPermissionPolicy(ModelPermissionPolicy):
    """Viewing only, and only for those who may read the audit log."""

    def user_has_permission(self, user: User | AnonymousUser, action: str) -> bool:
        return action == "view" and can_view_audit_log(user)

    def user_has_any_permission(self, user: User | AnonymousUser, actions: Any) -> bool:
        return "view" in actions and can_view_audit_log(user)

    def users_with_any_permission(self, actions: Any, **kwargs: Any) -> Any:
        if "view" not in actions:
            return get_user_model().objects.none()
        return get_user_model().objects.filter(is_active=True, is_superuser=True)


def username_choices() -> list[tuple[str, str]]:
    """Everyone the log names (by the username recorded, kept when an account is deleted)."""
    names = AuditEvent.objects.order_by("username").values_list("username", flat=True).distinct()
    return [(name, name) for name in names]


class AuditEventFilterSet(WagtailFilterSet):
    action = django_filters.ChoiceFilter(
        label=gettext_lazy("Action"),
        choices=AuditEvent.Action.choices,
        empty_label=gettext_lazy("All"),
    )
    username = django_filters.ChoiceFilter(
        label=gettext_lazy("Who"),
        choices=username_choices,
        empty_label=gettext_lazy("Everyone"),
    )

    class Meta:
        model = AuditEvent
        fields: list[str] = []


class AuditEventIndexView(IndexView):
    """Every audit event, newest first: one query for the page of rows (no joins needed: the
    username is stored on the event)."""

    any_permission_required = ["view"]
    page_title = gettext_lazy("Report audit log")

    def get_base_queryset(self) -> QuerySet[AuditEvent]:
        return AuditEvent.objects.only("id", "username", "action", "view", "query", "at")

    def order_queryset(self, queryset: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        ordered = super().order_queryset(queryset)
        return ordered.order_by(*ordered.query.order_by, "-pk")  # stable pages


def _refused(request: HttpRequest) -> HttpResponse:
    return admin_refusal(
        request,
        title=_("Report audit log"),
        icon=ICON,
        message=_(
            "You do not have permission to see the report audit log. Only site administrators can."
        ),
    )


def refuse_others(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A 403 page unless the user may read the audit log, checked before anything else."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_view_audit_log(request.user):
            return _refused(request)
        return view(request, *args, **kwargs)

    return wrapped


class AuditEventViewSet(ModelViewSet):
    """The listing alone. Its menu item sits under Reports (``wagtail_hooks``)."""

    model = AuditEvent
    name = "report_audit_log"
    url_prefix = "report-audit-log"
    icon = ICON
    menu_label = gettext_lazy("Report audit log")
    add_to_admin_menu = False
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = AuditEventIndexView
    filterset_class = AuditEventFilterSet
    ordering = ["-at"]
    list_per_page = 50
    list_display = [
        Column("username", label=gettext_lazy("Who"), sort_key="username"),
        Column(
            "action",
            label=gettext_lazy("Action"),
            accessor="get_action_display",
            sort_key="action",
        ),
        Column("view", label=gettext_lazy("Dashboard view"), sort_key="view"),
        Column("query", label=gettext_lazy("Filters")),
        DateColumn("at", label=gettext_lazy("When"), sort_key="at"),
    ]

    @property
    def permission_policy(self) -> ModelPermissionPolicy:
        return AuditLogPermissionPolicy(self.model)

    def get_urlpatterns(self) -> list[URLPattern]:
        return [
            path("", refuse_others(self.index_view), name="index"),
            path("results/", refuse_others(self.index_results_view), name="index_results"),
        ]

    def get_permissions_to_register(self) -> Any:
        """Wagtail's group editor offers ``reports.view_names`` alone, so an administrator can
        give it to a group (as migration ``0002`` does to regional coordinators); adding,
        changing or deleting audit events is nobody's to give."""
        from django.contrib.auth.models import Permission

        return Permission.objects.filter(
            content_type__app_label="reports",
            content_type__model="auditevent",
            codename="view_names",
        )
