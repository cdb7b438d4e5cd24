"""Sign-in defences in a browser (issue #12): the lockout page after wrong passwords, setting up
two-step sign-in with the QR code, and signing in with a code, on a phone and a desktop, in
English, Russian and Kazakh."""

from __future__ import annotations

from base64 import b32decode
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import DESKTOP, PASSWORD, PHONE, check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_from_secret(secret: str) -> str:
    """What an authenticator app shows for the key printed under the QR code."""
    from django_otp.oath import totp

    return f"{totp(b32decode(secret.replace(' ', ''))):06d}"


def password_step(page: Any, site: str, language: str, username: str, password: str) -> None:
    page.goto(f"{site}/{language}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.parametrize(("viewport", "language"), [(PHONE, "ru"), (DESKTOP, "kk")])
def test_wrong_passwords_lead_to_the_lockout_page(
    page_for: Any,
    site: str,
    axe_source: str,
    screenshot_dir: Path,
    viewport: dict[str, int],
    language: str,
) -> None:
    from django.conf import settings

    from tests.factories import UserFactory

    UserFactory(username=f"locked-{language}")
    page = page_for(viewport)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        password_step(page, site, language, f"locked-{language}", "not-my-password")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("h1").count() == 1
    name = "phone" if viewport is PHONE else "desktop"
    check_page(page, axe_source, f"sign-in-lockout-{language}-{name}", screenshot_dir)
    # The right password does not get through during the cool-off.
    password_step(page, site, language, f"locked-{language}", PASSWORD)
    assert "/accounts/login/" in page.url
    assert page.locator("input[name=password]").count() == 0  # still the lockout page


def test_an_administrator_turns_on_two_step_sign_in_and_signs_in_with_a_code(
    page_for: Any, site: str, axe_source: str, screenshot_dir: Path
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.factories import UserFactory

    UserFactory(username="admin-2fa", is_staff=True, is_superuser=True)

    # Setting it up, on a desktop: the QR code and the key, then a code from the app.
    page = page_for(DESKTOP)
    password_step(page, site, "en", "admin-2fa", PASSWORD)
    page.goto(f"{site}/en/accounts/two-factor/")
    assert page.locator(".qr-code svg").is_visible()
    check_page(page, axe_source, "two-step-1-set-up-desktop", screenshot_dir)
    secret = page.locator("code.secret").inner_text()
    page.get_by_label("Code").fill(code_from_secret(secret))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.wait_for_load_state()
    codes = page.locator(".backup-codes code").all_inner_texts()
    assert len(codes) == 10
    check_page(page, axe_source, "two-step-2-backup-codes-desktop", screenshot_dir)

    # As if the app's next 30-second code had come: a code is accepted once only.
    TOTPDevice.objects.filter(user__username="admin-2fa").update(last_t=-1)

    # Signing in on a phone, in Kazakh: the password, then the code, then the CMS.
    phone = page_for(PHONE)
    phone.goto(f"{site}/admin/login/?next=/admin/")
    phone.locator("input[name=username]").fill("admin-2fa")
    phone.locator("input[name=password]").fill(PASSWORD)
    phone.locator("form button[type=submit]").click()
    phone.wait_for_url("**/accounts/two-factor/code/**")
    phone.goto(phone.url.replace("/en/", "/kk/"))
    assert phone.locator("html").get_attribute("lang") == "kk"
    check_page(phone, axe_source, "two-step-3-code-kk-phone", screenshot_dir)
    phone.locator("input[name=code]").fill(code_from_secret(secret))
    phone.locator("form.form button[type=submit]").click()
    phone.wait_for_url("**/admin/")
    assert "/accounts/" not in phone.url


def test_a_backup_code_signs_in_on_a_phone_in_russian(
    page_for: Any, site: str, axe_source: str, screenshot_dir: Path
) -> None:
    from accounts.services import totp_enrolment_confirm, totp_enrolment_start
    from tests.factories import UserFactory

    user: Any = UserFactory(username="ministry-2fa", groups=["Ministry"])
    device = totp_enrolment_start(user=user)
    codes = totp_enrolment_confirm(
        user=user, device_id=device.pk, token=code_from_secret(_secret_of(device))
    )
    assert codes is not None

    page = page_for(PHONE)
    password_step(page, site, "ru", "ministry-2fa", PASSWORD)
    assert "/accounts/two-factor/code/" in page.url
    page.locator("input[name=code]").fill("12345678")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[role=alert]").count() >= 1
    check_page(page, axe_source, "two-step-4-wrong-code-ru-phone", screenshot_dir)
    page.wait_for_timeout(1100)  # django-otp waits 1 s after a wrong code
    page.locator("input[name=code]").fill(codes[0])
    page.locator("form.form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/accounts/" not in page.url


def _secret_of(device: Any) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode()
