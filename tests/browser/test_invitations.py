"""Invitations on a phone (issue #11): a trainer adds an unknown address to a cohort, the person
opens the link in the email, sets a password and is signed in; an expired link explains itself
and sends a new one."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import DESKTOP, PHONE, check_page, sign_in, sign_in_to_cms

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NEW_PASSWORD = "my-own-new-password-42"


def test_an_invited_person_sets_a_password_and_is_signed_in(
    page_for: Any, site: str, axe_source: str, screenshot_dir: Path
) -> None:
    from django.core import mail

    from learners.api import Cohort
    from tests.factories import UserFactory

    trainer = UserFactory(username="trainer-inv", groups=["Trainer"])
    cohort = Cohort.objects.create(name="Kyzylorda school psychologists (demo)")
    cohort.trainers.add(trainer)

    # The trainer adds a known-nobody address and a typo, on a phone.
    page = page_for(PHONE)
    sign_in(page, site, "trainer-inv")
    page.goto(f"{site}/en/learn/cohorts/{cohort.pk}/")
    page.get_by_label("Email addresses, one per line").fill(
        "dana.invited@example.org\ndana.invited@example\n"
    )
    page.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_url(f"**/en/learn/cohorts/{cohort.pk}/")
    text = page.locator("main").inner_text()
    assert "1 address taken: dana.invited@example.org." in text  # issue #12: one wording
    assert "1 line is not an email address" in text
    assert page.get_by_label("Email addresses, one per line").input_value() == (
        "dana.invited@example"
    )
    assert "Invited on" in page.locator("#not-signed-in").locator("..").inner_text()
    check_page(page, axe_source, "invitations-1-cohort-phone", screenshot_dir)

    # The invited person opens the link from the email, in a browser of their own.
    [message] = mail.outbox
    link = re.search(r"http://testserver(/en/accounts/invitation/\S+/)", message.body)
    assert link, message.body
    invited = page_for(PHONE)
    invited.goto(site + link.group(1))
    assert invited.get_by_role("heading", name="Welcome to Zhusan Academy").is_visible()
    check_page(invited, axe_source, "invitations-2-set-password-phone", screenshot_dir)
    invited.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    invited.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    invited.get_by_role("button", name="Save my password and sign in").click()
    # Signed in: a practitioner's first stop is their profile.
    invited.wait_for_url("**/en/learn/profile/**")
    assert "Your password is set and you are signed in." in invited.locator("body").inner_text()
    check_page(invited, axe_source, "invitations-3-signed-in-phone", screenshot_dir)

    # The trainer's page no longer lists them as waiting.
    page.reload()
    assert page.locator("#not-signed-in").count() == 0


def test_an_expired_invitation_offers_a_new_link(
    page_for: Any, site: str, axe_source: str, screenshot_dir: Path
) -> None:
    from django.core import mail
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from accounts.tokens import InvitationTokenGenerator
    from tests.factories import UserFactory

    class ThreeWeeksAgo(InvitationTokenGenerator):
        def _now(self) -> datetime:
            return datetime.now() - timedelta(days=21)

    user = UserFactory(username="late@example.org", email="late@example.org")
    user.set_unusable_password()
    user.save()
    token = ThreeWeeksAgo().make_token(user)
    uid = urlsafe_base64_encode(force_bytes(user.pk))

    for viewport, name in (
        (PHONE, "invitations-4-expired-phone"),
        (DESKTOP, "invitations-5-expired-desktop"),
    ):
        page = page_for(viewport)
        page.goto(f"{site}/ru/accounts/invitation/{uid}/{token}/")
        main = page.locator("main").inner_text()
        assert "Эта ссылка больше не работает" in main
        assert "14" in main  # how long invitation links work
        check_page(page, axe_source, name, screenshot_dir)

    page.get_by_label(re.compile("почт", re.I)).fill("late@example.org")
    page.get_by_role("button", name="Отправить мне новую ссылку").click()
    page.wait_for_url("**/ru/accounts/password/reset/sent/")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["late@example.org"]


def test_the_cms_import_shows_the_invitations_sent(
    page_for: Any, site: str, screenshot_dir: Path, tmp_path: Path
) -> None:
    from django.core import mail

    from tests.factories import UserFactory

    UserFactory(username="admin-inv", is_superuser=True, is_staff=True)
    path = tmp_path / "specialists.csv"
    path.write_bytes(
        "email;full_name;specialty;region;organisation;language\n"
        "aliya.cms@example.org;Алия Тестова;psychologist;Түркістан облысы;Орталық (ойдан);kk\n"
        "bota.cms@example.org;Бота Пример;social_worker;Алматы қаласы;Центр (вымышленный);ru\n".encode()
    )
    page = page_for(DESKTOP)
    sign_in_to_cms(page, site, "admin-inv", "/admin/specialists/import/")
    page.locator('input[type="file"]').set_input_files(str(path))
    page.get_by_role("button", name=re.compile("Import|Upload")).click()
    page.wait_for_url(re.compile(r".*/admin/specialists/import/\d+/$"))
    page.get_by_text("2 of 2 invitations sent.").wait_for()
    page.screenshot(path=str(screenshot_dir / "invitations-6-cms-import.png"), full_page=True)
    assert sorted(m.to[0] for m in mail.outbox) == ["aliya.cms@example.org", "bota.cms@example.org"]
