"""The dashboard's figures, from the summary tables (``models``) by grouped SQL queries.

Every read takes the reader's ``Scope`` and the ``Filters`` of the URL (``filters``), so every
figure, chart, drill-down and export is limited the same way. Aggregates are suppressed before
they leave this module (``suppression``): a caller never sees a count of fewer than
``REPORTS_MIN_CELL`` people. Drill-downs list names, and only for a scope that may see them.

What the columns mean (docs/oversight.md says it for readers):

- "Where things stand" is today: practitioners; enrolled now; in progress (enrolled, started,
  not completed); completed (at least once); certified (a certificate valid today), of which
  expiring within ``EXPIRING_DAYS``; expired (no valid certificate, the last one lapsed);
  revoked (no valid certificate, the last one revoked); overdue (an assigned course past its
  cohort's due date and not completed). With a course chosen the course columns are that
  course's; with a certification chosen the certificate columns are that track's; otherwise a
  person counts once in a column if any course or track puts them there.
- "In the period" counts what happened between the period's dates: enrolments, completions,
  quiz attempts, certificates issued, renewed and lapsed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from operator import attrgetter, methodcaller
from statistics import median
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import get_language, gettext, pgettext_lazy

from certification.api import active_tracks, certificates_by_month
from core.api import Specialty
from courses.api import CoursePage
from learners.api import region_name
from quizzes.api import attempt_counts_by_course

from .courses import course_titles, source_courses
from .filters import Filters, Scope
from .models import CertificationFact, CourseFact, PersonFact
from .suppression import HIDDEN, Cell, shown, suppress_counts, suppress_rate, suppress_table

__all__ = [
    "EXPIRING_DAYS",
    "EXPORT_VIEWS",
    "MEASURES",
    "Dashboard",
    "ExportTable",
    "dashboard",
    "export_table",
    "people_list",
]

#: A valid certificate expiring within this many days counts as "expiring".
EXPIRING_DAYS = 90

#: The status columns, in order: (key, label).
MEASURES: list[tuple[str, Any]] = [
    ("practitioners", pgettext_lazy("dashboard column", "Practitioners")),
    ("enrolled", pgettext_lazy("dashboard column", "Enrolled")),
    ("in_progress", pgettext_lazy("dashboard column", "In progress")),
    ("completed", pgettext_lazy("dashboard column", "Completed")),
    ("certified", pgettext_lazy("dashboard column", "Certified")),
    ("expiring", pgettext_lazy("dashboard column", "Expiring within 90 days")),
    ("expired", pgettext_lazy("dashboard column", "Expired")),
    ("revoked", pgettext_lazy("dashboard column", "Revoked")),
    ("overdue", pgettext_lazy("dashboard column", "Overdue")),
]
MEASURE_KEYS = [key for key, _label in MEASURES]
COURSE_MEASURES = ("enrolled", "in_progress", "completed", "overdue")
CERT_MEASURES = ("certified", "expiring", "expired", "revoked")


# --- the people counted ------------------------------------------------------------------------


def _where(queryset: QuerySet[Any], scope: Scope, filters: Filters) -> QuerySet[Any]:
    """``queryset`` (a fact table) limited to the scope and the who-filters."""
    queryset = queryset.filter(region__in=filters.regions(scope))
    if filters.specialty:
        queryset = queryset.filter(specialty=filters.specialty)
    if filters.organisation:
        queryset = queryset.filter(organisation__iexact=filters.organisation)
    return queryset


def people_counted(*, scope: Scope, filters: Filters) -> QuerySet[Any]:
    """The user ids of the practitioners a view counts (a query, for other apps' counts)."""
    return _where(PersonFact.objects.all(), scope, filters).values("user_id")


def _certificate_conditions(today: date, prefix: str = "") -> dict[str, Q]:
    valid = Q(**{f"{prefix}valid_until__gte": today})
    return {
        "certified": valid,
        "expiring": Q(**{f"{prefix}valid_until__range": (today, today + timedelta(EXPIRING_DAYS))}),
        "expired": Q(**{f"{prefix}valid_until__lt": today, f"{prefix}revoked": False}),
        "revoked": Q(**{f"{prefix}revoked": True}) & ~valid,
    }


def _status_counts(
    scope: Scope, filters: Filters, today: date
) -> dict[tuple[str, str], dict[str, int]]:
    """Raw counts per (region, specialty) and measure: one to three grouped queries."""
    conditions: dict[str, Q] = {
        "practitioners": Q(),
        "enrolled": Q(enrolled=True),
        "in_progress": Q(in_progress=True),
        "completed": Q(completed=True),
        "overdue": Q(due_on__lt=today),
        **_certificate_conditions(today),
    }
    keep = [m for m in MEASURE_KEYS if not (filters.course and m in COURSE_MEASURES)]
    keep = [m for m in keep if not (filters.track and m in CERT_MEASURES)]
    counts: dict[tuple[str, str], dict[str, int]] = {}

    def add(rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            cell = counts.setdefault((row.pop("region"), row.pop("specialty")), {})
            cell.update(row)

    people = _where(PersonFact.objects.all(), scope, filters)
    add(_grouped(people, {m: conditions[m] for m in keep}))
    if filters.course:
        course_rows = _where(CourseFact.objects.filter(course_id=filters.course), scope, filters)
        add(
            _grouped(
                course_rows,
                {
                    "enrolled": Q(enrolled=True),
                    "in_progress": Q(enrolled=True, started_at__isnull=False, completed_at=None),
                    "completed": Q(completed_at__isnull=False),
                    "overdue": Q(due_on__lt=today, completed_at=None),
                },
            )
        )
    if filters.track:
        track_rows = _where(
            CertificationFact.objects.filter(track_id=filters.track), scope, filters
        )
        add(_grouped(track_rows, _certificate_conditions(today)))
    return counts


def _grouped(queryset: QuerySet[Any], conditions: dict[str, Q]) -> Iterable[dict[str, Any]]:
    """One row per (region, specialty) with a count per condition. The counts are named apart
    from the fields (``n_enrolled``), or a later condition on a field would read the count."""
    rows = (
        queryset.order_by()
        .values("region", "specialty")
        .annotate(
            **{f"n_{name}": Count("pk", filter=condition) for name, condition in conditions.items()}
        )
    )
    for row in rows:
        yield {key.removeprefix("n_"): value for key, value in row.items()}


# --- the dashboard -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A count and its rate (share of the practitioners), either possibly hidden."""

    count: Cell
    rate: Cell


@dataclass
class Line:
    """One row of a table: a region or a specialty, its figures by measure."""

    key: str
    label: str
    figures: dict[str, Figure]
    query: str = ""  # the filters that drill into it


@dataclass
class CourseLine:
    course_id: int
    title: str
    enrolments: Cell
    completions: Cell
    completion_rate: Cell
    median_days: Cell
    attempts: Cell
    pass_rate: Cell


@dataclass
class TrackLine:
    track_id: int
    name: str
    issued: Cell
    renewals: Cell
    lapsed: Cell


@dataclass
class Dashboard:
    """Everything the dashboard page shows, already suppressed."""

    scope: Scope
    filters: Filters
    today: date
    totals: dict[str, Figure]
    regions: list[Line]
    specialties: list[Line]
    #: (region code, specialty) -> measure -> figure: the drill-down's cells.
    grid: dict[tuple[str, str], dict[str, Figure]]
    courses: list[CourseLine]
    tracks: list[TrackLine]
    months: list[date]
    trend: dict[str, list[Cell]] = field(default_factory=dict)
    #: When the period's figures were counted (they are kept a few minutes: ``_period``).
    period_as_of: datetime | None = None

    @property
    def map_values(self) -> dict[str, float | None]:
        """Share certified per region (None: hidden), for the map."""
        return {line.key: line.figures["certified"].rate.value for line in self.regions}


def dashboard(*, scope: Scope, filters: Filters) -> Dashboard:
    """The dashboard for ``scope`` and ``filters``: a fixed number of grouped queries whatever
    the number of practitioners (tests/reports/test_dashboard.py counts them)."""
    today = timezone.localdate()
    regions = sorted(filters.regions(scope), key=lambda code: region_name(code))
    specialties = [filters.specialty] if filters.specialty else list(Specialty.values)
    raw = _status_counts(scope, filters, today)
    figures, totals, by_region, by_specialty = _suppressed(raw, regions, specialties)
    months = _months(filters.date_from, filters.date_to)
    period = _period(scope, filters, months)
    courses, completions_by_month = period.courses, period.completions
    tracks, certificates_by_month_ = period.tracks, period.certificates
    return Dashboard(
        scope=scope,
        filters=filters,
        today=today,
        totals=totals,
        regions=[
            Line(code, region_name(code), by_region[code], filters.as_query(region=code))
            for code in regions
        ],
        specialties=[
            Line(
                value,
                str(Specialty(value).label),
                by_specialty[value],
                filters.as_query(specialty=value),
            )
            for value in specialties
        ],
        grid=figures,
        courses=courses,
        tracks=tracks,
        months=months,
        trend={"completions": completions_by_month, "certificates": certificates_by_month_},
        period_as_of=period.as_of,
    )


@dataclass
class _Period:
    """The "in the period" figures, as cached."""

    courses: list[CourseLine]
    completions: list[Cell]
    tracks: list[TrackLine]
    certificates: list[Cell]
    as_of: datetime


def _period(scope: Scope, filters: Filters, months: list[date]) -> _Period:
    """The period's figures, kept ``REPORTS_PERIOD_CACHE_SECONDS`` in the shared cache.

    They read every enrolment, completion, quiz attempt and certificate of the period (hundreds
    of milliseconds nationally), and they describe the past: the page says when they were
    counted. The status table above them is always live. The key holds the scope's regions, the
    filters and the language; with the cache down, they are counted every time (decision 0008).
    """
    seconds = settings.REPORTS_PERIOD_CACHE_SECONDS
    key = (
        "reports:period:1:"
        + hashlib.sha256(
            "|".join(
                [",".join(sorted(filters.regions(scope))), filters.as_query(), get_language() or ""]
            ).encode()
        ).hexdigest()
    )
    if seconds:
        kept = cache.get(key)
        if isinstance(kept, _Period):
            return kept
    courses, completions = _course_lines(scope, filters, months)
    tracks, certificates = _track_lines(scope, filters, months)
    period = _Period(courses, completions, tracks, certificates, timezone.now())
    if seconds:
        cache.set(key, period, seconds)
    return period


def _suppressed(
    raw: dict[tuple[str, str], dict[str, int]], regions: list[str], specialties: list[str]
) -> tuple[
    dict[tuple[str, str], dict[str, Figure]],
    dict[str, Figure],
    dict[str, dict[str, Figure]],
    dict[str, dict[str, Figure]],
]:
    """Each measure's region-by-specialty table suppressed with its margins, and rates."""
    tables = {
        measure: suppress_table(
            {key: counts.get(measure, 0) for key, counts in raw.items()},
            regions,
            specialties,
        )
        for measure in MEASURE_KEYS
    }
    people = tables["practitioners"]

    def figure(measure: str, count: Cell, denominator: Cell, raw_denominator: int) -> Figure:
        if measure == "practitioners":
            return Figure(count, shown(1.0) if count.shown and raw_denominator else HIDDEN)
        return Figure(count, _rate(count, denominator, raw_denominator))

    def figures(cell_of: Callable[[Any], Cell], n: int) -> dict[str, Figure]:
        """Every measure's figure for one cell (or total) of the tables; ``n``: its people."""
        return {m: figure(m, cell_of(tables[m]), cell_of(people), n) for m in MEASURE_KEYS}

    def people_in(cells: Iterable[tuple[str, str]]) -> int:
        return sum(raw.get(key, {}).get("practitioners", 0) for key in cells)

    grid = {
        (r, s): figures(methodcaller("cell", r, s), people_in([(r, s)]))
        for r in regions
        for s in specialties
    }
    by_region = {
        r: figures(methodcaller("row_total", r), people_in((r, s) for s in specialties))
        for r in regions
    }
    by_specialty = {
        s: figures(methodcaller("column_total", s), people_in((r, s) for r in regions))
        for s in specialties
    }
    totals = figures(attrgetter("grand_total"), people_in(raw))
    return grid, totals, by_region, by_specialty


def _rate(count: Cell, denominator: Cell, raw_denominator: int) -> Cell:
    if not raw_denominator:
        return Cell(value=None)  # nobody to share out: no rate, and nothing hidden
    if count.hidden or count.value is None or denominator.hidden:
        return HIDDEN
    value = suppress_rate(int(count.value), raw_denominator, numerator_hidden=False)
    return HIDDEN if value is None else shown(value)


def _months(start: date, end: date) -> list[date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _moment(day: date, *, end: bool = False) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min))


def _source_courses(filters: Filters) -> list[CoursePage]:
    courses = source_courses()
    return [c for c in courses if c.pk == filters.course] if filters.course else courses


class _Median(Aggregate):
    """PostgreSQL's median of an interval (SQLite has none: computed in Python there)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def _course_lines(
    scope: Scope, filters: Filters, months: list[date]
) -> tuple[list[CourseLine], list[Cell]]:
    """Per course: enrolments in the period, how many of them completed, the median days to
    complete (completions in the period) and quiz pass rates; and completions per month."""
    courses = _source_courses(filters)
    since, until = _moment(filters.date_from), _moment(filters.date_to, end=True)
    facts = _where(CourseFact.objects.filter(course__in=[c.pk for c in courses]), scope, filters)
    enrolled_in = Q(enrolled_at__range=(since, until))
    completed_in = Q(completed_at__range=(since, until))
    took = ExpressionWrapper(F("completed_at") - F("enrolled_at"), output_field=DurationField())
    annotations: dict[str, Any] = {
        "enrolments": Count("pk", filter=enrolled_in),
        "enrolled_done": Count("pk", filter=enrolled_in & Q(completed_at__isnull=False)),
        "completions": Count("pk", filter=completed_in),
    }
    postgres = connection.vendor == "postgresql"
    if postgres:
        annotations["median"] = _Median(took, filter=completed_in & Q(enrolled_at__isnull=False))
    rows = {
        row["course_id"]: row
        for row in facts.order_by().values("course_id").annotate(**annotations)
    }
    if not postgres:
        durations: dict[int, list[timedelta]] = {}
        for course_id, spent in (
            facts.filter(completed_in, enrolled_at__isnull=False)
            .annotate(took=took)
            .values_list("course_id", "took")
        ):
            durations.setdefault(course_id, []).append(spent)
        for course_id, values in durations.items():
            seconds = median(spent.total_seconds() for spent in values)
            rows.setdefault(course_id, {})["median"] = timedelta(seconds=seconds)
    attempts = attempt_counts_by_course(
        courses=courses,
        users=people_counted(scope=scope, filters=filters),
        since=since,
        until=until,
    )
    titles = course_titles(courses)
    lines = []
    for course in courses:
        row = rows.get(course.pk, {})
        enrolments = suppress_counts({"n": row.get("enrolments", 0)}, total_shown=False)["n"]
        done = row.get("enrolled_done", 0)
        completions = suppress_counts({"n": row.get("completions", 0)}, total_shown=False)["n"]
        finished, passed = attempts.get(course.pk, (0, 0))
        attempt_cell = suppress_counts({"n": finished}, total_shown=False)["n"]
        spent = row.get("median")
        median_days = (
            shown(round(spent.total_seconds() / 86400, 1))
            if spent is not None and completions.shown and row.get("completions", 0) >= _k()
            else HIDDEN
            if row.get("completions", 0)
            else Cell(value=None)
        )
        lines.append(
            CourseLine(
                course_id=course.pk,
                title=titles[course.pk],
                enrolments=enrolments,
                completions=completions,
                completion_rate=_rate_cell(done, row.get("enrolments", 0)),
                median_days=median_days,
                attempts=attempt_cell,
                pass_rate=_rate_cell(passed, finished),
            )
        )
    per_month = {
        _day(row["month"]): row["n"]
        for row in facts.filter(completed_in)
        .annotate(month=TruncMonth("completed_at"))
        .order_by()
        .values("month")
        .annotate(n=Count("pk"))
    }
    return lines, _month_cells(months, per_month)


def _track_lines(
    scope: Scope, filters: Filters, months: list[date]
) -> tuple[list[TrackLine], list[Cell]]:
    """Per certification: certificates issued, renewals and lapses in the period; and
    certificates issued per month."""
    tracks = [t for t in active_tracks() if not filters.track or t.pk == filters.track]
    rows = certificates_by_month(
        users=people_counted(scope=scope, filters=filters),
        since=filters.date_from,
        until=filters.date_to,
        track_id=filters.track,
    )
    sums: dict[int, dict[str, int]] = {}
    per_month: dict[date, int] = {}
    for row in rows:
        total = sums.setdefault(row.track_id, {"issued": 0, "renewals": 0, "lapsed": 0})
        total["issued"] += row.issued
        total["renewals"] += row.renewals
        total["lapsed"] += row.lapsed
        per_month[row.month] = per_month.get(row.month, 0) + row.issued
    lines = []
    for track in tracks:
        total = sums.get(track.pk, {})
        cells = suppress_counts(
            {k: total.get(k, 0) for k in ("issued", "renewals", "lapsed")}, total_shown=False
        )
        lines.append(
            TrackLine(
                track.pk, track.localized_name, cells["issued"], cells["renewals"], cells["lapsed"]
            )
        )
    return lines, _month_cells(months, per_month)


def _month_cells(months: list[date], counts: dict[date, int]) -> list[Cell]:
    """Monthly counts, suppressed as a line whose total the tables show."""
    cells = suppress_counts({month: counts.get(month, 0) for month in months}, total_shown=True)
    return [cells[month] for month in months]


def _rate_cell(numerator: int, denominator: int) -> Cell:
    hidden = suppress_counts({"n": numerator}, total_shown=False)["n"].hidden
    value = suppress_rate(numerator, denominator, numerator_hidden=hidden)
    if value is None:
        return HIDDEN if denominator else Cell(value=None)
    return shown(value)


def _k() -> int:
    from .suppression import min_cell

    return min_cell()


def _day(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else value


# --- drill-down: names, for the scopes that may see them ------------------------------------------

#: The statuses a list of practitioners can be narrowed to (a measure of the status table).
PERSON_STATUSES = [key for key in MEASURE_KEYS if key != "practitioners"]


@dataclass(frozen=True)
class PersonRow:
    """One practitioner in a drill-down list."""

    user_id: int
    name: str
    email: str
    region: str
    specialty: str
    organisation: str
    enrolled: bool
    in_progress: bool
    completed: bool
    due_on: date | None
    valid_until: date | None
    revoked: bool

    @property
    def region_name(self) -> str:
        return region_name(self.region)

    @property
    def specialty_label(self) -> str:
        return str(Specialty(self.specialty).label) if self.specialty in Specialty.values else ""


def _require_names(scope: Scope) -> None:
    if not scope.names:
        raise PermissionDenied


def people_list(*, scope: Scope, filters: Filters, status: str = "") -> QuerySet[PersonFact]:
    """The practitioners a figure counts, by name (only for a scope that may see names), with
    their user; ``status`` narrows to one column of the status table. A query: the caller
    paginates or iterates it."""
    _require_names(scope)
    today = timezone.localdate()
    people = _where(PersonFact.objects.select_related("user"), scope, filters)
    if filters.course:
        course = CourseFact.objects.filter(course_id=filters.course, user_id=F("user_id"))
        people = people.filter(user_id__in=course.values("user_id")) if status else people
    conditions = {
        "enrolled": Q(enrolled=True),
        "in_progress": Q(in_progress=True),
        "completed": Q(completed=True),
        "overdue": Q(due_on__lt=today),
        **_certificate_conditions(today),
    }
    if status in conditions:
        people = people.filter(conditions[status])
    return people.order_by("user__last_name", "user__first_name", "user_id")


def person_row(fact: PersonFact) -> PersonRow:
    user = fact.user
    return PersonRow(
        user_id=fact.user_id,
        name=user.get_full_name() or user.get_username(),
        email=user.email,
        region=fact.region,
        specialty=fact.specialty,
        organisation=fact.organisation,
        enrolled=fact.enrolled,
        in_progress=fact.in_progress,
        completed=fact.completed,
        due_on=fact.due_on,
        valid_until=fact.valid_until,
        revoked=fact.revoked,
    )


def expiring_list(*, scope: Scope, filters: Filters) -> QuerySet[CertificationFact]:
    """Certificates valid today that expire within ``EXPIRING_DAYS``, soonest first, by name."""
    _require_names(scope)
    today = timezone.localdate()
    facts = _where(CertificationFact.objects.select_related("user", "track"), scope, filters)
    if filters.track:
        facts = facts.filter(track_id=filters.track)
    return facts.filter(valid_until__range=(today, today + timedelta(EXPIRING_DAYS))).order_by(
        "valid_until", "user__last_name", "user_id"
    )


def overdue_list(*, scope: Scope, filters: Filters) -> QuerySet[CourseFact]:
    """Assigned courses past their due date and not completed, longest overdue first, by name."""
    _require_names(scope)
    today = timezone.localdate()
    facts = _where(CourseFact.objects.select_related("user", "course__locale"), scope, filters)
    if filters.course:
        facts = facts.filter(course_id=filters.course)
    return facts.filter(due_on__lt=today, completed_at=None).order_by(
        "due_on", "user__last_name", "user_id"
    )


# --- exports ------------------------------------------------------------------------------------

#: The views an export can be made of, and whether they list names.
EXPORT_VIEWS: dict[str, bool] = {
    "regions": False,
    "specialties": False,
    "courses": False,
    "certifications": False,
    "people": True,
    "expiring": True,
    "overdue": True,
}


@dataclass
class ExportTable:
    """A view as rows: what an export writes. ``rows`` is a generator (name lists read the
    database in chunks), ``total`` their number (for the progress bar)."""

    title: str
    header: list[str]
    rows: Iterable[Sequence[object]]
    total: int


def _value(cell: Cell) -> object:
    """A figure as an export writes it: the number, or the hidden mark."""
    from .suppression import display

    return cell.value if cell.shown and cell.value is not None else display(cell)


def _percent(cell: Cell) -> object:
    from .suppression import display

    if cell.hidden:
        return display(cell)
    return None if cell.value is None else round(100 * float(cell.value), 1)


def export_table(*, view: str, scope: Scope, filters: Filters) -> ExportTable:
    """The rows of ``view`` (``EXPORT_VIEWS``) as the page shows them, suppressed the same way."""
    if view not in EXPORT_VIEWS:
        raise ValueError(f"unknown view {view!r}")
    if EXPORT_VIEWS[view]:
        _require_names(scope)
        return _names_table(view, scope, filters)
    board = dashboard(scope=scope, filters=filters)
    if view in ("regions", "specialties"):
        lines = board.regions if view == "regions" else board.specialties
        first = gettext("Region") if view == "regions" else gettext("Specialty")
        header = [first]
        for _key, label in MEASURES:
            header.append(str(label))
            header.append(gettext("%(measure)s (%%)") % {"measure": label})
        rows: list[list[object]] = []
        for line in [*lines, Line("", gettext("Total"), board.totals)]:
            row: list[object] = [line.label]
            for key in MEASURE_KEYS:
                row.append(_value(line.figures[key].count))
                row.append(_percent(line.figures[key].rate))
            rows.append(row)
        title = gettext("By region") if view == "regions" else gettext("By specialty")
        return ExportTable(title, header, rows, len(rows))
    if view == "courses":
        header = [
            gettext("Course"),
            gettext("Enrolments in the period"),
            gettext("Completions in the period"),
            gettext("Completion rate (%)"),
            gettext("Median days to complete"),
            gettext("Quiz attempts"),
            gettext("Quiz pass rate (%)"),
        ]
        rows = [
            [
                c.title,
                _value(c.enrolments),
                _value(c.completions),
                _percent(c.completion_rate),
                _value(c.median_days)
                if c.median_days.hidden or c.median_days.value is not None
                else None,
                _value(c.attempts),
                _percent(c.pass_rate),
            ]
            for c in board.courses
        ]
        return ExportTable(gettext("Courses"), header, rows, len(rows))
    header = [
        gettext("Certification"),
        gettext("Issued in the period"),
        gettext("Renewals"),
        gettext("Lapsed"),
    ]
    rows = [[t.name, _value(t.issued), _value(t.renewals), _value(t.lapsed)] for t in board.tracks]
    return ExportTable(gettext("Certifications"), header, rows, len(rows))


def _names_table(view: str, scope: Scope, filters: Filters) -> ExportTable:
    if view == "people":
        people = people_list(scope=scope, filters=filters)
        header = [
            *_who_header(),
            gettext("Enrolled"),
            gettext("In progress"),
            gettext("Completed"),
            gettext("Overdue since"),
            gettext("Certified until"),
            gettext("Revoked"),
        ]

        def people_rows() -> Iterator[list[object]]:
            for fact in people.iterator(chunk_size=2000):
                row = person_row(fact)
                yield [
                    row.name,
                    row.email,
                    row.region_name,
                    row.specialty_label,
                    row.organisation,
                    _yes(row.enrolled),
                    _yes(row.in_progress),
                    _yes(row.completed),
                    row.due_on,
                    row.valid_until,
                    _yes(row.revoked),
                ]

        return ExportTable(gettext("Practitioners"), header, people_rows(), people.count())
    if view == "expiring":
        certificates = expiring_list(scope=scope, filters=filters)
        header = [
            *_who_header(),
            gettext("Certification"),
            gettext("Expires on"),
        ]

        def expiring_rows() -> Iterator[list[object]]:
            for fact in certificates.iterator(chunk_size=2000):
                yield [
                    *_who(fact),
                    fact.track.localized_name,
                    fact.valid_until,
                ]

        return ExportTable(
            gettext("Certificates expiring soon"), header, expiring_rows(), certificates.count()
        )
    courses = overdue_list(scope=scope, filters=filters)
    header = [*_who_header(), gettext("Course"), gettext("Due on")]
    titles = course_titles(source_courses())

    def overdue_rows() -> Iterator[list[object]]:
        for fact in courses.iterator(chunk_size=2000):
            yield [
                *_who(fact),
                titles[fact.course_id],
                fact.due_on,
            ]

    return ExportTable(gettext("Overdue learners"), header, overdue_rows(), courses.count())


def _who_header() -> list[str]:
    """The first columns of every list of names."""
    return [
        gettext("Name"),
        gettext("Email"),
        gettext("Region"),
        gettext("Specialty"),
        gettext("Organisation"),
    ]


def _who(fact: CourseFact | CertificationFact) -> list[object]:
    """The person a row of a list of names is about, as ``_who_header`` names the columns."""
    user = fact.user
    name = user.get_full_name() or user.get_username()
    return [
        name,
        user.email,
        region_name(fact.region),
        _specialty(fact.specialty),
        fact.organisation,
    ]


def _yes(value: bool) -> str:
    return str(pgettext_lazy("CSV column", "yes") if value else pgettext_lazy("CSV column", "no"))


def _specialty(value: str) -> str:
    return str(Specialty(value).label) if value in Specialty.values else ""
