"""The Content-Security-Policy holds in a real browser: the CMS (dashboard, page editor, a quiz
snippet's editor, the certificates admin, the userbar on a lesson) and the site (a lesson, a
quiz, My learning) load and work under it with no violation, on a phone and on a desktop, in
English and Russian.

Every page is watched for ``securitypolicyviolation`` events (recorded from before any script of
the page runs) and for the console's CSP messages; one of either fails the test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import DESKTOP, PHONE, check_page, sign_in, sign_in_to_cms

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Runs before the page's own scripts: keeps every violation the page reports.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ` +
    `${event.sourceFile}:${event.lineNumber} ${event.sample || ""}`
  );
});
"""


def watched(page: Any) -> list[str]:
    """Record CSP console messages of ``page``; returns the list they go to."""
    messages: list[str] = []

    def on_console(message: Any) -> None:
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            messages.append(text)

    page.on("console", on_console)
    page.add_init_script(RECORD_VIOLATIONS)
    return messages


def visit(page: Any, url: str, console: list[str]) -> None:
    """Open ``url``, let its scripts run, and fail on any CSP violation so far."""
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("style-src")[0]
    page.wait_for_load_state("networkidle")
    assert_no_violations(page, console, url)


def assert_no_violations(page: Any, console: list[str], where: str) -> None:
    violations = page.evaluate("window.__cspViolations || []")
    assert violations == [], f"{where}: {violations}"
    assert console == [], f"{where}: {console}"


def test_the_cms_works_under_the_policy(
    page_for: Any, site: str, axe_source: str, screenshot_dir: Path
) -> None:
    from courses.api import LessonPage
    from tests.factories import UserFactory
    from tests.factories.quizzes import make_quiz

    UserFactory(username="admin-csp", is_superuser=True, is_staff=True)
    lesson = LessonPage.objects.get(slug="every-block")
    quiz = make_quiz(title="Safety planning check")

    for viewport, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = page_for(viewport)
        console = watched(page)
        sign_in_to_cms(page, site, "admin-csp", "/admin/")
        assert_no_violations(page, console, "dashboard")
        if label == "desktop":
            page.screenshot(path=str(screenshot_dir / "90-csp-cms-dashboard-desktop.png"))

        # The page editor: StreamField, Draftail, choosers, the date pickers of the schedule
        # dialog, the live preview (framed by the CMS itself).
        visit(page, f"{site}/admin/pages/{lesson.pk}/edit/", console)
        editor = page.locator("form[data-edit-form], #page-edit-form").first
        editor.wait_for()
        toggle = page.locator("[data-side-panel-toggle='preview']")
        if toggle.count():
            toggle.first.click()
            page.locator("iframe[title], .preview-panel iframe").first.wait_for(timeout=10_000)
            page.wait_for_timeout(1500)  # the preview loads in its frame
        assert_no_violations(page, console, "page editor")
        page.screenshot(path=str(screenshot_dir / f"91-csp-page-editor-{label}.png"))

        # A quiz snippet: inline panels (with nonce'd init scripts), snippet choosers, date pickers.
        visit(page, f"{site}/admin/snippets/quizzes/quiz/edit/{quiz.pk}/", console)
        add = page.locator("#id_fixed_questions-ADD")
        if add.count():
            add.click()  # a new inline form: its chooser initialises under the policy
            page.wait_for_timeout(500)
        opens = page.locator("#id_opens_at")
        if opens.count() and opens.is_visible():
            opens.click()  # the date picker opens
            page.wait_for_timeout(300)
        assert_no_violations(page, console, "quiz editor")
        page.screenshot(path=str(screenshot_dir / f"92-csp-quiz-editor-{label}.png"))

        visit(page, f"{site}/admin/certificates/", console)
        if label == "phone":
            check_page(page, axe_source, "93-csp-certificates-admin-phone", screenshot_dir)
        assert_no_violations(page, console, "certificates admin")

        # The site's lesson page as the CMS user sees it: with Wagtail's userbar (its own
        # scripts, styles and accessibility checker).
        visit(page, f"{site}{lesson.url}", console)
        trigger = page.locator("#wagtail-userbar-trigger")  # inside the userbar's shadow root
        trigger.click()
        page.locator("#wagtail-userbar-items").wait_for()
        page.wait_for_timeout(1500)  # its accessibility checker runs
        assert_no_violations(page, console, "lesson with the userbar")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_site_works_under_the_policy(
    page_for: Any, site: str, axe_source: str, screenshot_dir: Path, language: str
) -> None:
    from courses.api import LessonPage
    from tests.factories import practitioner
    from tests.factories.quizzes import make_quiz, place_on_module

    for label in ("phone", "desktop"):
        practitioner(username=f"learner-csp-{language}-{label}")
    lesson = LessonPage.objects.get(slug="every-block")
    quiz = make_quiz(title="Safety planning check")
    place_on_module(quiz, lesson.get_parent().specific)

    for viewport, label in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page = page_for(viewport)
        console = watched(page)
        visit(page, f"{site}{lesson.url}", console)  # anonymous reader
        sign_in(page, site, f"learner-csp-{language}-{label}", next_path=f"/{language}/learn/")
        assert_no_violations(page, console, "sign-in")

        visit(page, f"{site}/{language}/learn/", console)
        check_page(page, axe_source, f"94-csp-my-learning-{language}-{label}", screenshot_dir)

        lesson_url = lesson.url.replace("/en/", f"/{language}/", 1)
        visit(page, f"{site}{lesson_url}", console)
        gate = page.locator("details.content-note__gate summary")
        if gate.count():
            gate.first.click()  # lesson.js keeps the section open
        assert_no_violations(page, console, "lesson")

        visit(page, f"{site}/{language}/learn/quizzes/{quiz.pk}/", console)
        page.locator("form[action$='/start/'] button").first.click()
        page.wait_for_url("**/attempts/**")
        page.locator("input[type=radio]").first.check()  # quiz.js autosaves in the background
        page.wait_for_timeout(1500)
        assert_no_violations(page, console, "quiz attempt")
        check_page(page, axe_source, f"95-csp-quiz-attempt-{language}-{label}", screenshot_dir)
