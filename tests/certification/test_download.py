"""The holder downloads their certificate from My learning; the QR code in it opens the
verification page, which says the certificate is valid."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from certification.codes import new_code
from certification.models import Certificate, CertificationTrack
from certification.services import certificate_revoke
from tests.certification.helpers import pdf_text, qr_codes
from tests.factories import UserFactory, practitioner

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate() -> Certificate:
    user = practitioner(first_name="Айгерім", last_name="Нұрланова")
    track = CertificationTrack.objects.create(
        name="Psychosocial support for returnee families", slug="ps"
    )
    today = timezone.localdate()
    return Certificate.objects.create(
        track=track,
        user=user,
        code=new_code(),
        holder_name="Айгерім Нұрланова",
        issued_on=today,
        expires_on=today + timedelta(days=730),
        course_versions={"1": {"title": "Trauma-informed care", "version": "1.0"}},
    )


def test_my_learning_lists_the_certificate(client: Client, certificate: Certificate) -> None:
    client.force_login(certificate.user)
    html = client.get("/en/learn/").content.decode()
    assert "Psychosocial support for returnee families" in html
    assert f"/en/learn/certificates/{certificate.pk}/certificate.pdf" in html
    assert f"/verify/{certificate.code}/" in html


def test_the_holder_downloads_the_pdf_and_its_qr_code_verifies(
    client: Client, certificate: Certificate, tmp_path: Path
) -> None:
    client.force_login(certificate.user)
    response = client.get(f"/en/learn/certificates/{certificate.pk}/certificate.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(response.content)
    text = pdf_text(pdf)
    for expected in ("Айгерім Нұрланова", "Psychosocial support", certificate.code):
        assert expected in text
    codes = qr_codes(pdf, tmp_path)
    assert len(codes) == 1
    url = codes[0].text
    assert url.endswith(f"/verify/{certificate.code}/")
    path = url[url.index("/verify/") :]
    assert "Valid" in Client().get(path).content.decode()


def test_someone_elses_certificate_is_a_404(client: Client, certificate: Certificate) -> None:
    client.force_login(practitioner())
    assert client.get(f"/en/learn/certificates/{certificate.pk}/certificate.pdf").status_code == 404
    client.logout()
    response = client.get(f"/en/learn/certificates/{certificate.pk}/certificate.pdf")
    assert response.status_code == 302 and "login" in response["Location"]


def download(client: Client, certificate: Certificate, tmp_path: Path) -> tuple[Any, str]:
    client.force_login(certificate.user)
    response = client.get(f"/en/learn/certificates/{certificate.pk}/certificate.pdf")
    assert response.status_code == 200
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(response.content)
    return response, pdf_text(pdf)


def test_a_valid_pdf_says_valid_until_and_nothing_of_expiry_or_revocation(
    client: Client, certificate: Certificate, tmp_path: Path
) -> None:
    _response, text = download(client, certificate, tmp_path)
    assert "Valid until" in text
    for word in ("Revoked", "REVOKED", "Expired", "EXPIRED", "no longer valid"):
        assert word not in text


def test_a_revoked_pdf_is_marked_revoked_on_its_date_and_names_whom_to_contact(
    client: Client, certificate: Certificate, tmp_path: Path, settings: Any
) -> None:
    settings.CERTIFICATE_CONTACT_EMAIL = "certificates@academy.example.kz"
    certificate_revoke(
        certificate=certificate, by=UserFactory(groups=["Ministry"]), reason="Issued in error"
    )
    day = date_format(timezone.localdate(), "j F Y")
    response, text = download(client, certificate, tmp_path)
    assert f"REVOKED ON {day.upper()}" in text  # the notice at the top
    assert "This certificate has been withdrawn and is not valid." in text
    assert "For questions, contact certificates@academy.example.kz." in text
    assert f"Revoked on {day}" in text  # in the facts, instead of "Valid until"
    assert "Valid until" not in text
    assert "Issued in error" not in text  # the reason is the ministry's record, not the PDF's
    assert "-revoked.pdf" in response["Content-Disposition"]
    # Its QR code still opens the verification page, which says revoked.
    (code,) = qr_codes(tmp_path / "certificate.pdf", tmp_path)
    assert "Revoked" in Client().get(code.text[code.text.index("/verify/") :]).content.decode()


def test_a_revoked_pdf_without_a_contact_address_names_the_issuing_body(
    client: Client, certificate: Certificate, tmp_path: Path, settings: Any
) -> None:
    settings.CERTIFICATE_CONTACT_EMAIL = ""
    certificate_revoke(certificate=certificate, by=UserFactory(groups=["Ministry"]), reason="x")
    _response, text = download(client, certificate, tmp_path)
    assert "For questions, contact Zhusan Academy." in text


@pytest.mark.parametrize("marked", [True, False], ids=["marked-by-the-nightly-task", "not-yet"])
def test_an_expired_pdf_is_marked_expired_on_its_date(
    client: Client, certificate: Certificate, tmp_path: Path, marked: bool
) -> None:
    expired_on = timezone.localdate() - timedelta(days=3)
    Certificate.objects.filter(pk=certificate.pk).update(
        expires_on=expired_on, status="expired" if marked else "valid"
    )
    certificate.refresh_from_db()
    response, text = download(client, certificate, tmp_path)
    day = date_format(expired_on, "j F Y")
    assert f"EXPIRED ON {day.upper()}" in text
    assert "This certificate is no longer valid." in text
    assert f"Expired on {day}" in text
    assert "Valid until" not in text
    assert "-expired.pdf" in response["Content-Disposition"]


def test_the_pdf_in_russian_is_marked_revoked_in_russian(
    certificate: Certificate, tmp_path: Path
) -> None:
    from django.utils import translation

    certificate_revoke(certificate=certificate, by=UserFactory(groups=["Ministry"]), reason="x")
    # The PDF is in the holder's language (their profile's).
    certificate.user.profile.preferred_language = "ru"
    certificate.user.profile.save()
    client = Client()
    client.force_login(certificate.user)
    with translation.override("ru"):
        response = client.get(f"/ru/learn/certificates/{certificate.pk}/certificate.pdf")
    pdf = tmp_path / "ru.pdf"
    pdf.write_bytes(response.content)
    text = pdf_text(pdf)
    assert "Отозван".upper() in text  # the mark across the page and the notice
    assert "Этот сертификат отозван и недействителен." in text


def test_the_qr_code_and_printed_link_use_site_url(
    client: Client, certificate: Certificate, tmp_path: Path, settings: Any
) -> None:
    settings.SITE_URL = "https://academy.example.kz"
    _response, text = download(client, certificate, tmp_path)
    expected = f"https://academy.example.kz/verify/{certificate.code}/"
    assert expected in text.replace(" ", "")
    assert [code.text for code in qr_codes(tmp_path / "certificate.pdf", tmp_path)] == [expected]
