"""The specialists import speaks the uploader's language: a ministry clerk whose CMS is in
Russian uploads, on a phone, a Windows-1251 file that lost its Kazakh letters and has a misspelt
region, and reads why it was refused in Russian. Names and places are fictional."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import PASSWORD, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SPREADSHEET = (
    "email;full_name;specialty;region;organisation;language\r\n"
    "aigul.lang@example.org;Айгүл Нұрланова;psychologist;KZ-75;;kk\r\n"
    "dana.lang@example.org;Дана Примерова;psychologist;Павлодарска область;;ru\r\n"
)


def test_a_russian_clerk_reads_the_refusal_in_russian(
    page_for: Any, site: str, screenshot_dir: Path, tmp_path: Path
) -> None:
    from wagtail.users.models import UserProfile

    from tests.factories import UserFactory

    clerk = UserFactory(username="clerk-ru", is_superuser=True, is_staff=True)
    profile = UserProfile.get_for_user(clerk)
    profile.preferred_language = "ru"
    profile.save()
    spreadsheet = tmp_path / "specialists.csv"
    spreadsheet.write_bytes(SPREADSHEET.encode("cp1251", errors="replace"))

    page = page_for(PHONE)
    page.goto(f"{site}/admin/login/?next=/admin/specialists/import/")
    page.locator("#id_username").fill("clerk-ru")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url("**/admin/specialists/import/")
    page.locator('input[type="file"]').set_input_files(str(spreadsheet))
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r".*/admin/specialists/import/\d+/$"))
    page.get_by_text("Сохраните файл как «CSV UTF-8»", exact=False).wait_for()
    text = page.locator("main").inner_text()
    assert "строка 2, столбец «full_name»" in text
    assert "возможно, вы имели в виду «Павлодарская область (KZ-55)»?" in text
    page.screenshot(path=str(screenshot_dir / "85-import-refused-ru-phone.png"), full_page=True)
