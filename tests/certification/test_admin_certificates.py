"""The CMS's Certificates section: the listing (search, filters, export, query budget), the
record, and revocation with its audit (issue #5, items 1 and 5)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone
from wagtail.models import ModelLogEntry

from certification.admin_certificates import CertificatePermissionPolicy
from certification.models import Certificate, CertificateStatus
from learners.models import Profile
from tests.conftest import assert_max_queries
from tests.factories import UserFactory, practitioner
from tests.factories.certification import CertificateFactory, TrackFactory

pytestmark = pytest.mark.django_db

LISTING = "/admin/certificates/"


def detail(certificate: Certificate) -> str:
    return f"/admin/certificates/inspect/{certificate.pk}/"


def revoke(certificate: Certificate) -> str:
    return f"/admin/certificates/revoke/{certificate.pk}/"


@pytest.fixture
def ministry() -> Any:
    return UserFactory(groups=["Ministry"], first_name="Dana", last_name="Official")


@pytest.fixture
def ministry_client(client: Client, ministry: Any) -> Client:
    client.force_login(ministry)
    return client


def holder(region: str = "KZ-75", specialty: str = "psychologist") -> Any:
    user = practitioner()
    Profile.objects.filter(user=user).update(region=region, specialty=specialty)
    return user


def rows(response: Any) -> list[list[str]]:
    """The exported CSV's rows (after the byte-order mark)."""
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


# --- the listing ---------------------------------------------------------------------------------


def test_the_listing_shows_each_certificate_newest_first(ministry_client: Client) -> None:
    track = TrackFactory(name="Trauma-informed care")
    today = timezone.localdate()
    older = CertificateFactory(
        track=track, holder_name="Айгерім Нұрланова", issued_on=today - timedelta(days=400)
    )
    CertificateFactory(
        track=track,
        user=older.user,
        sequence=2,
        previous=older,
        holder_name="Айгерім Нұрланова",
        issued_on=today - timedelta(days=10),
    )
    CertificateFactory(
        track=track, holder_name="Марат Сейітов", issued_on=today - timedelta(days=50)
    )

    html = " ".join(ministry_client.get(LISTING).content.decode().split())

    assert html.index("> Renewal 1 <") < html.index("Марат Сейітов") < html.index("> First <")
    for text in ("Trauma-informed care", "Valid", "Almaty", "Certificates"):
        assert text in html
    assert "Add certificate" not in html


def test_no_one_adds_edits_or_deletes_a_certificate_in_the_cms(client: Client) -> None:
    """Certificates are issued by the system only: not even the site administrator edits one."""
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    certificate = CertificateFactory()
    for url in (
        "/admin/certificates/new/",
        f"/admin/certificates/edit/{certificate.pk}/",
        f"/admin/certificates/delete/{certificate.pk}/",
        f"/admin/certificates/copy/{certificate.pk}/",
    ):
        assert client.get(url, follow=True).status_code == 404, url
    policy = CertificatePermissionPolicy(Certificate)
    assert [policy.user_has_permission(admin, a) for a in ("add", "change", "delete")] == [
        False,
        False,
        False,
    ]
    assert policy.user_has_permission(admin, "view") and policy.user_has_permission(admin, "revoke")
    html = client.get(detail(certificate)).content.decode()
    assert f"/admin/certificates/edit/{certificate.pk}/" not in html
    assert "Delete" not in html


def test_filters_by_certification_status_region_and_specialty(ministry_client: Client) -> None:
    today = timezone.localdate()
    first, second = TrackFactory(name="Track A"), TrackFactory(name="Track B")
    CertificateFactory(track=first, holder_name="Valid in Almaty", user=holder("KZ-75"))
    CertificateFactory(
        track=second,
        holder_name="Lapsed social worker",
        user=holder("KZ-71", "social_worker"),
        issued_on=today - timedelta(days=800),
        expires_on=today - timedelta(days=70),  # still "valid" until the nightly task runs
    )
    CertificateFactory(
        track=first,
        holder_name="Revoked in Astana",
        user=holder("KZ-71"),
        status=CertificateStatus.REVOKED,
    )

    def names(query: str) -> set[str]:
        html = ministry_client.get(f"{LISTING}?{query}").content.decode()
        found = {"Valid in Almaty", "Lapsed social worker", "Revoked in Astana"}
        return {name for name in found if name in html}

    assert names(f"track={first.pk}") == {"Valid in Almaty", "Revoked in Astana"}
    assert names("status=valid") == {"Valid in Almaty"}
    assert names("status=expired") == {"Lapsed social worker"}
    assert names("status=revoked") == {"Revoked in Astana"}
    assert names("region=KZ-71") == {"Lapsed social worker", "Revoked in Astana"}
    assert names("specialty=social_worker") == {"Lapsed social worker"}
    assert names("region=KZ-71&status=revoked") == {"Revoked in Astana"}


