"""CMS: Reports → Certificates on older course versions, and assigning a refresher from it.

``/admin/reports/older-course-versions/`` lists the holders whose current certificate was earned
on an older MAJOR version of a course its track requires (``selectors.holders_on_older_versions``),
with filters (track, course, region, specialty) and Wagtail's spreadsheet downloads: XLSX as
Wagtail writes it, CSV through ``core.api.csv_download`` (a BOM for Excel, formulas neutralised).

The report is paginated (50 certificates a page, the filters kept in the URL): which certificates
have rows is decided in SQL (``selectors.certificates_on_older_versions``) and only a page's rows
are built; the downloads build them in batches.

Filtered to one track, the page offers "Assign a refresher" (a POST to ``…/assign/``) to those who
may (``permissions.can_assign_refresher``): the course (the track's refresher by default), an
optional due date and the holders ticked on the page (all of them at first), or every holder the
filters show. The request is recorded and done by a task (``services.refresher_request``), so it
returns at once however many holders; the page shows the track's recent assignments and how they
went.

Wagtail's admin gate runs first: anonymous visitors and users without admin access go to the
admin sign-in page. Users with admin access but without the permission get a 403 page that says
why (``core.api.admin_refusal``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
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

from core.api import (
    AuthenticatedRequest,
    Specialty,
    admin_refusal,
    csv_download,
    enqueue_on_commit,
)
from courses.api import CoursePage, live_courses
from learners.api import region_choices

from .models import Certificate, CertificationTrack, RefresherRequest
from .permissions import can_assign_refresher, can_view_version_report
from .selectors import (
    OlderVersionRow,
    certificates_on_older_versions,
    holder_ids_on_older_versions,
    older_version_rows,
    report_courses,
)
from .services import RefresherRefused, refresher_request
from .tasks import assign_refresher as assign_refresher_task

#: Certificates built into rows at a time for a download.
EXPORT_BATCH = 500
#: How long the report shows a track's refresher assignments after they were asked for.
RECENT_REQUESTS = timedelta(days=7)


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
    # Pages of certificates (a holder's rows stay together); "every holder the filters show"
    # reaches beyond the page.
    paginate_by = 50
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

    def get_queryset(self) -> Any:
        return certificates_on_older_versions(**self.filter_values)

    def filter_queryset(self, queryset: Any) -> Any:
        return queryset  # the selector has applied the filters

    def paginate_queryset(self, queryset: Any, page_size: int) -> Any:
        """A page of certificates, shown as their rows."""
        paginator, page, certificates, is_paginated = super().paginate_queryset(queryset, page_size)
        rows = older_version_rows(certificates=certificates, course=self.filter_values["course"])
        return paginator, page, rows, is_paginated

    def export_rows(self, certificates: Any) -> Iterator[OlderVersionRow]:
        """Every row, built ``EXPORT_BATCH`` certificates at a time."""
        batch: list[Certificate] = []
        for certificate in certificates.iterator(chunk_size=EXPORT_BATCH):
            batch.append(certificate)
            if len(batch) == EXPORT_BATCH:
                yield from older_version_rows(
                    certificates=batch, course=self.filter_values["course"]
                )
                batch = []
        yield from older_version_rows(certificates=batch, course=self.filter_values["course"])

    def as_spreadsheet(self, queryset: Any, spreadsheet_format: str) -> Any:
        return super().as_spreadsheet(self.export_rows(queryset), spreadsheet_format)

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
        if self.is_export:  # the certificates, made into rows by ``as_spreadsheet``
            return context
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
            paginator = context.get("paginator")
            context["all_count"] = paginator.count if paginator else context["holder_count"]
            context["several_pages"] = bool(paginator and paginator.num_pages > 1)
        if track is not None and can_assign_refresher(self.request.user):
            recent = RefresherRequest.objects.filter(
                track=track, created_at__gte=timezone.now() - RECENT_REQUESTS
            ).select_related("course", "cohort")[:3]
            context["refresher_requests"] = [
                {
                    "status": item.status,
                    "text": request_summary(item),
                    "cohort_url": reverse("learners:cohort_detail", args=[item.cohort_id])
                    if item.status == "done" and item.cohort_id
                    else "",
                }
                for item in recent
            ]
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
    chosen: list[int] | None = None  # everyone the filters show
    if not request.POST.get("everyone"):
        chosen = [int(v) for v in request.POST.getlist("certificates") if v.isdigit()]
    holder_ids = (
        holder_ids_on_older_versions(
            track=track,
            certificate_ids=chosen,
            region=filters["region"],
            specialty=filters["specialty"],
        )
        if chosen is None or chosen
        else []
    )
    if not holder_ids:
        return refuse(_("Holders"), _("tick at least one holder shown in the report."))
    course = form.cleaned_data["refresher_course"]
    try:
        queued = refresher_request(
            track=track,
            course=course,
            user_ids=holder_ids,
            by=request.user,
            due_date=form.cleaned_data["due_date"],
        )
    except RefresherRefused as refused:
        return refuse(_("Assign a refresher"), str(refused.message))
    enqueue_on_commit(assign_refresher_task, queued.pk)
    text = ngettext(
        "Assigning “%(course)s” to %(count)s person; this page shows when it is done.",
        "Assigning “%(course)s” to %(count)s people; this page shows when it is done.",
        len(holder_ids),
    ) % {"course": course.title, "count": len(holder_ids)}
    messages.success(request, text)
    return back


def request_summary(item: RefresherRequest) -> str:
    """What the report says of a refresher request: waiting, under way, done (with the cohort)
    or failed (with why)."""
    values = {"course": item.course.title, "count": item.holders}
    if item.status == "done" and item.cohort is not None:
        text = ngettext(
            "“%(course)s” is assigned to %(count)s holder in the cohort “%(cohort)s”.",
            "“%(course)s” is assigned to %(count)s holders in the cohort “%(cohort)s”.",
            item.holders,
        ) % {**values, "cohort": item.cohort.name}
        already = item.holders - item.added
        if already:
            text += " " + ngettext(
                "%(count)s of them was in it already.",
                "%(count)s of them were in it already.",
                already,
            ) % {"count": already}
        return text
    if item.status == "failed":
        return ngettext(
            "Assigning “%(course)s” to %(count)s holder failed: %(error)s",
            "Assigning “%(course)s” to %(count)s holders failed: %(error)s",
            item.holders,
        ) % {**values, "error": item.error}
    return ngettext(
        "Assigning “%(course)s” to %(count)s holder: %(status)s. Reload the page to see when it "
        "is done.",
        "Assigning “%(course)s” to %(count)s holders: %(status)s. Reload the page to see when it "
        "is done.",
        item.holders,
    ) % {**values, "status": item.get_status_display().lower()}


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
