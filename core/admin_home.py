"""A panel on the CMS dashboard: a heading and the links one app offers the signed-in person.

Each app builds its list in its own ``construct_homepage_panels`` hook, with its own permission
checks, and hands it to :class:`HomePanel`; the panel only draws it
(``core/admin_home_panel.html``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from wagtail.admin.ui.components import Component

__all__ = ["HomeLink", "HomePanel"]


@dataclass(frozen=True)
class HomeLink:
    """One link on a dashboard panel, with a line saying what is there."""

    url: str
    label: str | Promise
    help: str | Promise


class HomePanel(Component):
    """A dashboard panel: ``name`` (its id), ``heading``, ``links``; lower ``order`` first."""

    template_name = "core/admin_home_panel.html"

    def __init__(
        self, *, name: str, heading: str | Promise, links: list[HomeLink], order: int
    ) -> None:
        self.name = name
        self.heading = heading
        self.links = links
        self.order = order

    def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
        return {
            "panel_id": self.name.replace("_", "-"),
            "heading": self.heading,
            "links": self.links,
        }
