"""CMS: Reports → Certificates on older course versions, and assigning a refresher from it.

``/admin/reports/older-course-versions/`` lists the holders whose current certificate was earned
on an older MAJOR version of a course its track requires (``selectors.holders_on_older_versions``),
with filters (track, course, region, specialty) and Wagtail's spreadsheet downloads: XLSX as
Wagtail writes it, CSV through ``core.api.csv_download`` (a BOM for Excel, formulas neutralised).

Filtered to one track, the page offers "Assign a refresher" (a POST to ``…/assign/``) to those who
may (``permissions.can_assign_refresher``): the course (the track's refresher by default), an
optional due date and the holders ticked in the list (all of them at first).

Wagtail's admin gate runs first: anonymous visitors and users without admin access go to the
admin sign-in page. Users with admin access but without the permission get a 403 page that says
why (``core.api.admin_refusal``).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.reports import ReportView

from core.api import AuthenticatedRequest, Specialty, admin_refusal, csv_download
from courses.api import CoursePage, live_courses
from learners.api import region_choices

from .models import Certificate, CertificationTrack
from .permissions import can_assign_refresher, can_view_version_report
from .selectors import OlderVersionRow, holders_of, holders_on_older_versions, report_courses
from .services import RefresherRefused, refresher_assign


class OlderVersionsFilterSet(WagtailFilterSet):
    """The report's filters. They are read, not applied to a queryset: the selector takes them."""

    track = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Certification track"),
        queryset=lambda request: CertificationTrack.objects.order_by("name"),
        empty_label=gettext_lazy("All"),
    )
    course = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Required course"),
        queryset=lambda request: report_courses(),
        empty_label=gettext_lazy("All"),
    )
    region = django_filters.ChoiceFilter(
        label=gettext_lazy("Region"), choices=region_choices, empty_label=gettext_lazy("All")
    )
    specialty = django_filters.ChoiceFilter(
        label=gettext_lazy("Specialty"), choices=Specialty.choices, empty_label=gettext_lazy("All")
    )

    class Meta:
        model = Certificate
        fields: list[str] = []


def filter_values(filters: OlderVersionsFilterSet) -> dict[str, Any]:
    """The selector's keyword arguments from the filter form (invalid values are left out, as
    Wagtail's listings do)."""
    filters.is_valid()
    cleaned = getattr(filters.form, "cleaned_data", {})
    return {
        "track": cleaned.get("track"),
        "course": cleaned.get("course"),
        "region": cleaned.get("region") or "",
        "specialty": cleaned.get("specialty") or "",
    }


