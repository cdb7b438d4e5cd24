"""The learner's path on a phone (issue #11, item 4): read the last lesson of a module, mark it
complete and see it confirmed in place (the place and the opened section kept), go "Next" into
the module's quiz, pass it, go on to module 2, and find the module ticked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import DESKTOP, PHONE, check_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAST_LESSON = "/en/courses/path-course/first-module/after-the-visit/"
FIRST_MODULE = "/en/courses/path-course/first-module/"
SECOND_MODULE = "/en/courses/path-course/second-module/"


@pytest.fixture
def site(migrated_db: None, live_server: Any) -> str:
    """The live server with only the course these tests build (overrides ``conftest.site``)."""
    return str(live_server.url)


def build_course() -> None:
    """Two modules; the first has two lessons (the second with a content note folding a long
    section) and ends with a one-question quiz."""
    from tests.factories import CoursePageFactory, LessonPageFactory, ModulePageFactory
    from tests.factories.quizzes import make_question, make_quiz, place_on_module

    course = CoursePageFactory(title="Path course", slug="path-course", completion_mode="mark")
    first = ModulePageFactory(parent=course, title="Listening first", slug="first-module")
    second = ModulePageFactory(parent=course, title="Talking with children", slug="second-module")
    LessonPageFactory(parent=first, title="Coming home", slug="coming-home")
    long_text = "\n\n".join(
        f"Paragraph {n}: a practitioner's notes from a composite visit, kept calm and factual."
        for n in range(1, 25)
    )
    LessonPageFactory(
        parent=first,
        title="After the visit",
        slug="after-the-visit",
        body=[
            ("markdown", "## Before you start\n\nRead at your own pace."),
            ("content_note", {"note": "The next section mentions loss and separation."}),
            ("markdown", long_text),
        ],
    )
    LessonPageFactory(parent=second, title="Questions children ask", slug="questions")
    quiz = make_quiz(
        [make_question("single_choice", text="What comes first?")], title="Module 1 check"
    )
    place_on_module(quiz, first)
    from certification.models import TrackRequirement
    from tests.factories.certification import TrackFactory

    track = TrackFactory(name="Psychosocial support", validity_months=24)
    TrackRequirement.objects.create(track=track, course=course)
    TrackRequirement.objects.create(track=track, course=CoursePageFactory(title="Another course"))


def pass_the_module_quiz(page: Any) -> None:
    """From the link to the quiz ``build_course`` made: start it, answer right, submit, and land
    on the review, passed."""
    page.wait_for_url("**/learn/quizzes/**")
    page.get_by_role("button", name="Start the quiz").click()
    page.get_by_label("Listen first").check()
    page.get_by_role("button", name="Finish attempt…").click()
    page.get_by_role("button", name="Submit and finish").click()
    page.wait_for_url("**/review/**")
    assert "passed" in page.locator("main").inner_text()


def test_lesson_to_quiz_to_next_module_on_a_phone(
    page_for: Any, site: str, axe_source: str, screenshot_dir: Path
) -> None:
    from tests.factories import practitioner

    build_course()
    practitioner(username="dana", first_name="Dana")
    page = page_for(PHONE)
    sign_in(page, site, "dana", lands_on="**/en/learn/")

    page.goto(f"{site}{LAST_LESSON}")
    page.get_by_text("Continue to this section").click()  # open the folded section
    gate = page.locator("details.content-note__gate")
    assert gate.evaluate("d => d.open")
    button = page.get_by_role("button", name="Mark this lesson as complete")
    button.scroll_into_view_if_needed()
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 0
    button.click()
    confirmation = page.locator("#progress").get_by_text("Lesson completed.")
    confirmation.wait_for()
    # In place: no reload, the section still open, the reader where they were.
    assert page.url == f"{site}{LAST_LESSON}"
    assert gate.evaluate("d => d.open")
    assert abs(page.evaluate("window.scrollY") - scrolled) < 80
    status = page.locator("#progress-status")
    assert "Lesson completed." in status.inner_text()
    assert "Next: the module quiz, “Module 1 check”." in status.inner_text()
    check_page(page, axe_source, "70-lesson-completed-in-place-phone", screenshot_dir)

    # A reload keeps the section open (sessionStorage) and the record.
    page.reload()
    assert gate.evaluate("d => d.open")
    assert "You completed this lesson on" in page.locator("#progress").inner_text()

    # "Next" goes to the module's quiz, not into module 2.
    next_link = page.locator("#lesson-pager").get_by_role("link", name="Next: the module quiz")
    assert "Module 1 check" in next_link.inner_text()
    quiz_path = next_link.get_attribute("href")
    next_link.click()
    pass_the_module_quiz(page)
    check_page(page, axe_source, "71-quiz-passed-next-module-phone", screenshot_dir)
    page.get_by_role("link", name="Go on to module 2").click()
    page.wait_for_url(f"**{SECOND_MODULE}")
    assert "Talking with children" in page.locator("h1").inner_text()

    # The quiz page itself leads on too.
    page.go_back()
    page.get_by_role("link", name="Back to the quiz").click()
    page.wait_for_url(f"**{quiz_path}")  # the result page has the same link
    assert page.get_by_role("link", name="Go on to module 2").is_visible()
    check_page(page, axe_source, "72-quiz-page-next-module-phone", screenshot_dir)

    # Module 1 ticks the lesson done and the quiz passed; one lesson is still to read.
    page.goto(f"{site}{FIRST_MODULE}")
    main = page.locator("main")
    assert main.locator(".tick").count() == 1
    assert "After the visit" in main.locator("li.is-done").inner_text()
    assert main.get_by_role("link", name="After the visit").is_visible()
    assert "You passed this quiz." in main.inner_text()
    assert "In progress" in main.inner_text()
    check_page(page, axe_source, "73-module-ticked-phone", screenshot_dir)

    # The course page ticks it too, and so does My learning, truthfully "In progress".
    page.goto(f"{site}/en/courses/path-course/")
    main = page.locator("main")
    assert main.locator(".tick").count() == 1
    assert "In progress" in main.inner_text()
    assert (
        "counts towards the certificate “Psychosocial support”, with 1 other" in main.inner_text()
    )
    check_page(page, axe_source, "75-course-ticked-phone", screenshot_dir)
    page.set_viewport_size(DESKTOP)
    check_page(page, axe_source, "77-course-ticked-desktop", screenshot_dir)
    page.set_viewport_size(PHONE)
    page.goto(f"{site}/en/learn/")
    text = page.locator("main").inner_text()
    assert "In progress" in text
    assert "You are not taking a course yet." not in text
    assert "Next: Coming home" in text  # the first thing still to do
    check_page(page, axe_source, "76-my-learning-in-progress-phone", screenshot_dir)


def test_completing_without_javascript_returns_to_the_progress_panel(
    browser: Any, site: str, axe_source: str, screenshot_dir: Path
) -> None:
    from tests.factories import practitioner

    build_course()
    practitioner(username="saule")
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, site, "saule", lands_on="**/en/learn/")
        page.goto(f"{site}{LAST_LESSON}")
        page.get_by_role("button", name="Mark this lesson as complete").click()
        page.wait_for_url(f"**{LAST_LESSON}#progress")
        progress = page.locator("#progress").inner_text()
        assert "Lesson completed." in progress
        assert "Next: the module quiz, “Module 1 check”." in progress
        check_page_no_js(page, "74-lesson-completed-no-js-phone", screenshot_dir)
    finally:
        context.close()


def check_page_no_js(page: Any, name: str, screenshot_dir: Path) -> None:
    """axe needs scripts; without them, check the width and keep the screenshot."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]
    page.screenshot(path=str(screenshot_dir / f"{name}.png"), full_page=False)