def test_search_by_holder_name_or_by_the_code_as_typed(ministry_client: Client) -> None:
    wanted = CertificateFactory(holder_name="Айгерім Нұрланова", code="0K2M-Q9XD-1234-ABCD-EFGH")
    CertificateFactory(holder_name="Марат Сейітов")

    def found(query: str) -> list[str]:
        html = ministry_client.get(LISTING, {"q": query}).content.decode()
        return [name for name in ("Айгерім Нұрланова", "Марат Сейітов") if name in html]

    assert found("нұрланова") == ["Айгерім Нұрланова"]
    assert found("Нұрланова Айгерім") == ["Айгерім Нұрланова"]  # words in any order
    assert found("ok2m q9xd l234 abcd efgh") == ["Айгерім Нұрланова"]  # O for 0, L for 1
    assert found(wanted.code) == ["Айгерім Нұрланова"]
    assert found("nobody") == []


def test_export_csv_and_xlsx_with_region_and_specialty(ministry_client: Client) -> None:
    track = TrackFactory(name="Trauma-informed care")
    certificate = CertificateFactory(
        track=track, holder_name="=HYPERLINK(1)", user=holder("KZ-75", "social_worker")
    )
    CertificateFactory(track=TrackFactory(name="Other"), holder_name="Filtered out")

    response = ministry_client.get(LISTING, {"export": "csv", "track": track.pk})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="certificates.csv"'
    table = rows(response)
    assert table[0] == [
        "Holder", "Certification", "Cycle", "Issued on", "Expires on", "Status", "Region",
        "Specialty", "Verification code",
    ]  # fmt: skip
    assert table[1:] == [
        [
            "'=HYPERLINK(1)",  # never runs as a formula
            "Trauma-informed care",
            "First",
            certificate.issued_on.isoformat(),
            certificate.expires_on.isoformat(),
            "Valid",
            "Almaty",
            "Social worker",
            certificate.code,
        ]
    ]

    response = ministry_client.get(LISTING, {"export": "xlsx", "track": track.pk})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Holder" and values[0][6] == "Region"
    assert values[1][0] == "=HYPERLINK(1)"
    assert sheet.cell(row=2, column=1).data_type == "s"  # text, not a formula
    assert values[1][6:8] == ["Almaty", "Social worker"]


def _queries(client: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "url", [LISTING, f"{LISTING}?status=valid&region=KZ-75", f"{LISTING}?export=csv"]
)
def test_the_listing_does_not_query_more_for_more_certificates(
    ministry_client: Client, url: str
) -> None:
    track = TrackFactory()
    CertificateFactory.create_batch(3, track=track)
    ministry_client.get(url)  # warm the caches (content types, permissions)
    few = _queries(ministry_client, url)
    CertificateFactory.create_batch(27, track=track)
    CertificateFactory.create_batch(3, track=TrackFactory())
    many = _queries(ministry_client, url)
    assert many == few, (few, many)
    # 12, and since issue #14 one role check for the header's link to the dashboard.
    with assert_max_queries(13):
        ministry_client.get(url)


def test_the_menu_shows_certificates_to_the_ministry_only(client: Client) -> None:
    client.force_login(UserFactory(groups=["Ministry"]))
    assert '"/admin/certificates/"' in client.get("/admin/").content.decode()
    client.force_login(UserFactory(groups=["Trainer"]))
    assert '"/admin/certificates/"' not in client.get("/admin/").content.decode()


def test_only_view_and_revoke_are_offered_as_group_permissions() -> None:
    from certification.admin_certificates import CertificateViewSet

    codenames = set(
        CertificateViewSet().get_permissions_to_register().values_list("codename", flat=True)
    )
    assert codenames == {"view_certificate", "revoke_certificate"}


# --- the record ----------------------------------------------------------------------------------


def test_the_record_shows_everything_and_the_renewal_chain(ministry_client: Client) -> None:
    today = timezone.localdate()
    track = TrackFactory(name="Trauma-informed care", issuing_body="Zhusan Academy")
    first = CertificateFactory(
        track=track,
        holder_name="Айгерім Нұрланова",
        user=holder("KZ-75", "school_staff"),
        issued_on=today - timedelta(days=800),
        expires_on=today - timedelta(days=70),
        status=CertificateStatus.EXPIRED,
    )
    renewal = CertificateFactory(
        track=track,
        user=first.user,
        sequence=2,
        previous=first,
        holder_name="Айгерім Нұрланова",
        course_versions={
            "7": {"title": "Talking with children about their past", "version": "2.1"},
        },
    )

    html = ministry_client.get(detail(renewal)).content.decode()
    for text in (
        "Айгерім Нұрланова",
        "Almaty",
        "School psychologist or teacher",
        "Trauma-informed care",
        "Zhusan Academy",
        "Renewal 1",
        f'href="/verify/{renewal.code}/"',
        "Talking with children about their past, version 2.1",
        f'href="{detail(first)}"',
        "Renewed by this certificate",
        f'href="{revoke(renewal)}"',
    ):
        assert text in html, text
    assert "Revocation" not in html

    html = ministry_client.get(detail(first)).content.decode()
    assert f'href="{detail(renewal)}"' in html
    assert "Renews this certificate" in html
    assert "Expired" in html
    assert "Reason" not in html


