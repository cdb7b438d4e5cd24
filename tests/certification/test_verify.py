"""Public verification: status, name, certification and dates; nothing more; no enumeration."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from certification.codes import new_code
from certification.models import Certificate, CertificationTrack
from tests.factories import practitioner

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate() -> Certificate:
    user = practitioner(first_name="Анна", last_name="Петрова", email="anna.petrova@example.org")
    track = CertificationTrack.objects.create(name="Psychosocial support", slug="ps")
    today = timezone.localdate()
    return Certificate.objects.create(
        track=track,
        user=user,
        code=new_code(),
        holder_name="Анна Петрова",
        issued_on=today - timedelta(days=10),
        expires_on=today + timedelta(days=700),
    )


@pytest.fixture(autouse=True)
def window(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A fresh limit, held in one minute however long the requests take (a test that
    crossed a minute boundary on a slow machine saw its count start again)."""
    cache.clear()
    current = ["202612041200"]
    monkeypatch.setattr("certification.views._window", lambda: current[0])
    return current


def test_a_valid_certificate_shows_its_facts_and_nothing_personal(
    client: Client, certificate: Certificate
) -> None:
    response = client.get(f"/verify/{certificate.code}/")
    assert response.status_code == 200
    html = response.content.decode()
    for expected in ("Valid", "Анна Петрова", "Psychosocial support", "Zhusan Academy"):
        assert expected in html
    profile = certificate.user.profile
    for private in (certificate.user.email, profile.organisation, certificate.user.username):
        assert private not in html
    assert 'name="robots" content="noindex"' in html


def test_a_code_typed_loosely_is_found(client: Client, certificate: Certificate) -> None:
    typed = certificate.code.lower().replace("-", "")
    assert client.get(f"/verify/{typed}/").status_code == 200


@pytest.mark.parametrize(
    ("status", "expires", "label"),
    [("revoked", 700, "Revoked"), ("expired", -1, "Expired"), ("valid", -1, "Expired")],
    ids=["revoked", "expired", "past-expiry-before-the-nightly-task"],
)
def test_status(
    client: Client, certificate: Certificate, status: str, expires: int, label: str
) -> None:
    certificate.status = status
    certificate.expires_on = timezone.localdate() + timedelta(days=expires)
    certificate.save()
    assert label in client.get(f"/verify/{certificate.code}/").content.decode()


def test_an_unknown_code_gets_a_clear_404_page_that_leaks_nothing(
    client: Client, certificate: Certificate
) -> None:
    code = new_code()
    unknown = client.get(f"/verify/{code}/")
    malformed = client.get("/verify/not-a-code/")
    assert unknown.status_code == malformed.status_code == 404
    html = unknown.content.decode()
    assert "No certificate has this code" in html
    assert "Check the code against the certificate" in html
    assert "contact the organisation named on it as the issuer" in html
    assert 'name="robots" content="noindex"' in html
    assert "site-header" in html  # the site's layout
    # Nothing about any certificate, and the code typed only in the language links: every
    # unknown code gets the same page.
    assert code not in html.replace(f"/verify/{code}/", "")
    for leak in ("Петрова", certificate.code, "Psychosocial support"):
        assert leak not in html
    assert malformed.content.decode().replace("not-a-code", "") == html.replace(code, "")


def test_the_unknown_code_page_names_the_contact_address_and_speaks_russian(
    client: Client, settings: Any
) -> None:
    settings.CERTIFICATE_CONTACT_EMAIL = "certificates@academy.example.kz"
    html = client.get(f"/verify/{new_code()}/").content.decode()
    assert 'href="mailto:certificates@academy.example.kz"' in html
    russian = client.get(f"/verify/{new_code()}/", HTTP_ACCEPT_LANGUAGE="ru")
    assert russian.status_code == 404
    assert "Сертификата с таким кодом нет" in russian.content.decode()  # noqa: RUF001


def test_lookups_are_rate_limited(client: Client, certificate: Certificate) -> None:
    for _ in range(20):
        assert client.get(f"/verify/{new_code()}/").status_code == 404
    limited = client.get(f"/verify/{certificate.code}/")
    assert limited.status_code == 429
    assert limited["Retry-After"] == "60"
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.get(f"/verify/{certificate.code}/").status_code == 200


def test_the_limit_starts_again_the_next_minute(
    client: Client, certificate: Certificate, window: list[str]
) -> None:
    for _ in range(20):
        client.get(f"/verify/{new_code()}/")
    assert client.get(f"/verify/{certificate.code}/").status_code == 429
    window[0] = "202612041201"
    assert client.get(f"/verify/{certificate.code}/").status_code == 200


@pytest.mark.parametrize(
    ("proxies", "forwarded", "same_limit"),
    [
        # Behind one proxy: the address it appended counts; what the client sent is ignored.
        (1, ["203.0.113.7, 10.1.1.1", "203.0.113.7, 10.1.1.2"], False),
        (1, ["10.9.9.9, 198.51.100.4", "10.8.8.8, 198.51.100.4"], True),
        # No proxy trusted: the header is ignored and REMOTE_ADDR (the same here) counts.
        (0, ["10.1.1.1", "10.1.1.2"], True),
    ],
)
def test_the_limit_counts_the_address_the_trusted_proxy_saw(
    settings: Any, certificate: Certificate, proxies: int, forwarded: list[str], same_limit: bool
) -> None:
    settings.TRUSTED_PROXY_COUNT = proxies
    first, second = (Client(HTTP_X_FORWARDED_FOR=f) for f in forwarded)
    for _ in range(20):
        assert first.get(f"/verify/{new_code()}/").status_code == 404
    expected = 429 if same_limit else 200
    assert second.get(f"/verify/{certificate.code}/").status_code == expected


def test_dates_are_shown(client: Client, certificate: Certificate) -> None:
    certificate.issued_on = date(2026, 3, 1)
    certificate.save()
    assert "2026" in client.get(f"/verify/{certificate.code}/").content.decode()


@pytest.mark.parametrize(
    ("groups", "status"),
    [
        (None, "login"),
        (["Practitioner"], "login"),
        (["Trainer"], 200),
        (["Course reviewer"], "/admin/"),
    ],
    ids=["anonymous", "practitioner", "trainer", "reviewer"],
)
def test_who_manages_certification_tracks(
    client: Client, groups: list[str] | None, status: int | str
) -> None:
    """Trainers manage tracks; a reviewer is sent back to the dashboard (Wagtail's refusal);
    people without CMS access are sent to sign in."""
    from tests.factories import UserFactory

    if groups is not None:
        client.force_login(UserFactory(groups=groups))
    response = client.get("/admin/snippets/certification/certificationtrack/add/")
    if status == 200:
        assert response.status_code == 200
    elif status == "login":
        assert response.status_code == 302 and "login" in response["Location"]
    else:
        assert response.status_code == 302 and response["Location"] == status
