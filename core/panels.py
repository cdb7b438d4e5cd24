"""Panels: how a higher app shows its part of a lower app's page without the lower app knowing it.

A page's template marks a *slot* with ``{% panels "slot name" subject %}`` (tag library
``zhusan``). An app above registers a panel for the slot (usually in its ``AppConfig.ready``):
a template of its own and a function that reads what the template needs. When the page is
rendered, each panel's function is called with the request and the subject (the page, or the
user), and its template is rendered with the page's context plus what the function returned;
a function that returns None shows nothing. The outputs are joined in ``order``.

So the dependency goes one way: ``courses`` names its slots and knows nothing of ``learners`` or
``quizzes``, which fill them, as completion requirements (``learners.api.register_requirement``)
and curriculum extensions (``courses.api.register_curriculum_extension``) already work.

A panel's function runs once per request and subject, however many slots use it, so two slots
that show one learner's record cost one query.

Some slots want facts rather than HTML: which lessons of an outline the reader has done, so the
page can tick them in its own list. Such a slot is read with ``{% slot_context "slot" subject as
name %}`` and filled with :func:`register_context`: each provider returns a mapping, and the page
gets them merged (a key two providers give as sets is their union). The same once-per-request
cache applies, so a provider that reuses a panel's function (:func:`cached_data`) costs nothing
more.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template import Context
from django.utils.safestring import SafeString, mark_safe

__all__ = [
    "Panel",
    "PanelData",
    "cached_data",
    "panels_for",
    "register_context",
    "register_panel",
    "render_panels",
    "slot_context",
]

#: Reads what a panel shows: ``(request, subject) -> context`` (None: show nothing).
PanelData = Callable[[HttpRequest | None, Any], Mapping[str, Any] | None]


@dataclass(frozen=True)
class Panel:
    """What one app shows in one slot of another app's page."""

    slot: str
    template: str
    data: PanelData
    order: int = 0


_PANELS: dict[str, list[Panel]] = {}
_CONTEXTS: dict[str, list[PanelData]] = {}


def register_panel(slot: str, *, template: str, data: PanelData, order: int = 0) -> Panel:
    """Show ``template`` in ``slot``, with the context ``data`` returns. Registering the same
    panel again changes nothing (``ready`` may run twice in tests)."""
    panel = Panel(slot, template, data, order)
    registered = _PANELS.setdefault(slot, [])
    if panel not in registered:
        registered.append(panel)
        registered.sort(key=lambda p: p.order)
    return panel


def panels_for(slot: str) -> list[Panel]:
    """The panels registered for ``slot``, in order."""
    return list(_PANELS.get(slot, ()))


def register_context(slot: str, *, data: PanelData) -> PanelData:
    """Add what ``data`` returns to the facts a page reads with ``{% slot_context "slot" … %}``.
    Registering the same function again changes nothing."""
    registered = _CONTEXTS.setdefault(slot, [])
    if data not in registered:
        registered.append(data)
    return data


def cached_data(
    data: PanelData, request: HttpRequest | None, subject: Any
) -> Mapping[str, Any] | None:
    """``data(request, subject)``, once per request and subject (panels and contexts share it)."""
    if request is None:
        return data(request, subject)
    cache: dict[tuple[Any, ...], Any] = request.__dict__.setdefault("_zhusan_panels", {})
    key = (data, type(subject), getattr(subject, "pk", id(subject)))
    if key not in cache:
        cache[key] = data(request, subject)
    result: Mapping[str, Any] | None = cache[key]
    return result


def _data(panel: Panel, request: HttpRequest | None, subject: Any) -> Mapping[str, Any] | None:
    return cached_data(panel.data, request, subject)


def slot_context(request: HttpRequest | None, slot: str, subject: Any) -> dict[str, Any]:
    """The facts the providers of ``slot`` give about ``subject``, merged (empty when none has
    anything: a template reads missing keys as nothing)."""
    merged: dict[str, Any] = {}
    for data in _CONTEXTS.get(slot, ()):
        found = cached_data(data, request, subject)
        for key, value in (found or {}).items():
            current = merged.get(key)
            if isinstance(current, (set, frozenset)) and isinstance(value, (set, frozenset)):
                merged[key] = current | value
            else:
                merged[key] = value
    return merged


def render_panels(context: Context, slot: str, subject: Any) -> SafeString:
    """Render every panel of ``slot`` for ``subject`` inside ``context`` (the context of the
    template being rendered): the HTML, or an empty string when no panel has anything to show."""
    request = context.get("request")
    engine = context.template.engine  # type: ignore[union-attr]  # set while a template renders
    parts = []
    for panel in panels_for(slot):
        data = _data(panel, request, subject)
        if data is None:
            continue
        with context.push(**data):
            html = engine.get_template(panel.template).render(context).strip()
        if html:
            parts.append(html)
    return mark_safe("\n".join(parts))  # noqa: S308 - each part rendered by our own templates
