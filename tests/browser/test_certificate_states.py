"""On a phone: My learning with a revoked certificate (revoked on its date, whom to contact, never
"valid until") and a certification being worked towards (what is left); the public check of an
unknown code (a clear page in the site's layout, status 404)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import DESKTOP, PHONE, check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_my_learning_with_a_revoked_certificate_and_a_track_worked_towards(
    page_for: Any, site: str, axe_source: str, screenshot_dir: Path, settings: Any
) -> None:
    from django.utils import timezone
    from django.utils.formats import date_format

    from certification.codes import new_code
    from certification.models import Certificate, CertificationTrack, TrackRequirement
    from certification.services import certificate_revoke
    from courses.api import CoursePage
    from learners.api import enrollment_create
    from tests.factories import UserFactory, practitioner

    settings.CERTIFICATE_CONTACT_EMAIL = "certificates@academy.example.kz"
    care = CoursePage.objects.get(slug="trauma-informed-care", locale__language_code="en")
    sample = CoursePage.objects.get(slug="sample-course")
    revoked_track = CertificationTrack.objects.create(
        name="Multi-agency coordination", slug="coordination"
    )
    working = CertificationTrack.objects.create(
        name="Psychosocial support for returnee families", slug="psychosocial"
    )
    TrackRequirement.objects.create(track=working, course=care)
    TrackRequirement.objects.create(track=working, course=sample)
    user = practitioner(username="aigerim", first_name="Айгерім", last_name="Нұрланова")
    enrollment_create(user=user, course=care)
    today = timezone.localdate()
    certificate = Certificate.objects.create(
        track=revoked_track,
        user=user,
        code=new_code(),
        holder_name=user.get_full_name(),
        issued_on=today - timedelta(days=365),
        expires_on=today + timedelta(days=365),
    )
    certificate_revoke(
        certificate=certificate, by=UserFactory(groups=["Ministry"]), reason="Issued in error"
    )

    page = page_for(PHONE)
    page.goto(f"{site}/en/accounts/login/")
    page.get_by_label("Username").fill("aigerim")
    page.get_by_label("Password").fill("a-long-test-password-1")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    page.goto(f"{site}/en/learn/")
    text = " ".join(page.locator("main").inner_text().split())
    revoked_on = date_format(today, "j F Y")
    assert f"Revoked on {revoked_on}" in text
    assert "This certificate is no longer valid." in text
    assert "certificates@academy.example.kz" in text
    assert "Issued in error" not in text
    assert "valid until" not in text.lower().split("working towards")[0]
    assert "Certifications you are working towards" in text
    assert "0 of 2 courses done" in text
    assert f"{care.title} (0% done, what is left)" in text
    assert "(not started)" in text
    check_page(page, axe_source, "33-my-learning-revoked-and-working-towards-phone", screenshot_dir)

    page.goto(f"{site}/kk/learn/")
    text = page.locator("main").inner_text()
    assert "Бұл сертификат енді жарамсыз." in text
    assert "Сіз алуға ұмтылып жүрген сертификаттар" in text
    check_page(
        page, axe_source, "36-my-learning-revoked-and-working-towards-kk-phone", screenshot_dir
    )

    desktop = page_for(DESKTOP)
    desktop.context.add_cookies(page.context.cookies())
    desktop.goto(f"{site}/en/learn/")
    check_page(
        desktop, axe_source, "34-my-learning-revoked-and-working-towards-desktop", screenshot_dir
    )


def test_an_unknown_code_gets_a_clear_page_with_status_404(
    page_for: Any, site: str, axe_source: str, screenshot_dir: Path
) -> None:
    from certification.codes import new_code

    page = page_for(PHONE)
    response = page.goto(f"{site}/verify/{new_code()}/")
    assert response is not None and response.status == 404
    text = page.locator("main").inner_text()
    assert "No certificate has this code" in text
    assert "Check the code against the certificate" in text
    check_page(page, axe_source, "35-verify-unknown-code-phone", screenshot_dir)
