"""Helpers for the browser tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def check_page(page: Any, axe_source: str, name: str, screenshot_dir: Path) -> None:
    """axe-core finds no WCAG 2.1 A/AA violation; nothing scrolls sideways; save a screenshot."""
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
    assert violations == [], f"{name}: {violations}"
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{name}: page is {width}px wide in a {viewport}px viewport"
    page.screenshot(path=str(screenshot_dir / f"{name}.png"), full_page=True)
