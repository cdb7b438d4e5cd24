"""Two tabs of one quiz attempt (issue #11, item 9): the older tab never overwrites the newer.

A learner opens the attempt in two tabs, answers in tab B, then changes an answer in tab A,
whose page was built before B saved. A's autosave is refused: tab A says, in an alert, that the
attempt was changed in another tab or window and must be reloaded; the stored answers are B's.
After the reload, tab A shows B's answers and saves again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import PHONE, check_page, sign_in
from tests.browser.test_quiz import build_course, open_attempt, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHANGED = "This attempt was changed in another tab or window. Reload to continue."


@pytest.fixture
def site(migrated_db: None, live_server: Any) -> str:
    """The live server without the curricula (this test builds its own course)."""
    return str(live_server.url)


def stored(attempt_id: int) -> dict[int, Any]:
    from quizzes.models import AttemptAnswer

    return dict(
        AttemptAnswer.objects.filter(attempt_id=attempt_id).values_list("position", "response")
    )


def test_a_stale_tab_is_told_to_reload_and_the_newer_answers_stay(
    page_for: Any, site: str, axe_source: str, screenshot_dir: Path
) -> None:
    data = build_course()
    tab_a = page_for(PHONE)
    sign_in(tab_a, site, "aigerim", next_path=data.module_path, lands_on=f"**{data.module_path}")
    tab_a.goto(f"{site}{data.module_path}")
    attempt = open_attempt(tab_a, data)
    tab_b = tab_a.context.new_page()  # the same browser, signed in: a second tab
    tab_b.goto(tab_a.url)

    # The later edit, in tab B: autosaved.
    tab_b.locator("#question-1").get_by_text("Listen first").click()
    tab_b.locator("#autosave-status").filter(has_text="Saved at").wait_for()
    wait_until(lambda: stored(attempt.pk)[1] is not None)
    answers_of_b = stored(attempt.pk)

    # Tab A, built before B saved, changes another answer: its autosave is refused.
    tab_a.locator("#question-3").get_by_text("False").click()
    alert = tab_a.get_by_role("alert").filter(has_text=CHANGED)
    alert.wait_for()
    assert alert.is_visible()
    assert alert.get_by_role("link", name="Reload the page").is_visible()
    assert tab_a.locator("#autosave-status").inner_text() == ""
    check_page(tab_a, axe_source, "quiz-tabs-01-stale-tab-375", screenshot_dir)
    # What the learner sees where they are on the page: the bar at the top holds the alert.
    tab_a.screenshot(path=str(screenshot_dir / "quiz-tabs-01-stale-tab-375-viewport.png"))
    # Nothing more from tab A reaches the answers: not another change, not leaving the page.
    tab_a.locator("#question-1").get_by_text("Listen first").click()
    tab_a.wait_for_timeout(1000)
    assert stored(attempt.pk) == answers_of_b
    assert answers_of_b[1] is not None and answers_of_b[3] is None

    # Reloaded, tab A shows B's answers and saves again.
    alert.get_by_role("link", name="Reload the page").click()
    tab_a.wait_for_load_state()
    question_1 = tab_a.locator("#question-1").get_by_role("radio", name="Listen first")
    assert question_1.is_checked()
    assert tab_a.get_by_role("alert").inner_text() == ""  # still there, silent, for the next time
    tab_a.locator("#question-3").get_by_text("False").click()
    tab_a.locator("#autosave-status").filter(has_text="Saved at").wait_for()
    wait_until(lambda: stored(attempt.pk)[3] is not None)
    assert stored(attempt.pk)[1] == answers_of_b[1]
    check_page(tab_a, axe_source, "quiz-tabs-02-reloaded-375", screenshot_dir)
    tab_b.close()