def test_a_record_that_does_not_exist_is_a_404(ministry_client: Client) -> None:
    for url in ("/admin/certificates/inspect/999999/", "/admin/certificates/revoke/999999/"):
        assert ministry_client.get(url, follow=True).status_code == 404


# --- revocation ----------------------------------------------------------------------------------


def test_revoke_with_a_reason(ministry_client: Client, ministry: Any) -> None:
    certificate = CertificateFactory(holder_name="Марат Сейітов")

    html = ministry_client.get(revoke(certificate)).content.decode()
    assert "Revoking cannot be undone." in html
    assert "public verification page" in html
    assert 'name="reason"' in html and "csrfmiddlewaretoken" in html

    response = ministry_client.post(revoke(certificate), {"reason": "  Issued in error.  "})
    assert response.status_code == 302
    assert response["Location"] == detail(certificate)

    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    assert certificate.revoked_by == ministry
    assert certificate.revoked_reason == "Issued in error."
    assert timezone.now() - certificate.revoked_at < timedelta(minutes=1)

    entry = ModelLogEntry.objects.get(action="certification.revoke")
    assert (entry.object_id, entry.user, entry.data) == (
        str(certificate.pk),
        ministry,
        {"reason": "Issued in error."},
    )

    page = ministry_client.get(response["Location"]).content.decode()
    assert "is revoked" in page  # the success message
    for text in ("Revocation", "Dana Official", "Issued in error."):
        assert text in page
    assert f'href="{revoke(certificate)}"' not in page

    history = ministry_client.get(f"/admin/certificates/history/{certificate.pk}/")
    assert history.status_code == 200
    assert "Revoked. Reason: Issued in error." in history.content.decode()

    public = Client().get(f"/verify/{certificate.code}/").content.decode()
    assert "Revoked" in public
    assert "Issued in error" not in public  # the reason stays in the CMS


def test_a_reason_is_required_and_nothing_changes_without_one(ministry_client: Client) -> None:
    certificate = CertificateFactory()
    for reason in ("", "   "):
        response = ministry_client.post(revoke(certificate), {"reason": reason})
        assert response.status_code == 200
        assert "Give the reason for revoking the certificate." in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID
    assert not ModelLogEntry.objects.filter(action="certification.revoke").exists()


def test_an_already_revoked_certificate_is_not_revoked_again(
    ministry_client: Client, ministry: Any
) -> None:
    first_official = UserFactory(groups=["Ministry"], first_name="Asel", last_name="First")
    certificate = CertificateFactory()
    client = Client()
    client.force_login(first_official)
    form_page = ministry_client.get(revoke(certificate))  # opened before the other revoked it
    assert 'name="reason"' in form_page.content.decode()
    assert client.post(revoke(certificate), {"reason": "Duplicate record"}).status_code == 302

    response = ministry_client.post(revoke(certificate), {"reason": "Issued in error"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "already revoked (by Asel First" in html
    assert "nothing was changed" in html
    certificate.refresh_from_db()
    assert (certificate.revoked_by, certificate.revoked_reason) == (
        first_official,
        "Duplicate record",
    )
    assert ModelLogEntry.objects.filter(action="certification.revoke").count() == 1

    html = ministry_client.get(revoke(certificate)).content.decode()
    assert "It cannot be revoked again." in html
    assert 'name="reason"' not in html


def test_revoking_needs_the_csrf_token(ministry: Any) -> None:
    certificate = CertificateFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(ministry)
    assert client.post(revoke(certificate), {"reason": "Issued in error"}).status_code == 403
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID


def test_who_may_view_but_not_revoke_sees_no_revoke_button(client: Client) -> None:
    viewer = UserFactory(groups=["Trainer"])  # a CMS user, given only view_certificate
    viewer.user_permissions.add(Permission.objects.get(codename="view_certificate"))
    client.force_login(viewer)
    certificate = CertificateFactory()

    assert client.get(LISTING).status_code == 200
    assert revoke(certificate) not in client.get(LISTING).content.decode()
    assert revoke(certificate) not in client.get(detail(certificate)).content.decode()
    response = client.get(revoke(certificate))
    assert response.status_code == 403
    assert "permission to revoke certificates" in response.content.decode()
    assert client.post(revoke(certificate), {"reason": "x"}).status_code == 403
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID


def test_the_listing_offers_revoke_only_for_certificates_not_yet_revoked(
    ministry_client: Client,
) -> None:
    valid = CertificateFactory()
    revoked = CertificateFactory(status=CertificateStatus.REVOKED)
    html = ministry_client.get(LISTING).content.decode()
    assert revoke(valid) in html
    assert revoke(revoked) not in html
    assert detail(valid) in html and detail(revoked) in html
