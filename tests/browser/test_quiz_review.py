"""A change to a live quiz waits for review (issue #12, finding 2): a trainer whose CMS is in
Russian lowers a module quiz's pass mark and submits it to the "Course review" workflow (desktop
and phone); the live quiz keeps its pass mark; a Course reviewer approves it in the CMS, and the
new pass mark is live; the history names both."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import DESKTOP, PHONE, check_page, settled, sign_in_to_cms

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTING = re.compile(r".*/admin/snippets/quizzes/quiz/$")


def footer_action(page: Any, selector: str) -> None:
    """Press the edit view's footer action ``selector``: open the footer's "more actions" menu
    first when the action is inside it."""
    button = page.locator(f"footer {selector}").first
    if not button.is_visible():
        page.locator("footer [data-w-dropdown-target='toggle']").first.click()
    button.click()


def test_a_trainer_submits_a_pass_mark_and_a_reviewer_approves_it(
    page_for: Any, site: str, axe_source: str, screenshot_dir: Path
) -> None:
    from wagtail.models import ModelLogEntry
    from wagtail.users.models import UserProfile

    from quizzes.models import Quiz
    from tests.factories import UserFactory

    quiz = Quiz.objects.order_by("pk").first()
    assert quiz is not None and quiz.live
    before = quiz.pass_mark
    trainer = UserFactory(
        username="trainer-ru", first_name="Айгерим", last_name="Тренерова", groups=["Trainer"]
    )
    profile = UserProfile.get_for_user(trainer)
    profile.preferred_language = "ru"
    profile.save()
    UserFactory(
        username="reviewer-en", first_name="Dana", last_name="Reviewer", groups=["Course reviewer"]
    )
    edit = f"/admin/snippets/quizzes/quiz/edit/{quiz.pk}/"

    page = page_for(DESKTOP)
    sign_in_to_cms(page, site, "trainer-ru", edit)
    page.locator("#id_pass_mark").fill("0")
    footer_action(page, '[name="action-submit"]')
    page.wait_for_url(LISTING)  # back to the quizzes, with a message saying it was submitted
    assert page.locator("html").get_attribute("lang") == "ru"
    check_page(settled(page), axe_source, "90-quiz-submitted-for-review-ru-desktop", screenshot_dir)
    quiz.refresh_from_db()
    assert quiz.pass_mark == before and quiz.has_unpublished_changes

    phone = page_for(PHONE)
    sign_in_to_cms(phone, site, "trainer-ru", edit)
    assert phone.locator("#id_pass_mark").input_value() == "0"  # the draft, for its author
    check_page(settled(phone), axe_source, "91-quiz-awaiting-review-ru-phone", screenshot_dir)

    reviewer = page_for(DESKTOP)
    sign_in_to_cms(reviewer, site, "reviewer-en", edit)
    # "Approve" (the one without a comment dialog), as the reviewer's dashboard offers it too.
    footer_action(
        reviewer, '[data-workflow-action-name="approve"]:not([data-workflow-action-modal-url])'
    )
    reviewer.wait_for_url(LISTING)
    quiz.refresh_from_db()
    assert quiz.pass_mark == 0 and not quiz.has_unpublished_changes
    check_page(settled(reviewer), axe_source, "92-quiz-approved-en-desktop", screenshot_dir)

    reviewer.goto(f"{site}/admin/snippets/quizzes/quiz/history/{quiz.pk}/")
    history = reviewer.locator("main").inner_text()
    assert "Айгерим Тренерова" in history and "Dana Reviewer" in history
    assert "Approved" in history
    check_page(reviewer, axe_source, "93-quiz-history-en-desktop", screenshot_dir)
    assert ModelLogEntry.objects.filter(
        object_id=str(quiz.pk), action="wagtail.workflow.approve", user__username="reviewer-en"
    ).exists()
