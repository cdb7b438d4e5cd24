"""A practitioner plays two interactive activities in a lesson (our decision scenario and our
myth-or-fact, packages the suite builds), and the lesson completes: on a phone and a desktop, in
English, Russian and Kazakh, with nothing loaded from outside the site."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import DESKTOP, PHONE, check_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: The lesson page's words, per language (the block's; the activities' own are in the package).
WORDS = {
    "en": {"completed": "You completed this activity.", "lesson": "The lesson is complete."},
    "ru": {"completed": "Вы выполнили это задание.", "lesson": "Урок пройден."},
    "kk": {"completed": "Сіз бұл тапсырманы орындадыңыз.", "lesson": "Сабақ аяқталды."},
}  # fmt: skip


def _activities(language: str) -> Any:
    """Both activities, built in ``language``, placed (required) in the flagship's first lesson
    in that language."""
    from courses.api import LessonPage
    from tests.factories.activities import (
        make_activity,
        myth_source,
        place_activity,
        scenario_source,
    )

    lesson = LessonPage.objects.get(slug="coming-home", locale__language_code=language)
    scenario = make_activity(scenario_source(), slug="scenario", language=language, mastery=60)
    myths = make_activity(myth_source(), slug="myths", language=language, mastery=75)
    place_activity(scenario, lesson)
    place_activity(myths, lesson)
    return lesson


def _open_gates(page: Any) -> None:
    """Unfold the sections behind the lesson's content note, as a reader who chooses to read on
    does (the activities are placed at the end of the lesson)."""
    gates = page.locator("details.content-note__gate:not([open]) > summary")
    while gates.count():
        gates.first.click()


def _settled(page: Any, index: int) -> None:
    """Wait until the ``index``-th activity's frame holds its content without scrolling.

    The player's bridge reports the content's height every 500 ms and the lesson page then
    resizes the frame, which moves what is inside it (the frame's own scroll resets) and what
    follows it. A click between the two can land beside its button: Playwright waits for an
    element to stand still inside its frame, not for the frame. The frame only ever grows, so
    once the content fits (within the bridge's 2 px) no resize is coming."""
    handle = page.locator(".activity__iframe").nth(index).element_handle()
    frame = handle.content_frame()
    assert frame is not None
    frame.wait_for_function(
        "() => Math.max(document.getElementById('h5p-container').scrollHeight,"
        " document.documentElement.scrollHeight) - window.innerHeight <= 2"
    )


def _click(page: Any, index: int, target: Any, then: Any) -> None:
    """Click ``target`` in the ``index``-th activity once its frame has settled, and wait for
    what the click shows (``then``)."""
    _settled(page, index)
    target.click()
    then.wait_for()


def _frame(page: Any, index: int) -> Any:
    """The activity's content: our sandboxed player page, once the player has started (its
    bridge has reported its height, which the lesson page gave the frame)."""
    page.wait_for_function(
        "(i) => { const f = document.querySelectorAll('.activity__iframe')[i];"
        " return f && f.style.height !== ''; }",
        arg=index,
    )
    return page.frame_locator(".activity__iframe").nth(index)


@pytest.mark.parametrize(
    ("language", "viewport", "size"),
    [
        ("en", PHONE, "phone"),
        ("en", DESKTOP, "desktop"),
        ("ru", DESKTOP, "desktop"),
        ("kk", PHONE, "phone"),
    ],
    ids=["en-phone", "en-desktop", "ru-desktop", "kk-phone"],
)
def test_play_two_activities_and_complete_the_lesson(
    page_for: Any,
    site: str,
    axe_source: str,
    screenshot_dir: Path,
    language: str,
    viewport: dict[str, int],
    size: str,
) -> None:
    from learners.models import LessonProgress
    from tests.factories import practitioner

    lesson = _activities(language)
    learner = practitioner(username="dana")
    learner.profile.preferred_language = language
    learner.profile.save()
    page = page_for(viewport)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    sign_in(page, site, "dana")
    page.goto(f"{site}{lesson.url}")
    _open_gates(page)
    sections = page.locator(".activity")
    assert sections.count() == 2
    words = WORDS[language]
    name = f"140-activity-{language}-{size}"

    # The decision scenario: three steps, the best choice each time (6 of 6).
    first = sections.nth(0)
    first.locator(".activity__button").click()
    scenario = _frame(page, 0)
    choice = scenario.get_by_role("button", name="Best choice 1")
    _click(page, 0, scenario.locator(".zds-button").first, choice)  # Start
    for step in (1, 2, 3):
        feedback = scenario.locator(".zds-feedback")
        _click(page, 0, scenario.get_by_role("button", name=f"Best choice {step}"), feedback)
        if step < 3:
            after = scenario.get_by_role("button", name=f"Best choice {step + 1}")
            _click(page, 0, scenario.locator(".zds-button").last, after)  # Continue
    first.locator(".activity__status").get_by_text(words["completed"]).wait_for()
    first.scroll_into_view_if_needed()
    check_page(page, axe_source, f"{name}-scenario-done", screenshot_dir)
    assert not LessonProgress.objects.filter(user=learner).exists()  # one activity is left

    # Myth or fact: statements 1 and 3 are facts. Each screen is waited for by what only it
    # shows: the answers (with the statement's number), then the verdict and "Next".
    second = sections.nth(1)
    second.locator(".activity__button").click()
    myths = _frame(page, 1)
    answers = myths.locator(".zmf-answer")
    _click(page, 1, myths.locator(".zmf-button").first, answers.first)  # Start
    for number in (1, 2, 3, 4):
        assert myths.locator(".zmf-statement__text").inner_text() == f"Statement {number}"
        _click(page, 1, answers.nth(1 if number % 2 else 0), myths.locator(".zmf-verdict"))
        if number < 4:
            following = myths.locator(".zmf-statement__text", has_text=f"Statement {number + 1}")
            _click(page, 1, myths.locator(".zmf-feedback ~ .zmf-actions .zmf-button"), following)
    second.locator(".activity__status").get_by_text(words["lesson"]).wait_for()
    assert LessonProgress.objects.filter(user=learner).count() == 1
    second.scroll_into_view_if_needed()
    check_page(page, axe_source, f"{name}-lesson-done", screenshot_dir)
    # The two activities as the reader sees them (the page's screenshot is the whole lesson).
    page.locator(".activity").first.evaluate("(e) => e.parentElement.scrollIntoView()")
    second.screenshot(path=str(screenshot_dir / f"{name}-myth-or-fact.png"))
    first.screenshot(path=str(screenshot_dir / f"{name}-scenario.png"))

    # The lesson page says so on the next visit, and the activity resumes at its end.
    page.reload()
    _open_gates(page)
    assert "✓" in page.locator("#progress").inner_text()  # "You completed this lesson on …"
    sections.nth(0).locator(".activity__button").click()
    sections.nth(0).locator(".activity__status").get_by_text(words["completed"]).wait_for()

    # Everything came from this site: the player, the libraries, the content.
    host = site.split("//", 1)[1]
    assert all(url.split("//", 1)[1].startswith(host) for url in requests if "//" in url)
    assert any("/static/h5p-standalone/frame.bundle.js" in url for url in requests)
    assert any("/h5p/libraries/Zhusan.MythOrFact-1.0/" in url for url in requests)


def test_the_activity_cannot_reach_the_learners_session(
    page_for: Any, site: str, screenshot_dir: Path
) -> None:
    """Scripts in the player run in an opaque origin: no cookies, no reading the site as the
    learner, and messages to the lesson page from anything but the player are ignored."""
    from tests.factories import practitioner

    lesson = _activities("en")
    practitioner(username="dana")
    page = page_for(DESKTOP)
    sign_in(page, site, "dana")
    page.goto(f"{site}{lesson.url}")
    _open_gates(page)
    page.locator(".activity").nth(0).locator(".activity__button").click()
    _frame(page, 0).locator(".zds-button").first.wait_for()
    player = next(f for f in page.frames if "/h5p/embed/" in f.url)
    assert player.evaluate("() => window.origin") == "null"
    cookie = player.evaluate(
        "() => { try { return document.cookie; } catch (e) { return 'blocked'; } }"
    )
    assert cookie == "blocked"
    read = player.evaluate(
        """async (url) => {
            try { const r = await fetch(url, {credentials: 'include'}); return await r.text(); }
            catch (e) { return 'blocked'; }
        }""",
        f"{site}/en/learn/",
    )
    assert read == "blocked"
    # A message from the lesson page's own window (not the player) records nothing.
    page.evaluate(
        """() => window.postMessage({type: 'statement', statement: {verb: {id: 'x'}}}, '*')"""
    )
    from xapi.models import Statement

    page.wait_for_timeout(300)
    assert not Statement.objects.exists()
