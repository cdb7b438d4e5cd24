"""The CMS's grading log, ``/admin/grading-log/``: every grade given to a written answer, who gave
it, when, and whether it was a first or second marking (``models.WrittenGrade``).

Read-only, like the report audit log: a grade is never edited (``quizzes.grading``), so there is
no add, edit, copy, delete or inspect view, and the permission policy refuses them to everyone.
Course reviewers (who may grade any learner's work and check trainers' grading) and
administrators read it (``permissions.can_grade_any_answer``).
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

from .models import WrittenGrade
from .permissions import can_grade_any_answer

ICON = "tasks"


class GradingLogPermissionPolicy(ModelPermissionPolicy):
    """Viewing only, and only for those who may read the grading log."""

    def user_has_permission(self, user: User | AnonymousUser, action: str) -> bool:
        return action == "view" and can_grade_any_answer(user)

    def user_has_any_permission(self, user: User | AnonymousUser, actions: Any) -> bool:
        return "view" in actions and can_grade_any_answer(user)

    def users_with_any_permission(self, actions: Any, **kwargs: Any) -> Any:
        if "view" not in actions:
            return get_user_model().objects.none()
        return get_user_model().objects.filter(is_active=True, is_superuser=True)


class GradingLogFilterSet(WagtailFilterSet):
    marker = django_filters.ChoiceFilter(
        label=gettext_lazy("Marking"),
        choices=[(1, gettext_lazy("First marking")), (2, gettext_lazy("Second marking"))],
        empty_label=gettext_lazy("All"),
    )

    class Meta:
        model = WrittenGrade
        fields: list[str] = []


class GradingLogIndexView(IndexView):
    """Every grade, newest first, with its grader, learner and quiz in the same query."""

    any_permission_required = ["view"]
    page_title = gettext_lazy("Grading log")

    def get_base_queryset(self) -> QuerySet[WrittenGrade]:
        return WrittenGrade.objects.select_related(
            "grader", "answer__attempt__user", "answer__attempt__quiz"
        ).defer("answer__snapshot", "answer__layout", "answer__response", "feedback")

    def order_queryset(self, queryset: QuerySet[WrittenGrade]) -> QuerySet[WrittenGrade]:
        ordered = super().order_queryset(queryset)
        return ordered.order_by(*ordered.query.order_by, "-pk")  # stable pages


def _person(user: User | None) -> str:
    if user is None:
        return _("(account deleted)")
    return user.get_full_name() or user.username


class GradingLogViewSet(ModelViewSet):
    """The listing alone; its menu item sits under Quizzes (``wagtail_hooks``)."""

    model = WrittenGrade
    name = "grading_log"
    url_prefix = "grading-log"
    icon = ICON
    menu_label = gettext_lazy("Grading log")
    add_to_admin_menu = False
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = GradingLogIndexView
    filterset_class = GradingLogFilterSet
    ordering = ["-graded_at"]
    list_per_page = 50
    list_display = [
        Column("grader", label=gettext_lazy("Grader"), accessor=lambda g: _person(g.grader)),
        Column(
            "learner",
            label=gettext_lazy("Learner"),
            accessor=lambda g: _person(g.answer.attempt.user),
        ),
        Column("quiz", label=gettext_lazy("Quiz"), accessor=lambda g: g.answer.attempt.quiz.title),
        Column("marker", label=gettext_lazy("Marking"), sort_key="marker"),
        Column("points", label=gettext_lazy("Points"), sort_key="points"),
        DateColumn("graded_at", label=gettext_lazy("When"), sort_key="graded_at"),
    ]

    @property
    def permission_policy(self) -> ModelPermissionPolicy:
        return GradingLogPermissionPolicy(self.model)

    def get_urlpatterns(self) -> list[URLPattern]:
        return [
            path("", refuse_others(self.index_view), name="index"),
            path("results/", refuse_others(self.index_results_view), name="index_results"),
        ]


def refuse_others(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A 403 page that says why, unless the user may read the grading log."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_grade_any_answer(request.user):
            return admin_refusal(
                request,
                title=_("Grading log"),
                icon=ICON,
                message=_(
                    "You do not have permission to see the grading log. Course reviewers and "
                    "administrators can."
                ),
            )
        return view(request, *args, **kwargs)

    return wrapped
