"""quiz.js speaks the page's language (issue #13): its words come from the djangojs catalogue.

In Kazakh the countdown and the autosave status are Kazakh; in Russian a countdown of days uses
the Russian plural ("2 дня").
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.browser.helpers import PHONE, sign_in
from tests.browser.test_quiz import build_course, open_attempt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(migrated_db: None, live_server: Any) -> str:
    """The live server without the curricula (this test builds its own course)."""
    return str(live_server.url)


def test_the_quiz_script_writes_in_the_pages_language(page_for: Any, site: str) -> None:
    from django.utils import timezone

    from quizzes.models import Attempt

    data = build_course(time_limit_minutes=60 * 24 * 3)
    page = page_for(PHONE)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, site, "aigerim", next_path=data.module_path, lands_on=f"**{data.module_path}")
    attempt = open_attempt(page, data)
    english = page.url

    page.goto(english.replace("/en/", "/kk/"))
    timer = page.get_by_role("timer")
    assert timer.inner_text().startswith("Қалған уақыт: 2 күн ")
    page.locator("#question-1").get_by_text("Listen first").click()
    page.locator("#autosave-status").filter(has_text="Сақталды: ").wait_for()

    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() + timedelta(days=5, minutes=30)
    )
    page.goto(english.replace("/en/", "/ru/"))
    assert page.get_by_role("timer").inner_text().startswith("Осталось времени: 5 дней 0:")
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() + timedelta(days=1, minutes=30)
    )
    page.reload()
    assert page.get_by_role("timer").inner_text().startswith("Осталось времени: 1 день 0:")

    page.goto(english)
    assert page.get_by_role("timer").inner_text().startswith("Time left: 1 day 0:")
    assert errors == []
