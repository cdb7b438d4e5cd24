"""The holder downloads their certificate from My learning; the QR code in it opens the
verification page, which says the certificate is valid."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from certification.codes import new_code
from certification.models import Certificate, CertificationTrack
from tests.certification.helpers import pdf_text, qr_codes
from tests.factories import practitioner

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
