"""Adding a mix of addresses to a cohort on a phone, in Russian (issue #12): a practitioner,
a ministry account, an unknown address and a typo. The message names every usable address
alike (it does not tell which has an account), names the typo, and nobody of another role is
added; the practitioner asked to join sees the join page and joins."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import DESKTOP, PHONE, check_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_trainer_adds_a_mix_of_addresses_in_russian_on_a_phone(
    page_for: Any, site: str, axe_source: str, screenshot_dir: Path
) -> None:
    from django.core import mail

    from learners.api import Cohort
    from tests.factories import UserFactory, practitioner

    trainer = UserFactory(username="trainer-scope", groups=["Trainer"])
    cohort = Cohort.objects.create(name="Психологи Туркестана (демо)")
    cohort.trainers.add(trainer)
    aigerim = practitioner(username="aigerim-scope", email="aigerim@example.org")
    ministry = UserFactory(username="ministry-scope", email="ministry@example.org",
                           groups=["Ministry"])  # fmt: skip

    page = page_for(PHONE)
    sign_in(page, site, "trainer-scope")
    page.goto(f"{site}/ru/learn/cohorts/{cohort.pk}/")
    page.get_by_label("Адреса электронной почты, по одному в строке").fill(
        "aigerim@example.org\nministry@example.org\nnew.person@example.org\nnew.person@example\n"
    )
    page.get_by_role("button", name="Добавить", exact=True).click()
    page.wait_for_url(f"**/ru/learn/cohorts/{cohort.pk}/")
    text = page.locator("main").inner_text()
    # One group for the three usable addresses, in the order typed; the typo on its own.
    assert "aigerim@example.org, ministry@example.org, new.person@example.org" in text
    field = page.get_by_label("Адреса электронной почты, по одному в строке")
    assert field.input_value() == "new.person@example"
    check_page(page, axe_source, "cohort-scope-1-mixed-addresses-ru-phone", screenshot_dir)
    members = set(cohort.members.values_list("email", flat=True))
    assert members == {"new.person@example.org"}  # neither the ministry nor Aigerim
    assert not ministry.cohorts.exists()

    # Aigerim opens the link she was sent, on a desktop, and joins.
    [join] = [m for m in mail.outbox if m.to == ["aigerim@example.org"]]
    path = re.search(r"(/\w\w/learn/cohorts/join/[^/\s]+/)", join.body)
    assert path, join.body
    hers = page_for(DESKTOP)
    sign_in(hers, site, "aigerim-scope")
    hers.goto(site + path.group(1).replace("/ru/", "/en/", 1))
    assert hers.get_by_role("heading", name=f"Join “{cohort.name}”?").is_visible()
    check_page(hers, axe_source, "cohort-scope-2-join-en-desktop", screenshot_dir)
    hers.get_by_role("button", name="Join the cohort").click()
    hers.wait_for_url("**/en/learn/")
    assert cohort.members.filter(pk=aigerim.pk).exists()

    phone = page_for(PHONE)
    sign_in(phone, site, "aigerim-scope")
    phone.goto(site + path.group(1))
    check_page(phone, axe_source, "cohort-scope-3-join-ru-phone", screenshot_dir)
