# ruff: noqa: RUF001 -- Cyrillic and en dashes are what is tested
"""The dashboard's SVG charts (reports/charts.py): well-formed SVG with an accessible name, the 20
regions on the tile map coloured by class, suppressed regions hatched, text escaped and in the
reader's language, bars proportional to their values, one marker per month on the trend.

No database: the charts are pure functions of their arguments."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from django.utils import translation
from django.utils.formats import date_format

from learners.api import REGION_CODES, region_name
from reports.charts import (
    MAP_CLASS_COLOURS,
    SERIES_STYLES,
    SHORT_NAMES,
    TILES,
    bar_chart_svg,
    contrast,
    line_chart_svg,
    region_map_svg,
)

NS = {"svg": "http://www.w3.org/2000/svg"}
SVG = "{http://www.w3.org/2000/svg}"
EVIL = '<script>alert("x")</script> & Co'


def parse(svg: str) -> ET.Element:
    """The chart as XML (fails the test if it is not well-formed)."""
    return ET.fromstring(svg)  # noqa: S314 -- our own output


def texts(element: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in element.iter(f"{SVG}text")]


def tiles(root: ET.Element) -> dict[str, ET.Element]:
    return {g.get("data-region", ""): g for g in root.iterfind(".//svg:g[@data-region]", NS)}


def draw_map(values: dict[str, float | None], labels: dict[str, str] | None = None) -> str:
    return region_map_svg(
        values=values,
        labels=labels or {},
        title="Share certified by region",
        description="Synthetic figures for a test.",
        legend_title="Share certified",
    )


def assert_accessible(root: ET.Element, title: str) -> None:
    """role="img", width 100% with a viewBox, and aria-labelledby naming its title and desc."""
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert re.fullmatch(r"0 0 \d+(\.\d+)? \d+(\.\d+)?", root.get("viewBox", ""))
    title_id, desc_id = root.get("aria-labelledby", "").split()
    assert root.find(f"svg:title[@id='{title_id}']", NS).text == title  # type: ignore[union-attr]
    assert root.find(f"svg:desc[@id='{desc_id}']", NS) is not None


# -- Region map ------------------------------------------------------------------------------


def test_the_tile_map_has_one_tile_per_region_with_its_code() -> None:
    root = parse(draw_map({}))

    assert_accessible(root, "Share certified by region")
    assert set(tiles(root)) == set(REGION_CODES)
    assert len(tiles(root)) == 20
    assert set(TILES) == set(REGION_CODES) == set(SHORT_NAMES)
    assert len(set(TILES.values())) == 20, "two regions on one tile"


@pytest.mark.parametrize(
    ("share", "expected_class", "shown"),
    [
        (0.0, 0, "0%"),
        (0.194, 0, "19%"),
        (0.196, 1, "20%"),  # coloured by the percentage it reads, never as 0-20 %
        (0.2, 1, "20%"),
        (0.5, 2, "50%"),
        (0.799, 4, "80%"),
        (0.61, 3, "61%"),
        (1.0, 4, "100%"),
    ],
)
def test_a_tile_is_coloured_by_the_class_of_its_share(
    share: float, expected_class: int, shown: str
) -> None:
    root = parse(draw_map({"KZ-35": share, "KZ-71": 0.05}))

    tile = tiles(root)["KZ-35"]
    assert tile.get("data-class") == str(expected_class)
    assert tile.find("svg:rect", NS).get("fill") == MAP_CLASS_COLOURS[expected_class]  # type: ignore[union-attr]
    assert shown in texts(tile)
    assert tiles(root)["KZ-71"].get("data-class") == "0"


def test_text_on_every_class_colour_has_enough_contrast() -> None:
    root = parse(draw_map({code: i / 19 for i, code in enumerate(sorted(REGION_CODES))}))

    seen = set()
    for tile in tiles(root).values():
        fill = tile.find("svg:rect", NS).get("fill", "")  # type: ignore[union-attr]
        seen.add(fill)
        for text in tile.iterfind("svg:text", NS):
            assert contrast(fill, text.get("fill", "")) >= 4.5, (fill, text.get("fill"))
    assert seen == set(MAP_CLASS_COLOURS)


def test_a_suppressed_or_missing_region_is_hatched_and_in_the_legend() -> None:
    root = parse(draw_map({"KZ-79": None, "KZ-75": 0.4}, labels={"KZ-79": "<5"}))

    shymkent, almaty, ulytau = (tiles(root)[code] for code in ("KZ-79", "KZ-75", "KZ-62"))
    patterns = {p.get("id") for p in root.iterfind(".//svg:pattern", NS)}
    for tile in (shymkent, ulytau):  # given as None; not given at all
        assert tile.get("data-class") == "suppressed"
        fill = tile.find("svg:rect", NS).get("fill", "")  # type: ignore[union-attr]
        assert re.fullmatch(r"url\(#(.+)\)", fill).group(1) in patterns  # type: ignore[union-attr]
    assert "<5" in texts(shymkent)
    assert "–" in texts(ulytau)
    assert "not shown" in (ulytau.find("svg:title", NS).text or "")  # type: ignore[union-attr]
    assert almaty.get("data-class") == "2"
    legend = root.find(".//svg:g[@class='chart-legend'][@data-class='suppressed']", NS)
    assert legend is not None
    assert "No data, or too few people to show" in texts(legend)
    assert len(root.findall(".//svg:g[@class='chart-legend']", NS)) == 6


def test_a_tile_label_replaces_the_percentage_and_shows_in_the_tooltip() -> None:
    root = parse(draw_map({"KZ-10": 0.5}, labels={"KZ-10": "12/24"}))

    abai = tiles(root)["KZ-10"]
    assert "12/24" in texts(abai)
    assert abai.find("svg:title", NS).text == "Abai Region: 12/24"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"KZ-99": 0.5}, "Not ISO 3166-2:KZ"),
        ({"KZ-ALM": 0.5}, "Not ISO 3166-2:KZ"),
        ({"KZ-10": 1.2}, "1 or less"),
        ({"KZ-10": -0.1}, "zero or more"),
        ({"KZ-10": float("nan")}, "must be a number"),
    ],
)
def test_the_map_refuses_an_unknown_code_or_a_share_outside_0_to_1(
    values: dict[str, float | None], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        draw_map(values)


def test_the_map_refuses_a_label_for_an_unknown_code() -> None:
    with pytest.raises(ValueError, match="KZ-00"):
        draw_map({}, labels={"KZ-00": "x"})


def test_map_text_is_escaped() -> None:
    svg = region_map_svg(
        values={"KZ-10": None, "KZ-11": 0.3},
        labels={"KZ-10": EVIL, "KZ-11": EVIL},
        title=EVIL,
        description=EVIL,
        legend_title=EVIL,
    )
    root = parse(svg)

    assert "<script" not in svg
    assert root.find("svg:title", NS).text == EVIL  # type: ignore[union-attr]
    assert root.find("svg:desc", NS).text == EVIL  # type: ignore[union-attr]
    assert EVIL in texts(root)  # the legend's title
    assert tiles(root)["KZ-11"].find("svg:title", NS).text == f"Akmola Region: {EVIL}"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("language", "short", "official", "percent"),
    [
        ("ru", "ЗКО", "Западно-Казахстанская область", "45"),
        ("kk", "БҚО", "Батыс Қазақстан облысы", "45"),
    ],
)
def test_the_map_speaks_russian_and_kazakh(
    language: str, short: str, official: str, percent: str
) -> None:
    with translation.override(language):
        root = parse(draw_map({"KZ-27": 0.45}))
        legend_name = region_name("KZ-27")

    west = tiles(root)["KZ-27"]
    assert short in texts(west)
    assert legend_name == official
    assert (west.find("svg:title", NS).text or "").startswith(f"{official}: ")  # type: ignore[union-attr]
    assert any(t.startswith(percent) and "%" in t for t in texts(west))
    assert "Abai" not in "".join(texts(root))


def test_two_charts_on_one_page_do_not_share_ids() -> None:
    first, second = parse(draw_map({})), parse(draw_map({}))

    ids = lambda root: {e.get("id") for e in root.iter() if e.get("id")}  # noqa: E731
    assert ids(first)
    assert not ids(first) & ids(second)


# -- Bar chart -------------------------------------------------------------------------------


def bar_widths(root: ET.Element) -> list[float]:
    return [float(r.get("width", "")) for r in root.iterfind(".//svg:g/svg:rect", NS)]


def test_bar_lengths_are_proportional_to_their_values() -> None:
    root = parse(
        bar_chart_svg(
            bars=[("Course A", 10, "10"), ("Course B", 40, "40"), ("Course C", 25, "25")],
            title="Completions",
            description="d",
        )
    )

    assert_accessible(root, "Completions")
    a, b, c = bar_widths(root)
    assert a / b == pytest.approx(0.25, abs=0.001)
    assert c / b == pytest.approx(0.625, abs=0.001)
    assert [t for t in texts(root) if t.isdigit()] == ["10", "40", "25"]


def test_max_value_sets_the_full_length() -> None:
    full = parse(bar_chart_svg(bars=[("A", 100, "100 %")], title="t", description="d"))
    half = parse(bar_chart_svg(bars=[("A", 50, "50 %")], title="t", description="d", max_value=100))

    assert bar_widths(half)[0] == pytest.approx(bar_widths(full)[0] / 2, abs=0.01)


def test_a_suppressed_bar_shows_its_text_and_no_bar() -> None:
    root = parse(
        bar_chart_svg(
            bars=[("Shown", 3, "3"), ("Hidden", None, "fewer than 5"), ("Also", None, "")],
            title="t",
            description="d",
        )
    )

    groups = root.findall("svg:g", NS)
    assert [g.get("class") for g in groups] == [
        "chart-bar",
        "chart-bar chart-bar--suppressed",
        "chart-bar chart-bar--suppressed",
    ]
    assert groups[1].find("svg:rect", NS) is None
    assert "fewer than 5" in texts(groups[1])
    assert "not shown" in texts(groups[2])
    assert len(bar_widths(root)) == 1


def test_bar_labels_are_escaped_and_long_ones_cut_short_with_a_full_tooltip() -> None:
    long_label = "Работа с детьми, вернувшимися домой: " + "очень " * 20
    svg = bar_chart_svg(bars=[(EVIL, 1, EVIL), (long_label, 2, "2")], title=EVIL, description="d")
    root = parse(svg)

    assert "<script" not in svg
    assert EVIL in texts(root)
    first, second = root.findall("svg:g", NS)
    assert first.find("svg:title", NS).text == f"{EVIL}: {EVIL}"  # type: ignore[union-attr]
    shown = texts(second)[0]
    assert shown.endswith("…") and len(shown) < len(long_label)
    assert long_label in (second.find("svg:title", NS).text or "")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("bars", "max_value", "message"),
    [
        ([("A", -1, "-1")], None, "zero or more"),
        ([("A", 5, "5")], 4, "above max_value"),
        ([("A", float("nan"), "?")], None, "must be a number"),
    ],
)
def test_bars_refuse_negative_values_and_values_above_the_maximum(
    bars: list[tuple[str, float | None, str]], max_value: float | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        bar_chart_svg(bars=bars, title="t", description="d", max_value=max_value)


def test_no_bars_is_a_chart_that_says_so() -> None:
    root = parse(bar_chart_svg(bars=[], title="Empty", description="d"))

    assert_accessible(root, "Empty")
    assert "No data to show." in texts(root)


# -- Line chart ------------------------------------------------------------------------------

MONTHS = [date(2024, m, 1) for m in range(9, 13)] + [date(2025, m, 1) for m in range(1, 5)]


def points(root: ET.Element, series: int) -> list[ET.Element]:
    return root.findall(f".//svg:g[@class='chart-point'][@data-series='{series}']", NS)


def test_each_series_has_one_point_per_month_and_its_own_marker_and_dash() -> None:
    root = parse(
        line_chart_svg(
            months=MONTHS,
            series=[
                ("Enrolled", [float(i * 3) for i in range(8)]),
                ("Completed", [float(i * 2) for i in range(8)]),
                ("Certified", [float(i) for i in range(8)]),
            ],
            title="Trend",
            description="d",
        )
    )

    assert_accessible(root, "Trend")
    shapes = set()
    for index in range(3):
        found = points(root, index)
        assert len(found) == len(MONTHS)
        shapes.add(found[0][1].tag)  # after its <title>
        xs = [float(p[1].get("cx") or p[1].get("x") or p[1].get("points", "0").split(",")[0])
              for p in found]  # fmt: skip
        assert xs == sorted(xs) and len(set(xs)) == len(xs)
    assert len(shapes) == 3
    dashes = {p.get("stroke-dasharray") for p in root.iterfind("svg:path", NS)}
    assert dashes == {style.dash or "none" for style in SERIES_STYLES}
    legend = root.findall("svg:g[@class='chart-legend']", NS)
    assert [texts(g)[0] for g in legend] == ["Enrolled", "Completed", "Certified"]


def test_a_missing_month_breaks_the_line_and_has_no_point() -> None:
    values: list[float | None] = [1.0, 2.0, None, 4.0, 5.0, 6.0, 7.0, 8.0]
    root = parse(line_chart_svg(months=MONTHS, series=[("A", values)], title="t", description="d"))

    assert len(points(root, 0)) == 7
    assert len(root.findall("svg:path", NS)) == 2


def test_higher_values_are_drawn_higher_and_the_y_axis_covers_them() -> None:
    root = parse(
        line_chart_svg(
            months=MONTHS[:3], series=[("A", [10.0, 37.0, 0.0])], title="t", description="d"
        )
    )

    ys = [float(p[1].get("cy", "")) for p in points(root, 0)]
    assert ys[1] < ys[0] < ys[2]
    ticks = [int(t) for t in texts(root) if t.isdigit() and t != "2024"]
    assert ticks[0] == 0 and ticks[-1] >= 37 and ticks == sorted(ticks)


def test_percent_series_read_as_percentages() -> None:
    root = parse(
        line_chart_svg(
            months=MONTHS[:2],
            series=[("Share", [0.25, 0.5])],
            title="t",
            description="d",
            percent=True,
        )
    )

    second = points(root, 0)[1].find("svg:title", NS)
    assert second is not None and second.text == "Share, October 2024: 50%"
    ticks = [t.text or "" for t in root.iterfind("svg:text[@class='chart-tick']", NS)]
    assert ticks[0] == "0%" and all(t.endswith("%") for t in ticks)
    assert int(ticks[-1].rstrip("%")) >= 50


def test_month_labels_are_in_the_active_language_and_thinned_on_a_long_range() -> None:
    months = [date(2024, m, 1) for m in range(1, 13)] + [date(2025, m, 1) for m in range(1, 7)]
    with translation.override("ru"):
        root = parse(
            line_chart_svg(
                months=months, series=[("Записано", [1.0] * 18)], title="t", description="d"
            )
        )
        january = date_format(date(2024, 1, 1), "M")

    labels = [t.text for t in root.iterfind("svg:text[@class='chart-month']", NS)]
    assert labels[0] == january != "Jan"
    assert 3 <= len(labels) <= 6
    assert "2024" in texts(root) and "2025" in texts(root)


def test_line_chart_text_is_escaped() -> None:
    svg = line_chart_svg(
        months=MONTHS[:2], series=[(EVIL, [1.0, 2.0])], title=EVIL, description=EVIL
    )
    root = parse(svg)

    assert "<script" not in svg
    assert EVIL in texts(root)
    assert (points(root, 0)[0].find("svg:title", NS).text or "").startswith(EVIL)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("series", "message"),
    [
        ([], "one to 3 series"),
        ([("a", [1.0]), ("b", [1.0]), ("c", [1.0]), ("d", [1.0])], "one to 3 series"),
        ([("a", [1.0, 2.0])], "has 2 values for 1 months"),
        ([("a", [-1.0])], "zero or more"),
    ],
)
def test_line_chart_refuses_bad_series(
    series: list[tuple[str, list[float | None]]], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        line_chart_svg(months=MONTHS[:1], series=series, title="t", description="d")
