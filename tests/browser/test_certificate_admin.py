"""A ministry administrator on a phone: finds a certificate in the CMS by the holder's name,
opens its record, revokes it with a reason, and the public check of its code says "Revoked"."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import DESKTOP, PHONE, check_page, settled, shows, sign_in_to_cms

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_ministry_administrator_revokes_a_certificate(
    page_for: Any, site: str, axe_source: str, screenshot_dir: Path
) -> None:
    from django.utils import timezone

    from certification.models import Certificate, CertificateStatus
    from tests.factories import UserFactory
    from tests.factories.certification import CertificateFactory, TrackFactory

    track = TrackFactory(name="Psychosocial support for returnee families")
    today = timezone.localdate()
    certificate = CertificateFactory(
        track=track,
        holder_name="Гүлнара Сейітқызы-Әбдірахманова",
        issued_on=today - timedelta(days=40),
        expires_on=today + timedelta(days=690),
    )
    CertificateFactory(track=track, holder_name="Марат Сейітов")
    UserFactory(username="ministry-a", first_name="Dana", last_name="Official", groups=["Ministry"])

    page = page_for(PHONE)
    sign_in_to_cms(page, site, "ministry-a", "/admin/certificates/")

    search = page.get_by_label("Search term")
    search.fill("сейітқызы")
    search.press("Enter")
    listing = page.locator("table.listing")
    listing.get_by_text("Марат Сейітов").wait_for(state="detached")
    assert "Гүлнара Сейітқызы-Әбдірахманова" in listing.inner_text()
    check_page(page, axe_source, "40-certificates-search-phone", screenshot_dir)

    listing.get_by_role("link", name="Гүлнара Сейітқызы-Әбдірахманова").click()
    page.wait_for_url(f"**/admin/certificates/inspect/{certificate.pk}/")
    main = page.locator("main")
    assert certificate.code in main.inner_text()
    assert main.locator(".w-status").text_content().strip() == "Valid"
    check_page(page, axe_source, "41-certificate-record-phone", screenshot_dir)

    page.get_by_role("link", name="Revoke").click()
    page.wait_for_url(f"**/admin/certificates/revoke/{certificate.pk}/")
    assert "Revoking cannot be undone." in main.inner_text()
    page.get_by_role("button", name="Revoke the certificate").click()  # no reason yet
    shows(main, "Give the reason for revoking the certificate.")
    check_page(page, axe_source, "42-certificate-revoke-needs-reason-phone", screenshot_dir)

    page.get_by_label("Reason for revoking").fill(
        "Issued in error: the final assessment was recorded for the wrong person."
    )
    page.get_by_role("button", name="Revoke the certificate").click()
    page.wait_for_url(f"**/admin/certificates/inspect/{certificate.pk}/")
    text = main.inner_text()
    assert "is revoked" in text  # the success message
    assert "Revocation" in text and "Dana Official" in text
    assert "recorded for the wrong person" in text
    check_page(settled(page), axe_source, "43-certificate-revoked-phone", screenshot_dir)

    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED

    page.goto(f"{site}/verify/{certificate.code}/")
    assert "Revoked" in page.locator("main").inner_text()
    assert "wrong person" not in page.content()  # the reason stays in the CMS
    check_page(page, axe_source, "44-verify-revoked-phone", screenshot_dir)

    # Unfiltered: with a filter on, Wagtail's own "Show filters" toggle shows a count that its
    # aria-label lacks, which axe reports (label-content-name-mismatch); that is Wagtail's.
    desk = page_for(DESKTOP)
    desk.context.add_cookies(page.context.cookies())
    desk.goto(f"{site}/admin/certificates/")
    rows = desk.locator("table.listing tbody tr")
    assert rows.count() == Certificate.objects.count() == 2
    assert "Revoked" in rows.filter(has_text="Гүлнара").text_content()  # shown in capitals
    assert "Valid" in rows.filter(has_text="Марат Сейітов").text_content()
    check_page(desk, axe_source, "45-certificates-desktop", screenshot_dir)
