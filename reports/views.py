"""The dashboard and its drill-downs, under /<language>/dashboard/.

Every view starts from ``filters.scope_for``: no scope is a 403 (sign-in first for anonymous
readers), and the figures, lists and exports are all computed within it. Lists of names need a
scope that may see them, and each viewing is written to the audit log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.api import Specialty, mark_private
from learners.api import region_name

from .audit import audit_record
from .courses import course_titles
from .filters import FilterForm, Filters, Scope, scope_for
from .models import AuditEvent
from .selectors import (
    EXPIRING_DAYS,
    EXPORT_VIEWS,
    MEASURES,
    PERSON_STATUSES,
    dashboard,
    expiring_list,
    overdue_list,
    people_list,
    person_row,
)
from .suppression import min_cell

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

#: Rows per page in the lists of names.
PAGE_SIZE = 50


def _scope(request: HttpRequest) -> Scope:
    scope = scope_for(request.user)
    if scope is None:
        raise PermissionDenied
    return scope


def _context(request: HttpRequest, scope: Scope, filters: Filters) -> dict[str, Any]:
    return {
        "scope": scope,
        "filters": filters,
        "form": FilterForm(initial=_initial(filters), scope=scope),
        "query": filters.as_query(),
        "scope_names": [region_name(code) for code in scope.region_codes],
        "today": timezone.localdate(),
    }


def _initial(filters: Filters) -> dict[str, object]:
    return {
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "region": filters.region,
        "specialty": filters.specialty,
        "course": filters.course or "",
        "track": filters.track or "",
        "organisation": filters.organisation,
    }


@login_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    """The figures for the reader's scope and filters, with their pictures and tables."""
    from .charts import bar_chart_svg, line_chart_svg, region_map_svg

    scope = _scope(request)
    filters = Filters.from_query(request.GET, scope=scope)
    board = dashboard(scope=scope, filters=filters)
    certified_label = _("Share of practitioners with a valid certificate")
    context = _context(request, scope, filters)
    context.update(
        board=board,
        measures=MEASURES,
        map_svg=region_map_svg(
            values=board.map_values,
            labels={line.key: _percent(line.figures["certified"].rate) for line in board.regions},
            title=certified_label,
            description=_map_summary(board),
            legend_title=_("Certified"),
        ),
        bars_svg=bar_chart_svg(
            bars=[
                (
                    line.label,
                    line.figures["certified"].rate.value,
                    _percent(line.figures["certified"].rate),
                )
                for line in board.specialties
            ],
            title=_("Certified, by specialty"),
            description=_bars_summary(board),
            max_value=1.0,
        ),
        trend_svg=line_chart_svg(
            months=board.months,
            series=[
                (_("Courses completed"), [c.value for c in board.trend["completions"]]),
                (_("Certificates issued"), [c.value for c in board.trend["certificates"]]),
            ],
            title=_("Each month"),
            description=_trend_summary(board),
        ),
        summary=_summary(board),
        trend_rows=list(
            zip(board.months, board.trend["completions"], board.trend["certificates"], strict=True)
        ),
        min_cell=min_cell(),
        export_views=[view for view, names in EXPORT_VIEWS.items() if scope.names or not names],
        drill_names=scope.names,
    )
    response = render(request, "reports/dashboard.html", context)
    mark_private(response)
    return response


def _percent(cell: Any) -> str:
    from django.utils.formats import number_format

    from .suppression import display

    if cell.hidden or cell.value is None:
        return display(cell) if cell.hidden else "\N{EN DASH}"
    return f"{number_format(round(100 * cell.value), 0)} %"


def _summary(board: Any) -> str:
    """One paragraph that says what the pictures show, for everyone and for screen readers."""
    totals = board.totals
    practitioners = totals["practitioners"].count
    certified = totals["certified"]
    if practitioners.hidden:
        return _("Too few practitioners match these filters to show figures.")
    return _(
        "%(people)s practitioners; %(certified)s hold a valid certificate (%(share)s), "
        "%(expiring)s of them expiring within %(days)s days; %(overdue)s are overdue on an "
        "assigned course."
    ) % {
        "people": _count(practitioners),
        "certified": _count(certified.count),
        "share": _percent(certified.rate),
        "expiring": _count(totals["expiring"].count),
        "days": EXPIRING_DAYS,
        "overdue": _count(totals["overdue"].count),
    }


def _count(cell: Any) -> str:
    from django.utils.formats import number_format

    from .suppression import display

    return display(cell) if cell.hidden else number_format(cell.value or 0, 0, force_grouping=True)