class RefresherForm(forms.Form):
    """The course to assign and an optional due date; the holders are the ticked rows."""

    refresher_course = forms.ModelChoiceField(
        label=gettext_lazy("Course to assign"),
        queryset=live_courses().none(),
        error_messages={
            "required": gettext_lazy("choose the course to assign."),
            "invalid_choice": gettext_lazy(
                "that course is not published (or no longer exists): choose a published course."
            ),
        },
    )
    due_date = forms.DateField(
        label=gettext_lazy("Due date (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": gettext_lazy("give a date such as 2026-09-30.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        course = self.fields["refresher_course"]
        assert isinstance(course, forms.ModelChoiceField)
        course.queryset = live_courses().order_by("title")

    def clean_due_date(self) -> Any:
        due = self.cleaned_data.get("due_date")
        if due is not None and due < timezone.localdate():
            raise forms.ValidationError(_("the date is in the past: choose today or later."))
        return due


class IncludeColumn(Column):
    """A checkbox per holder (on their first row), part of the assign form by its ``form``
    attribute, so the table needs no form around it."""

    cell_template_name = "certification/admin/versions_include_cell.html"


class HolderColumn(Column):
    """The holder's name, with the certificate's code under it."""

    cell_template_name = "certification/admin/versions_holder_cell.html"


def _refused(request: HttpRequest) -> HttpResponse:
    return admin_refusal(
        request,
        title=_("Certificates on older course versions"),
        icon="history",
        message=_(
            "You do not have permission to see this report or to assign refresher courses from "
            "it. Ministry administrators can; ask an administrator if you need access."
        ),
    )


def _report_url(params: dict[str, Any] | None = None) -> str:
    url = reverse("certification_older_versions")
    query = {key: value for key, value in (params or {}).items() if value}
    return f"{url}?{urlencode(query)}" if query else url


def _filter_params(filters: dict[str, Any]) -> dict[str, str]:
    """The filters as query parameters, to keep them across the assign form's round trip."""
    return {
        "track": str(filters["track"].pk) if filters["track"] else "",
        "course": str(filters["course"].pk) if filters["course"] else "",
        "region": filters["region"],
        "specialty": filters["specialty"],
    }


class OlderVersionsReportView(ReportView):
    """The report page (and its results fragment, refreshed when a filter changes)."""

    page_title = gettext_lazy("Certificates on older course versions")
    header_icon = "history"
    template_name = "certification/admin/versions.html"
    results_template_name = "certification/admin/versions_results.html"
    index_url_name = "certification_older_versions"
    index_results_url_name = "certification_older_versions_results"
    filterset_class = OlderVersionsFilterSet
    # One page: the checkboxes choose among every holder shown, and the list is an action list
    # bounded by the number of practitioners (hundreds), not a log.
    paginate_by = None
    list_export = [
        "certificate.code",
        "track.localized_name",
        "holder_name",
        "region_name",
        "specialty_label",
        "course.title",
        "trained_on_label",
        "current_version",
        "certificate.expires_on",
        "refresher_course_title",
        "refresher.label",
    ]
    export_headings = {
        "certificate.code": gettext_lazy("Certificate"),
        "track.localized_name": gettext_lazy("Certification track"),
        "holder_name": gettext_lazy("Holder"),
        "region_name": gettext_lazy("Region"),
        "specialty_label": gettext_lazy("Specialty"),
        "course.title": gettext_lazy("Course"),
        "trained_on_label": gettext_lazy("Trained on version"),
        "current_version": gettext_lazy("Current version"),
        "certificate.expires_on": gettext_lazy("Certificate expires"),
        "refresher_course_title": gettext_lazy("Refresher course"),
        "refresher.label": gettext_lazy("Refresher"),
    }

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_view_version_report(request.user):
            return _refused(request)
        response: HttpResponse = super().dispatch(request, *args, **kwargs)
        return response

    @cached_property
    def filter_values(self) -> dict[str, Any]:
        return filter_values(self.filters)

    @cached_property
    def can_assign(self) -> bool:
        return self.filter_values["track"] is not None and can_assign_refresher(self.request.user)

    def get_queryset(self) -> list[OlderVersionRow]:
        return holders_on_older_versions(**self.filter_values)

    def filter_queryset(self, queryset: Any) -> Any:
        return queryset  # the selector has applied the filters

    @cached_property
    def columns(self) -> list[Column]:
        columns = [
            HolderColumn("holder_name", label=gettext_lazy("Holder and certificate")),
            Column("region_name", label=gettext_lazy("Region")),
            Column("specialty_label", label=gettext_lazy("Specialty")),
            Column("course", label=gettext_lazy("Course"), accessor="course.title"),
            Column("trained_on", label=gettext_lazy("Trained on"), accessor="trained_on_label"),
            Column("current_version", label=gettext_lazy("Current version")),
            Column(
                "expires_on",
                label=gettext_lazy("Certificate expires"),
                accessor="certificate.expires_on",
            ),
            Column("refresher", label=gettext_lazy("Refresher"), accessor="refresher.label"),
        ]
        if self.filter_values["track"] is None:
            track = Column(
                "track", label=gettext_lazy("Certification track"), accessor="track.localized_name"
            )
            columns.insert(3, track)
        if self.can_assign:
            columns.insert(0, IncludeColumn("include", label=gettext_lazy("Include")))
        return columns

    @property
    def no_results_message(self) -> str:
        if any(self.filter_values.values()):
            return _(
                "No current certificate matching these filters was earned on an older major "
                "version of a required course."
            )
        return _(
            "No current certificate was earned on an older major version of a required course: "
            "every holder trained on the courses' current major versions."
        )

    def get_filename(self) -> str:
        return f"certificates-on-older-course-versions-{timezone.localdate().isoformat()}"

    def write_csv_response(self, queryset: Any) -> HttpResponse:
        """CSV through ``core.api.csv_download``: a BOM so Excel reads Cyrillic names, and text
        that a spreadsheet would run as a formula made plain (Wagtail's own CSV does neither)."""
        response, writer = csv_download(f"{self.get_filename()}.csv")
        writer.writerow([self.get_heading(queryset, field) for field in self.list_export])
        for item in queryset:
            writer.writerow(
                [
                    self.preprocess_field_value(field, value, self.FORMAT_CSV)
                    for field, value in self.to_row_dict(item).items()
                ]
            )
        return response

    def get_context_data(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(*args, **kwargs)
        track = self.filter_values["track"]
        context["version_help"] = CoursePage._meta.get_field("version").help_text
        context["can_assign"] = self.can_assign
        context["track"] = track
        context["filter_params"] = _filter_params(self.filter_values)
        if self.can_assign:
            refresher = track.refresher_course
            context["assign_form"] = RefresherForm(
                initial={"refresher_course": refresher.pk if refresher and refresher.live else None}
            )
            context["holder_count"] = len(
                {row.certificate.user_id for row in context["object_list"]}
            )
        return context


@require_POST
def assign_refresher(request: AuthenticatedRequest) -> HttpResponse:
    """Assign the chosen course to the ticked holders still shown by the posted filters.

    Every input is checked before anything is written; a refusal names the field and changes
    nothing. Success says how many holders were assigned and links to the cohort's page.
    """
    if not can_assign_refresher(request.user):
        return _refused(request)
    filters = filter_values(OlderVersionsFilterSet(data=request.POST, request=request))
    back = HttpResponseRedirect(_report_url(_filter_params(filters)))

    def refuse(label: str, message: str) -> HttpResponse:
        messages.error(request, f"{label}: {message}")
        return back

    track = filters["track"]
    if track is None:
        return refuse(
            _("Certification track"), _("filter the report by one track to assign a refresher.")
        )
    form = RefresherForm(request.POST)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        return refuse(str(form.fields[field].label), str(errors[0]))
    chosen: list[int] = []
    for value in request.POST.getlist("certificates"):
        if value.isdigit():
            chosen.append(int(value))
    holders = holders_of(holders_on_older_versions(**filters), chosen)
    if not holders:
        return refuse(_("Holders"), _("tick at least one holder shown in the report."))
    course = form.cleaned_data["refresher_course"]
    try:
        result = refresher_assign(
            track=track,
            course=course,
            holders=holders,
            by=request.user,
            due_date=form.cleaned_data["due_date"],
        )
    except RefresherRefused as refused:
        return refuse(_("Assign a refresher"), str(refused.message))
    already = result.holders - result.added
    text = ngettext(
        "“%(course)s” is assigned to %(count)s holder in the cohort “%(cohort)s”.",
        "“%(course)s” is assigned to %(count)s holders in the cohort “%(cohort)s”.",
        result.holders,
    ) % {"course": course.title, "count": result.holders, "cohort": result.cohort.name}
    if already:
        text += " " + ngettext(
            "%(count)s of them was in it already.",
            "%(count)s of them were in it already.",
            already,
        ) % {"count": already}
    cohort_url = reverse("learners:cohort_detail", args=[result.cohort.pk])
    messages.success(request, text, buttons=[messages.button(cohort_url, _("Follow progress"))])
    return back


class ReportMenuItem(MenuItem):
    """Shown to those who may see the report."""

    def is_shown(self, request: HttpRequest) -> bool:
        return can_view_version_report(request.user)


@hooks.register("register_admin_urls")
def register_urls() -> list[Any]:
    view = OlderVersionsReportView.as_view
    return [
        path("reports/older-course-versions/", view(), name="certification_older_versions"),
        path(
            "reports/older-course-versions/results/",
            view(results_only=True),
            name="certification_older_versions_results",
        ),
        path(
            "reports/older-course-versions/assign/",
            assign_refresher,
            name="certification_older_versions_assign",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_report_menu_item() -> MenuItem:
    return ReportMenuItem(
        gettext_lazy("Certificates on older course versions"),
        reverse("certification_older_versions"),
        name="older-course-versions",
        icon_name="history",
        order=1300,
    )
