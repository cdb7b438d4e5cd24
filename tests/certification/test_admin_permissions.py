"""Every role against the certification screens of the CMS, the public verification page and the
holder's PDF: who may open what, and that a refused revocation changes nothing.

An answer is a status code, or where a refused user is sent: "login" (Wagtail's admin sign-in:
anonymous visitors and users without CMS access) or "dashboard" (Wagtail's own views, for CMS
users without the model permission). The certificates section answers CMS users without its
permission with a 403 page that says why.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from certification.models import Certificate, CertificateStatus, CertificationTrack
from tests.accounts.test_permissions import ROLES, sign_in
from tests.factories.certification import CertificateFactory

pytestmark = pytest.mark.django_db

Answer = int | str

CERTIFICATE_STAFF = {"Ministry", "admin"}  # view_certificate and revoke_certificate
TRACK_EDITORS = {"Trainer", "Ministry", "admin"}  # add/change/view certificationtrack
CMS_USERS = {"Trainer", "Course reviewer", "Ministry", "admin"}


def cms(allowed: set[str], *, ok: Answer = 200, refused: Answer = 403) -> dict[str | None, Answer]:
    """``ok`` for ``allowed``; ``refused`` for other CMS users; the sign-in page for the rest."""
    return {
        role: ok if role in allowed else refused if role in CMS_USERS else "login" for role in ROLES
    }


MATRIX: list[tuple[str, dict[str | None, Answer]]] = [
    ("/admin/certificates/", cms(CERTIFICATE_STAFF)),
    ("/admin/certificates/results/", cms(CERTIFICATE_STAFF)),
    ("/admin/certificates/?export=csv", cms(CERTIFICATE_STAFF)),
    ("/admin/certificates/?export=xlsx", cms(CERTIFICATE_STAFF)),
    ("/admin/certificates/inspect/{certificate}/", cms(CERTIFICATE_STAFF)),
    ("/admin/certificates/history/{certificate}/", cms(CERTIFICATE_STAFF)),
    ("/admin/certificates/revoke/{certificate}/", cms(CERTIFICATE_STAFF)),
    ("/admin/snippets/certification/certificationtrack/", cms(TRACK_EDITORS, refused="dashboard")),
    (
        "/admin/snippets/certification/certificationtrack/add/",
        cms(TRACK_EDITORS, refused="dashboard"),
    ),
    ("/verify/{code}/", dict.fromkeys(ROLES, 200)),
    # Someone else's PDF is a 404, like one that does not exist (the holder's own: below).
    ("/en/learn/certificates/{certificate}/certificate.pdf", {**dict.fromkeys(ROLES, 404), None: "login"}),
]  # fmt: skip


def check(response: Any, expected: Answer, context: Any) -> None:
    if expected == "login":
        assert response.status_code == 302, context
        assert "login" in response["Location"], context
    elif expected == "dashboard":
        assert response.status_code == 302, context
        assert response["Location"] == "/admin/", context
    else:
        assert response.status_code == expected, context


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
@pytest.mark.parametrize(("url", "expected"), MATRIX, ids=[u for u, _ in MATRIX])
def test_role_against_view(client: Client, role: str | None, url: str, expected: dict) -> None:
    certificate = CertificateFactory()
    sign_in(client, role)
    url = url.format(certificate=certificate.pk, code=certificate.code)
    response = client.get(url)
    check(response, expected[role], (role, url))
    if response.status_code == 403:
        assert "You do not have permission" in response.content.decode()


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_only_the_ministry_and_the_administrator_revoke(client: Client, role: str | None) -> None:
    certificate = CertificateFactory()
    sign_in(client, role)
    response = client.post(
        f"/admin/certificates/revoke/{certificate.pk}/", {"reason": "Issued in error"}
    )
    certificate.refresh_from_db()
    if role in CERTIFICATE_STAFF:
        assert response.status_code == 302
        assert response["Location"] == f"/admin/certificates/inspect/{certificate.pk}/"
        assert certificate.status == CertificateStatus.REVOKED
    else:
        check(response, cms(CERTIFICATE_STAFF)[role], role)
        assert certificate.status == CertificateStatus.VALID
        assert (certificate.revoked_at, certificate.revoked_by, certificate.revoked_reason) == (
            None,
            None,
            "",
        )


def test_the_holder_downloads_their_own_pdf(client: Client) -> None:
    certificate: Certificate = CertificateFactory()
    client.force_login(certificate.user)
    response = client.get(f"/en/learn/certificates/{certificate.pk}/certificate.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


# --- tracks, through the CMS's form --------------------------------------------------------------


def track_form(course_id: int) -> dict[str, Any]:
    return {
        "name": "Talking with children about their past",
        "slug": "talking-with-children",
        "description": "",
        "issuing_body": "Zhusan Academy",
        "requirements-TOTAL_FORMS": "1",
        "requirements-INITIAL_FORMS": "0",
        "requirements-MIN_NUM_FORMS": "0",
        "requirements-MAX_NUM_FORMS": "1000",
        "requirements-0-course": str(course_id),
        "requirements-0-specialty": "",
        "requirements-0-ORDER": "1",
        "validity_months": "24",
        "renewal_window_days": "90",
        "renewal_rule": "repass",
        "refresher_course": "",
        "active": "on",
    }


ADD_TRACK = "/admin/snippets/certification/certificationtrack/add/"


def test_the_ministry_adds_a_track_with_a_required_course(
    client: Client, sample_course: Any
) -> None:
    sign_in(client, "Ministry")
    response = client.post(ADD_TRACK, track_form(sample_course.pk))
    assert response.status_code == 302, response.content.decode()[:3000]
    track = CertificationTrack.objects.get(slug="talking-with-children")
    assert [r.course_id for r in track.requirements.all()] == [sample_course.pk]


@pytest.mark.parametrize("role", ["Practitioner", "Regional coordinator", "Course reviewer"])
def test_others_cannot_add_a_track(client: Client, sample_course: Any, role: str) -> None:
    sign_in(client, role)
    response = client.post(ADD_TRACK, track_form(sample_course.pk))
    assert response.status_code == 302
    assert not CertificationTrack.objects.filter(slug="talking-with-children").exists()
