"""Who sees what on the dashboard (the scope), and the filters a view is asked for.

One function decides the scope (``scope_for``), and every figure, chart, drill-down and export
goes through it: a regional coordinator's scope is the regions they are given, and a filter can
only narrow it. A region outside the scope in a crafted URL is refused as an invalid choice, and
the page falls back to the whole scope, so nothing of another region is ever counted.

Filters live in the URL (``Filters.as_query``), so a view can be bookmarked and shared; a link
opened by someone with a narrower scope shows that person's part only.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.api import active_tracks
from core.api import Specialty
from learners.api import REGION_CODES, coordinator_regions, region_name

from .courses import course_titles, source_courses
from .permissions import can_see_names, can_view_dashboard, sees_every_region

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

__all__ = ["MAX_YEARS", "FilterForm", "Filters", "Scope", "scope_for"]

#: The longest period a view covers.
MAX_YEARS = 5


@dataclass(frozen=True)
class Scope:
    """The regions a reader's figures come from, and whether they may see names."""

    regions: frozenset[str]
    national: bool = False
    names: bool = False

    @property
    def region_codes(self) -> list[str]:
        """The scope's regions, ordered by their names in the active language."""
        return sorted(self.regions, key=lambda code: region_name(code))


def scope_for(user: User | AnonymousUser) -> Scope | None:
    """The scope of ``user``'s dashboard, or None when they may not use it."""
    if not user.is_authenticated or not can_view_dashboard(user):
        return None
    names = can_see_names(user)
    if sees_every_region(user):
        return Scope(regions=REGION_CODES, national=True, names=names)
    return Scope(regions=frozenset(coordinator_regions(user=user)), names=names)


def _default_period(today: date) -> tuple[date, date]:
    """The last twelve months, whole months: the first of the month eleven months ago to today."""
    month = today.month - 11
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, 1), today


class FilterForm(forms.Form):
    """The filters as the URL gives them; invalid ones are reported and left out."""

    date_from = forms.DateField(label=_("From"), required=False)
    date_to = forms.DateField(label=_("To"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    specialty = forms.ChoiceField(label=_("Specialty"), required=False)
    course = forms.TypedChoiceField(label=_("Course"), required=False, coerce=int, empty_value=None)
    track = forms.TypedChoiceField(
        label=_("Certification"), required=False, coerce=int, empty_value=None
    )
    organisation = forms.CharField(label=_("Organisation"), required=False, max_length=255)

    def __init__(self, *args: object, scope: Scope, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        everyone = [("", _("All"))]
        choices: dict[str, list[tuple[Any, Any]]] = {
            "region": [(code, region_name(code)) for code in scope.region_codes],
            "specialty": list(Specialty.choices),
            "course": list(course_titles(source_courses()).items()),
            "track": [(track.pk, track.localized_name) for track in active_tracks()],
        }
        for name, options in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = everyone + options

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        today = timezone.localdate()
        if isinstance(end, date) and end > today:
            self.add_error("date_to", _("The period cannot end after today."))
        if isinstance(start, date) and isinstance(end, date):
            if start > end:
                self.add_error("date_from", _("The start of the period is after its end."))
            elif end - start > timedelta(days=366 * MAX_YEARS):
                self.add_error(
                    "date_from",
                    _("A period can cover at most %(years)d years.") % {"years": MAX_YEARS},
                )
        return cleaned


@dataclass(frozen=True)
class Filters:
    """What a view counts: the period, and who (region, specialty, organisation) in what
    (course, certification). Empty values mean "all"."""

    date_from: date
    date_to: date
    region: str = ""
    specialty: str = ""
    course: int | None = None
    track: int | None = None
    organisation: str = ""
    #: The filters that were asked for and refused, by field, with the reason.
    errors: dict[str, list[str]] = field(default_factory=dict, compare=False)

    @classmethod
    def default(cls) -> Filters:
        start, end = _default_period(timezone.localdate())
        return cls(date_from=start, date_to=end)

    @classmethod
    def from_query(cls, query: str | QueryDict, *, scope: Scope) -> Filters:
        """The filters of a URL's query, within ``scope``; what is invalid is left out (and
        listed in ``errors``)."""
        data = QueryDict(query) if isinstance(query, str) else query
        form = FilterForm(data, scope=scope)
        form.is_valid()
        cleaned = form.cleaned_data
        default = cls.default()
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        period_ok = not ({"date_from", "date_to"} & set(errors))
        return replace(
            default,
            date_from=(cleaned.get("date_from") if period_ok else None) or default.date_from,
            date_to=(cleaned.get("date_to") if period_ok else None) or default.date_to,
            region=cleaned.get("region") or "",
            specialty=cleaned.get("specialty") or "",
            course=cleaned.get("course"),
            track=cleaned.get("track"),
            organisation=(cleaned.get("organisation") or "").strip(),
            errors=errors,
        )

    def regions(self, scope: Scope) -> frozenset[str]:
        """The regions counted: the chosen one, or the whole scope."""
        return frozenset({self.region}) if self.region else scope.regions

    def as_query(self, **changes: object) -> str:
        """The filters as a URL query (only what differs from the defaults), with ``changes``."""
        values = replace(self, **changes) if changes else self  # type: ignore[arg-type]
        default = Filters.default()
        pairs: list[tuple[str, str]] = []
        if values.date_from != default.date_from:
            pairs.append(("date_from", values.date_from.isoformat()))
        if values.date_to != default.date_to:
            pairs.append(("date_to", values.date_to.isoformat()))
        for name in ("region", "specialty", "course", "track", "organisation"):
            value = getattr(values, name)
            if value not in ("", None):
                pairs.append((name, str(value)))
        return urlencode(pairs)

    @property
    def narrowed(self) -> bool:
        """Whether any filter other than the period is set."""
        return bool(self.region or self.specialty or self.course or self.track or self.organisation)
