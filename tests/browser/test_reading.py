"""A practitioner on a phone: opens the catalogue, reads a lesson, pauses at a content note.

Every page is checked with axe-core against WCAG 2.1 A and AA, for horizontal scrolling at
375 px, and for requests leaving the site; screenshots of the key pages are saved to
test-artifacts/screenshots/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import DESKTOP, PHONE, check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_read_a_lesson_on_a_phone(
    page_for: Any, site: str, axe_source: str, screenshot_dir: Path
) -> None:
    page = page_for(PHONE)
    page.goto(f"{site}/en/courses/")
    assert page.locator("h1").inner_text() == "Courses"
    check_page(page, axe_source, "01-catalogue-phone", screenshot_dir)

    page.get_by_role("link", name="Trauma-informed care for returnee families").click()
    page.wait_for_url("**/trauma-informed-care/")
    assert page.get_by_role("heading", name="What you will be able to do").is_visible()
    check_page(page, axe_source, "02-course-phone", screenshot_dir)

    page.get_by_role("link", name="Start the course").click()
    page.wait_for_url("**/understanding-trauma-and-return/coming-home/")
    assert "Lesson 1 of" in page.locator("main").inner_text()
    check_page(page, axe_source, "03-lesson-phone", screenshot_dir)

    page.locator("a[rel=next]").click()
    page.wait_for_url("**/what-long-danger-does/")
    assert "Lesson 2 of" in page.locator("main").inner_text()


def test_content_note_holds_back_material_until_the_reader_chooses(
    page_for: Any, site: str, axe_source: str, screenshot_dir: Path
) -> None:
    page = page_for(PHONE)
    page.goto(f"{site}/en/courses/sample-course/first-module/every-block/")
    hidden = page.get_by_text("Text behind the content note.")
    assert not hidden.is_visible()
    assert page.get_by_text("The next part mentions the loss of a parent.").is_visible()
    check_page(page, axe_source, "04-content-note-closed-phone", screenshot_dir)

    # Keyboard only: focus the "continue" control and open it with Enter.
    summary = page.get_by_text("Continue to this section")
    summary.focus()
    page.keyboard.press("Enter")
    assert hidden.is_visible()
    check_page(page, axe_source, "05-content-note-open-phone", screenshot_dir)

    page.get_by_role("link", name="Pause and come back later").click()
    page.wait_for_url("**/en/courses/sample-course/")


def test_skip_link_is_the_first_stop_and_visible(page_for: Any, site: str) -> None:
    page = page_for(PHONE)
    page.goto(f"{site}/en/courses/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    box = page.locator(".skip-link").bounding_box()
    assert box is not None
    assert box["x"] >= 0


def test_lesson_on_a_desktop(
    page_for: Any, site: str, axe_source: str, screenshot_dir: Path
) -> None:
    page = page_for(DESKTOP)
    page.goto(
        f"{site}/en/courses/trauma-informed-care/supporting-mothers-and-children/talking-about-the-past/"
    )
    page.get_by_text("Continue to this section").first.click()
    check_page(page, axe_source, "06-lesson-desktop", screenshot_dir)
    page.goto(f"{site}/en/")
    check_page(page, axe_source, "07-home-desktop", screenshot_dir)
    page.goto(f"{site}/en/accounts/login/")
    check_page(page, axe_source, "08-login-desktop", screenshot_dir)


@pytest.mark.parametrize("width", [320, 768])
def test_pages_fit_narrow_and_medium_screens(
    page_for: Any, site: str, axe_source: str, screenshot_dir: Path, width: int
) -> None:
    page = page_for({"width": width, "height": 800})
    for name, path in [
        ("catalogue", "/en/courses/"),
        ("course", "/en/courses/trauma-informed-care/"),
        ("lesson", "/en/courses/sample-course/first-module/every-block/"),
    ]:
        page.goto(f"{site}{path}")
        check_page(page, axe_source, f"09-{name}-{width}", screenshot_dir)
