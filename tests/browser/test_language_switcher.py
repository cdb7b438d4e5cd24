"""Choosing the language in a browser (issue #13): a Kazakh-preference practitioner signs in on a
phone and lands in Kazakh, switches to Russian with the header's switcher (kept in their
profile); an anonymous reader switches /verify/ to Kazakh."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import PHONE, check_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_profiles_language_at_sign_in_then_the_switcher_keeps_the_choice(
    page_for: Any, site: str, axe_source: str, screenshot_dir: Path
) -> None:
    from learners.models import Profile
    from tests.factories import practitioner

    user = practitioner(username="kk-reader", first_name="Айгерім")
    Profile.objects.filter(user=user).update(preferred_language="kk")

    page = page_for(PHONE)
    sign_in(page, site, "kk-reader", lands_on="**/kk/learn/")
    assert page.locator("html").get_attribute("lang") == "kk"
    check_page(page, axe_source, "90-signed-in-lands-in-kazakh-phone", screenshot_dir)

    page.locator(".language-switcher").get_by_role("button", name="Русский").click()
    page.wait_for_url("**/ru/learn/")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert Profile.objects.get(user=user).preferred_language == "ru"
    check_page(page, axe_source, "91-switched-to-russian-phone", screenshot_dir)


def test_an_anonymous_reader_switches_verify_to_kazakh(
    page_for: Any, site: str, axe_source: str, screenshot_dir: Path
) -> None:
    from tests.factories.certification import CertificateFactory

    certificate = CertificateFactory(holder_name="Айгүл Серікқызы (fictional)")
    page = page_for(PHONE)
    page.goto(f"{site}/verify/{certificate.code}/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator(".language-switcher").get_by_role("link", name="Қазақ").click()
    page.wait_for_url(f"**/verify/{certificate.code}/")
    assert page.locator("html").get_attribute("lang") == "kk"
    page.reload()  # remembered
    assert page.locator("html").get_attribute("lang") == "kk"
    check_page(page, axe_source, "92-verify-in-kazakh-phone", screenshot_dir)
