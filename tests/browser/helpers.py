"""Helpers for the browser tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def check_page(page: Any, axe_source: str, name: str, screenshot_dir: Path) -> None:
    """axe-core finds no WCAG 2.1 A/AA violation; nothing scrolls sideways; save a screenshot."""
    # Evaluated through the DevTools protocol, not added as an inline <script>: the site's
    # Content-Security-Policy (rightly) blocks inline scripts without its nonce.
    page.evaluate(f"{axe_source}\n;undefined")
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


def settled(page: Any) -> Any:
    """``page`` with every finite animation and transition run to its end (Wagtail's messages
    fading in, its lock banner, the 25-second pulse of its "new" badge), so that axe measures the
    colours the reader ends up seeing and the check need not wait for them."""
    page.evaluate(
        """() => document.getAnimations().forEach((animation) => {
            if (Number.isFinite(animation.effect?.getComputedTiming().endTime)) animation.finish();
        })"""
    )
    page.wait_for_function(
        "() => [...document.querySelectorAll('.messages > ul')]"
        ".every((list) => getComputedStyle(list).opacity === '1')"
    )
    return page


#: The password tests.factories.UserFactory gives every account.
PASSWORD = "a-long-test-password-1"


def shows(locator: Any, text: str) -> None:
    """Wait until ``locator`` contains ``text`` (Playwright's retrying assertion). After a click
    that loads a page, reading the page at once can catch the next one half parsed: a click
    does not wait for the page it starts to load."""
    from playwright.sync_api import expect

    expect(locator).to_contain_text(text)


def sign_in(
    page: Any, site: str, username: str, *, next_path: str = "", lands_on: str = ""
) -> None:
    """Sign in through the site's login page with the factories' password, then wait until the
    browser is at ``lands_on`` (a URL glob), or for the next page to load."""
    page.goto(f"{site}/en/accounts/login/" + (f"?next={next_path}" if next_path else ""))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    if lands_on:
        page.wait_for_url(lands_on)
    else:
        page.wait_for_load_state()


def sign_in_to_cms(page: Any, site: str, username: str, next_path: str) -> None:
    """Sign in through the CMS's login page and wait until the browser is at ``next_path``."""
    page.goto(f"{site}/admin/login/?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{next_path}")
