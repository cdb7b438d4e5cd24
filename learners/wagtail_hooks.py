"""CMS integration: the specialists import page and its menu item."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from core.api import HomeLink, HomePanel

from . import admin_views
from .models import CoordinatorRegion
from .permissions import can_import_specialists, can_manage_coordinator_regions
from .regions import region_choices


@hooks.register("register_admin_urls")
def register_urls() -> list[Any]:
    return [
        path("specialists/import/", admin_views.upload, name="learners_import_upload"),
        path("specialists/import/<int:job_id>/", admin_views.status, name="learners_import_status"),
        path(
            "specialists/import/<int:job_id>/invitations/",
            admin_views.send_invitations,
            name="learners_import_invitations",
        ),
        path(
            "specialists/import/<int:job_id>/restart/",
            admin_views.restart,
            name="learners_import_restart",
        ),
    ]


class PermissionMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return can_import_specialists(request.user)


@hooks.register("register_admin_menu_item")
def register_menu_item() -> MenuItem:
    return PermissionMenuItem(
        _("Import specialists"), reverse("learners_import_upload"), icon_name="upload", order=900
    )


class AdministratorsOnly(ModelPermissionPolicy):
    """Every action on coordinators' regions, listing included, for those who manage
    coordinators (``permissions.can_manage_coordinator_regions``), whatever model permissions
    a group is given."""

    def user_has_permission(self, user: Any, action: str) -> bool:
        return can_manage_coordinator_regions(user)

    def user_has_any_permission(self, user: Any, actions: Any) -> bool:
        return can_manage_coordinator_regions(user)

    def users_with_any_permission(self, actions: Any, **kwargs: Any) -> Any:
        return get_user_model().objects.filter(is_active=True, is_superuser=True)


class CoordinatorRegionChooserViewSet(SnippetChooserViewSet):
    """Wagtail's snippet chooser asks only for CMS access; this one refuses everyone else, so
    the chooser's list and search do not show trainers or the ministry who coordinates where."""

    def get_urlpatterns(self) -> list[Any]:
        def guarded(pattern: URLPattern) -> URLPattern:
            view = pattern.callback

            def refuse_others(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
                if not can_manage_coordinator_regions(request.user):
                    raise PermissionDenied
                return view(request, *args, **kwargs)

            return path(str(pattern.pattern), refuse_others, name=pattern.name or "")

        return [guarded(pattern) for pattern in super().get_urlpatterns()]


class CoordinatorRegionViewSet(SnippetViewSet):
    """Administrators give a regional coordinator the regions they see (CMS > Snippets); nobody
    else lists, chooses or edits them (``AdministratorsOnly``)."""

    model = CoordinatorRegion
    chooser_viewset_class = CoordinatorRegionChooserViewSet
    icon = "site"
    menu_label = _("Coordinator regions")
    list_display = ["user", "region", "region_label"]
    panels = [
        FieldPanel("user"),
        # A callable, so names follow the reader's language (django-stubs lags Django 5 here).
        FieldPanel("region", widget=forms.Select(choices=lambda: region_choices())),  # type: ignore[arg-type]
    ]

    @property
    def permission_policy(self) -> ModelPermissionPolicy:
        return AdministratorsOnly(self.model)


register_snippet(CoordinatorRegionViewSet)


# --- The CMS dashboard: where trainers, coordinators and the ministry go next (issue #11) --------


@hooks.register("construct_homepage_panels")
def add_home_panel(request: HttpRequest, panels: list[Any]) -> None:
    from .permissions import can_run_cohorts

    user = request.user
    links: list[HomeLink] = []
    if can_run_cohorts(user):
        links.append(
            HomeLink(
                url=reverse("learners:cohort_list"),
                label=_("Cohorts"),
                help=_("Your cohorts: members, progress, due dates and invitations."),
            )
        )
    if can_import_specialists(user):
        links.append(
            HomeLink(
                url=reverse("learners_import_upload"),
                label=_("Import specialists"),
                help=_("Create accounts for many specialists at once from a spreadsheet."),
            )
        )
    if links:
        panels.append(HomePanel(name="learners_home", heading=_("Learners"), links=links, order=50))
