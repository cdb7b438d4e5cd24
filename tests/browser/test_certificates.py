"""A holder on a phone: My learning shows their certificate, that renewal is open and what is left,
and the earlier certificate; the public check of each code says what a checker needs to know."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import PHONE, check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_holder_sees_renewal_and_history_and_checkers_see_the_status(
    page_for: Any, site: str, axe_source: str, screenshot_dir: Path
) -> None:
    from django.utils import timezone

    from certification.codes import new_code
    from certification.models import (
        Certificate,
        CertificateStatus,
        CertificationTrack,
        TrackRequirement,
    )
    from courses.api import CoursePage
    from tests.factories import practitioner

    course = CoursePage.objects.get(slug="trauma-informed-care", locale__language_code="en")
    track = CertificationTrack.objects.create(
        name="Psychosocial support for returnee families", slug="psychosocial"
    )
    TrackRequirement.objects.create(track=track, course=course)
    user = practitioner(
        username="gulnara", first_name="Гүлнара", last_name="Сейітқызы-Әбдірахманова"
    )
    today = timezone.localdate()
    versions = {str(course.pk): {"title": course.title, "version": course.version}}
    first = Certificate.objects.create(
        track=track,
        user=user,
        code=new_code(),
        holder_name=user.get_full_name(),
        issued_on=today - timedelta(days=760),
        expires_on=today - timedelta(days=30),
        status=CertificateStatus.VALID,
        course_versions=versions,
    )
    current = Certificate.objects.create(
        track=track,
        user=user,
        sequence=2,
        previous=first,
        code=new_code(),
        holder_name=user.get_full_name(),
        issued_on=today - timedelta(days=700),
        expires_on=today + timedelta(days=30),  # the renewal window (90 days) is open
        course_versions=versions,
    )

    page = page_for(PHONE)
    page.goto(f"{site}/en/accounts/login/")
    page.get_by_label("Username").fill("gulnara")
    page.get_by_label("Password").fill("a-long-test-password-1")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/en/learn/")
    main = page.locator("main")
    text = main.inner_text()
    assert "Psychosocial support for returnee families" in text
    assert "Renewal is open." in text
    # The shipped course's four module assessments, each to pass again.
    assert text.count(" again") >= 4
    page.get_by_text("Earlier certificates").click()
    assert "(expired)" in main.inner_text()  # past its date, even before the nightly task
    check_page(page, axe_source, "30-my-certificates-renewal-open-phone", screenshot_dir)

    page.get_by_role("link", name=f"/verify/{current.code}/").click()
    page.wait_for_url(f"**/verify/{current.code}/")
    text = page.locator("main").inner_text()
    assert "Valid" in text and "Сейітқызы-Әбдірахманова" in text
    check_page(page, axe_source, "31-verify-valid-phone", screenshot_dir)

    page.goto(f"{site}/verify/{first.code.replace('-', '').lower()}/")  # typed loosely
    text = page.locator("main").inner_text()
    assert "Expired" in text
    assert "This certificate was renewed on" in text
    check_page(page, axe_source, "32-verify-renewed-phone", screenshot_dir)