def _ranked(lines: list[Any]) -> list[Any]:
    return sorted(
        (line for line in lines if line.figures["certified"].rate.value is not None),
        key=lambda line: line.figures["certified"].rate.value,
    )


def _map_summary(board: Any) -> str:
    ranked = _ranked(board.regions)
    if not ranked:
        return _("No region has enough practitioners to show a share.")
    lowest, highest = ranked[0], ranked[-1]
    return _(
        "Highest share certified: %(high)s (%(high_share)s). Lowest: %(low)s (%(low_share)s). "
        "The table below gives every region."
    ) % {
        "high": highest.label,
        "high_share": _percent(highest.figures["certified"].rate),
        "low": lowest.label,
        "low_share": _percent(lowest.figures["certified"].rate),
    }


def _bars_summary(board: Any) -> str:
    ranked = _ranked(board.specialties)
    if not ranked:
        return _("No specialty has enough practitioners to show a share.")
    return _("Highest share certified: %(high)s (%(share)s).") % {
        "high": ranked[-1].label,
        "share": _percent(ranked[-1].figures["certified"].rate),
    }


def _trend_summary(board: Any) -> str:
    completions = sum(c.value or 0 for c in board.trend["completions"] if c.shown)
    certificates = sum(c.value or 0 for c in board.trend["certificates"] if c.shown)
    return _(
        "From %(start)s to %(end)s: %(completions)s courses completed and %(certificates)s "
        "certificates issued in the months shown."
    ) % {
        "start": _month(board.months[0]) if board.months else "",
        "end": _month(board.months[-1]) if board.months else "",
        "completions": completions,
        "certificates": certificates,
    }


def _month(day: Any) -> str:
    from django.utils.formats import date_format

    return date_format(day, "F Y")


def _names_page(
    request: HttpRequest,
    *,
    view: str,
    template: str,
    rows: Any,
    extra: dict[str, Any],
    decorate: Any = None,
) -> HttpResponse:
    scope = _scope(request)
    if not scope.names:
        raise PermissionDenied
    filters = Filters.from_query(request.GET, scope=scope)
    queryset = rows(scope, filters)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    if decorate is not None:
        decorate(page.object_list)
    audit_record(
        request=request,
        action=AuditEvent.Action.DRILL_DOWN,
        view=view,
        query=filters.as_query(),
        detail={"page": page.number, "rows": len(page.object_list)},
    )
    context = _context(request, scope, filters)
    context.update(page=page, view=view, **extra)
    response = render(request, template, context)
    mark_private(response)
    return response


@login_required
def people_view(request: HttpRequest) -> HttpResponse:
    """Practitioners by name and status, for the region and specialty drilled into."""
    status = request.GET.get("status", "")
    status = status if status in PERSON_STATUSES else ""
    labels = dict(MEASURES)

    return _names_page(
        request,
        view="people",
        template="reports/people.html",
        rows=lambda scope, filters: _Rows(people_list(scope=scope, filters=filters, status=status)),
        extra={
            "status": status,
            "status_label": labels.get(status, ""),
            "statuses": [(key, labels[key]) for key in PERSON_STATUSES],
            "specialty_label": _specialty_label(request),
        },
    )


class _Rows:
    """A queryset of facts that pages as ``PersonRow``s (the paginator slices it)."""

    def __init__(self, queryset: Any) -> None:
        self.queryset = queryset

    def count(self) -> int:
        return int(self.queryset.count())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: Any) -> Any:
        return [person_row(fact) for fact in self.queryset[index]]


def _specialty_label(request: HttpRequest) -> str:
    value = request.GET.get("specialty", "")
    return str(Specialty(value).label) if value in Specialty.values else ""


@login_required
def expiring_view(request: HttpRequest) -> HttpResponse:
    """Certificates valid today that expire within 90 days, soonest first."""
    return _names_page(
        request,
        view="expiring",
        template="reports/expiring.html",
        rows=lambda scope, filters: expiring_list(scope=scope, filters=filters),
        extra={"days": EXPIRING_DAYS},
    )


@login_required
def overdue_view(request: HttpRequest) -> HttpResponse:
    """Assigned courses past their due date and not completed, longest overdue first."""
    return _names_page(
        request,
        view="overdue",
        template="reports/overdue.html",
        rows=lambda scope, filters: overdue_list(scope=scope, filters=filters),
        extra={},
        decorate=_course_titles,
    )


def _course_titles(facts: Any) -> None:
    """Each overdue row's course title in the reader's language (one lookup per course)."""
    titles = course_titles(fact.course for fact in facts)
    for fact in facts:
        fact.course_title = titles[fact.course_id]
