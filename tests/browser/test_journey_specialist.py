"""From a ministry's spreadsheet to a passed module quiz (issue #11, item 10).

An administrator uploads a Windows-1251, semicolon-separated file with Kazakh region names, as
Excel saves it on a Russian-language Windows. The specialist named in it gets the invitation
(console email: the locmem outbox here), sets a password on a phone, lands on My learning, reads
the last lesson of the first module, goes "Next" into the module's quiz, passes it and finds the
module ticked. Names and places are fictional.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import DESKTOP, PHONE, check_page, sign_in_to_cms
from tests.browser.test_learner_path import (
    FIRST_MODULE,
    LAST_LESSON,
    build_course,
    pass_the_module_quiz,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "saule-chooses-her-own-42"
# Every letter here is one Windows-1251 can hold: Kazakh region names whose spelling needs none
# of the nine Kazakh letters Russian lacks, as clerks type them.
SPREADSHEET = (
    "email;full_name;specialty;region;organisation;language\r\n"
    "saule.journey@example.org;Saule Example;psychologist;Атырау облысы;"
    "Центр поддержки семьи (вымышленный);en\r\n"
    "marat.journey@example.org;Марат Примеров;social_worker;Жамбыл облысы;"
    "Акимат (вымышленный);kk\r\n"
)


@pytest.fixture
def site(migrated_db: None, live_server: Any) -> str:
    """The live server with only the course the learner-path tests build."""
    return str(live_server.url)


def test_from_a_cp1251_spreadsheet_to_a_passed_module_quiz(
    page_for: Any, site: str, axe_source: str, screenshot_dir: Path, tmp_path: Path
) -> None:
    from django.core import mail

    from learners.models import Profile
    from tests.factories import UserFactory

    build_course()
    UserFactory(username="admin-journey", is_superuser=True, is_staff=True)
    spreadsheet = tmp_path / "specialists.csv"
    spreadsheet.write_bytes(SPREADSHEET.encode("cp1251"))

    # The administrator uploads the file in the CMS.
    admin = page_for(DESKTOP)
    sign_in_to_cms(admin, site, "admin-journey", "/admin/specialists/import/")
    admin.locator('input[type="file"]').set_input_files(str(spreadsheet))
    admin.get_by_role("button", name=re.compile("Import|Upload")).click()
    admin.wait_for_url(re.compile(r".*/admin/specialists/import/\d+/$"))
    admin.get_by_text("2 of 2 invitations sent.").wait_for()
    assert "2 created" in admin.locator("main").inner_text()
    admin.screenshot(path=str(screenshot_dir / "80-journey-import-desktop.png"), full_page=True)

    # The Kazakh region names were read, and each invitation is in its reader's language.
    from django.contrib.auth.models import User

    marat = User.objects.get(email="marat.journey@example.org")
    assert marat.get_full_name() == "Марат Примеров"
    assert Profile.objects.get(user=marat).region == "KZ-31"  # Jambyl
    saule = User.objects.get(email="saule.journey@example.org")
    assert Profile.objects.get(user=saule).region == "KZ-23"  # Atyrau
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"marat.journey@example.org", "saule.journey@example.org"}
    assert "/kk/accounts/invitation/" in by_address["marat.journey@example.org"].body
    invitation = by_address["saule.journey@example.org"].body
    link = re.search(r"https?://[^/\s]+(/en/accounts/invitation/\S+/)", invitation)
    assert link, invitation

    # Saule opens the link on her phone and chooses a password.
    page = page_for(PHONE)
    page.goto(site + link.group(1))
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save my password and sign in").click()
    # Her profile came with the import, so she lands straight on My learning.
    page.wait_for_url("**/en/learn/")
    check_page(page, axe_source, "81-journey-my-learning-phone", screenshot_dir)

    # She reads the last lesson of the first module and marks it complete.
    page.goto(f"{site}{LAST_LESSON}")
    page.get_by_role("button", name="Mark this lesson as complete").click()
    page.locator("#progress").get_by_text("Lesson completed.").wait_for()
    check_page(page, axe_source, "82-journey-lesson-completed-phone", screenshot_dir)

    # "Next" leads into the module's quiz, which she passes.
    page.locator("#lesson-pager").get_by_role("link", name="Next: the module quiz").click()
    pass_the_module_quiz(page)
    check_page(page, axe_source, "83-journey-quiz-passed-phone", screenshot_dir)

    # The module page ticks the lesson and the quiz.
    page.goto(f"{site}{FIRST_MODULE}")
    main = page.locator("main")
    assert "After the visit" in main.locator("li.is-done").inner_text()
    assert "You passed this quiz." in main.inner_text()
    check_page(page, axe_source, "84-journey-module-ticked-phone", screenshot_dir)
