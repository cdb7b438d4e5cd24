"""``with_marks``: the reader's ticks on a body rendered once for every reader.

A course page's outline is the same for everyone and is rendered once per language and publish
(``{% memo %}`` in ``course_page.html``). Each lesson in it starts ``<li><!--tick:ID-->`` and
each module carries ``<!--state:ID-->``; this filter turns those marks into the reader's state
from a "…_marks" slot (``done`` and ``started`` page ids), with the markup of ``tick.html`` and
``state_badge.html``, so the outline looks exactly as it would rendered for the reader.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

_MARK = re.compile(r"<li><!--tick:(\d+)-->|<!--state:(\d+)-->")


@cache
def _pieces(language: str) -> tuple[str, str, str]:
    """A done lesson's tick, a done module's and a started module's state, in ``language``."""
    done = {"done": {1}, "started": set()}
    started = {"done": set(), "started": {1}}
    return (
        render_to_string("courses/includes/tick.html", {"id": 1, "marks": done}),
        render_to_string("courses/includes/state_badge.html", {"id": 1, "marks": done}),
        render_to_string("courses/includes/state_badge.html", {"id": 1, "marks": started}),
    )


@register.filter
def with_marks(body: str, marks: Mapping[str, Any] | None) -> SafeString:
    """``body`` (our own rendered template) with its marks replaced by the reader's state."""
    done = set((marks or {}).get("done", ()))
    started = set((marks or {}).get("started", ()))
    tick, module_done, module_started = _pieces(get_language() or "")

    def replace(match: re.Match[str]) -> str:
        lesson, module = match.groups()
        if lesson is not None:
            return f'<li class="is-done">{tick}' if int(lesson) in done else "<li>"
        page_id = int(module)
        if page_id in done:
            return module_done
        return module_started if page_id in started else ""

    return mark_safe(_MARK.sub(replace, str(body)))  # noqa: S308 - our template's output
