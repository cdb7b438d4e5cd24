"""Showing the dashboard's figures: a count or a share, or the hidden mark with its reason."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html

from ..suppression import HIDDEN_MARK, hidden_explanation

register = template.Library()


def _hidden() -> str:
    return format_html(
        '<span aria-hidden="true" title="{}">{}</span><span class="visually-hidden">{}</span>',
        hidden_explanation(),
        HIDDEN_MARK,
        hidden_explanation(),
    )


@register.filter
def count(cell: Any) -> str:
    """A count (grouped by the reader's locale), or the hidden mark."""
    if cell is None or cell.hidden:
        return _hidden()
    if cell.value is None:
        return "\N{EN DASH}"
    return number_format(cell.value, 0, force_grouping=True)


@register.filter
def share(cell: Any) -> str:
    """A rate as a whole percentage, or the hidden mark."""
    if cell is None or cell.hidden:
        return _hidden()
    if cell.value is None:
        return "\N{EN DASH}"
    return f"{number_format(round(100 * float(cell.value)), 0)}\N{NO-BREAK SPACE}%"


@register.filter
def number(cell: Any) -> str:
    """A number with one decimal (e.g. a median of days), or the hidden mark."""
    if cell is None or cell.hidden:
        return _hidden()
    if cell.value is None:
        return "\N{EN DASH}"
    return number_format(cell.value, 1)


@register.filter
def figure(figures: dict[str, Any], key: str) -> Any:
    """``figures[key]`` in a template."""
    return figures.get(key)


@register.simple_tag
def cell_of(grid: dict[Any, Any], region: str, specialty: str, measure: str) -> Any:
    return grid.get((region, specialty), {}).get(measure)
