"""The CMS upload of a specialists file: queued as a Celery task, with progress and results."""

from __future__ import annotations

import os
import time
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from learners.models import Profile, SpecialistImportJob
from tests.factories import UserFactory, practitioner

pytestmark = pytest.mark.django_db

GOOD = (
    "email;full_name;specialty;region;organisation;language\n"
    "aliya.upload@example.org;Aliya Example;psychologist;KZ-75;Centre (fictional);ru\n"
    "bota.upload@example.org;Bota Example;social_worker;Астана;Office (fictional);kk\n"
).encode()
BAD = (
    b"email,full_name,specialty,region,organisation,language\n"
    b"not-an-email,Dana Example,psychologist,KZ-75,,ru\n"
    b"erlan.upload@example.org,Erlan Example,astronaut,KZ-75,,ru\n"
)
URL = "/admin/specialists/import/"


def run_queued(callbacks: list[Any]) -> None:
    """Run the task the upload queued, here and now (in either Celery mode); delivery to a real
    worker is covered by test_import_runs_on_a_real_worker."""
    from learners.tasks import import_specialists_job

    assert len(callbacks) == 1  # queued once, after the job was committed
    for job in SpecialistImportJob.objects.filter(status="queued"):
        import_specialists_job.apply(args=[job.pk])


def upload(client: Client, data: bytes, name: str = "people.csv", partial: bool = False) -> Any:
    payload = {"file": SimpleUploadedFile(name, data, content_type="text/csv")}
    if partial:
        payload["partial"] = "on"
    return client.post(URL, payload)


@pytest.fixture
def admin(client: Client) -> Any:
    user = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(user)
    return user


def test_upload_runs_the_import_and_shows_the_result(
    client: Client, admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        response = upload(client, GOOD)
    with django_capture_on_commit_callbacks(execute=True):  # the invitations the job queued
        run_queued(callbacks)
    job = SpecialistImportJob.objects.get()
    assert response["Location"] == f"{URL}{job.pk}/"
    assert job.status == "done"
    assert job.result["created"] == 2
    assert Profile.objects.get(user__email="bota.upload@example.org").region == "KZ-71"
    page = client.get(response["Location"]).content.decode()
    assert "2 created, 0 updated, 0 unchanged" in page
    assert "2 of 2 invitations sent." in page
    assert len(mail.outbox) == 2
    assert 'http-equiv="refresh"' not in page  # finished and sent: no more refreshing


def test_invalid_rows_are_listed_and_nothing_is_imported(
    client: Client, admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    users_before = get_user_model().objects.count()
    with django_capture_on_commit_callbacks() as callbacks:
        response = upload(client, BAD)
    run_queued(callbacks)
    job = SpecialistImportJob.objects.get()
    assert job.status == "rejected"
    assert get_user_model().objects.count() == users_before
    page = client.get(response["Location"]).content.decode()
    assert "line 2, column &#x27;email&#x27;: &#x27;not-an-email&#x27;" in page
    assert "line 3, column &#x27;specialty&#x27;: &#x27;astronaut&#x27;" in page


def test_partial_import_keeps_the_valid_rows(
    client: Client, admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    data = GOOD + b"broken@example.org;Someone;astronaut;KZ-75;;ru\n"
    with django_capture_on_commit_callbacks() as callbacks:
        upload(client, data, partial=True)
    run_queued(callbacks)
    job = SpecialistImportJob.objects.get()
    assert job.status == "done"
    assert job.result["created"] == 2
    assert job.result["invalid_rows"] == 1


def test_queued_job_page_refreshes_itself(client: Client, admin: Any) -> None:
    upload(client, GOOD)  # on_commit never fires inside the test transaction: still queued
    job = SpecialistImportJob.objects.get()
    assert job.status == "queued"
    page = client.get(f"{URL}{job.pk}/").content.decode()
    assert 'http-equiv="refresh"' in page
    assert "Queued" in page


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("people.xlsx", b"PK\x03\x04", "is not a CSV file"),
        ("people.csv", b"", "The submitted file is empty"),
    ],
)
def test_bad_uploads_are_refused_with_a_reason(
    client: Client, admin: Any, name: str, data: bytes, message: str
) -> None:
    response = upload(client, data, name=name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SpecialistImportJob.objects.exists()


def test_the_file_is_not_reachable_by_url(client: Client, admin: Any) -> None:
    upload(client, GOOD)
    job = SpecialistImportJob.objects.get()
    assert bytes(job.data) == GOOD  # kept in the database, not under media/


@pytest.mark.parametrize(
    ("who", "expected"),
    # Wagtail answers a refusal inside the CMS with a redirect (to sign-in, or to the dashboard).
    [
        ("anonymous", 302),
        ("practitioner", 302),
        ("trainer", 302),
        ("ministry", 302),
        ("admin", 200),
    ],
)
def test_only_administrators_may_import(client: Client, who: str, expected: int) -> None:
    makers = {
        "practitioner": lambda: practitioner(),
        "trainer": lambda: UserFactory(groups=["Trainer"]),
        "ministry": lambda: UserFactory(groups=["Ministry"]),
        "admin": lambda: UserFactory(is_superuser=True, is_staff=True),
    }
    if who in makers:
        client.force_login(makers[who]())
    assert client.get(URL).status_code == expected
    upload(client, GOOD)
    assert SpecialistImportJob.objects.exists() is (who == "admin")


@pytest.mark.worker
@pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL"), reason="needs CELERY_BROKER_URL")
def test_import_runs_on_a_real_worker(sample_course_committed: Any) -> None:
    """CI: the upload is committed, a Celery worker on Redis picks the job up and runs it, then
    sends the invitations the job queued (the worker's email backend keeps them to itself; the
    invitations' records show they went)."""
    client = Client()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = upload(client, GOOD)
    job_id = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
    deadline = time.monotonic() + 60
    job = SpecialistImportJob.objects.get(pk=job_id)
    while not job.finished and time.monotonic() < deadline:
        time.sleep(0.5)
        job.refresh_from_db()
    assert job.status == "done", job.result
    assert Profile.objects.filter(user__email="aliya.upload@example.org").exists()
    from accounts.models import Invitation

    invitations = Invitation.objects.filter(user__email__endswith=".upload@example.org")
    while invitations.filter(sent_at__isnull=True).exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert invitations.count() == 2
    assert not invitations.filter(pending=True).exists()
    assert set(invitations.values_list("send_count", flat=True)) == {1}


def test_after_an_error_the_form_says_to_choose_the_file_again_and_keeps_the_rest(
    client: Client, admin: Any
) -> None:
    response = upload(client, b"PK\x03\x04", name="list.xlsx", partial=True)
    page = response.content.decode()
    assert "choose the file again" in page
    partial = (
        page.split('name="partial"')[0].rsplit("<input", 1)[1]
        + page.split('name="partial"')[1].split(">", 1)[0]
    )
    assert "checked" in partial
    assert "/en/help/importing-specialists/" in page


def test_the_status_page_lists_what_the_import_read_differently(
    client: Client, admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """A former region name is imported as today's region, and the page says so."""
    data = (
        "email;full_name;specialty;region;organisation;language\n"
        "gulnar.upload@example.org;Gulnar Example;psychologist;Южно-Казахстанская область;;ru\n"
    ).encode()
    with django_capture_on_commit_callbacks() as callbacks:
        response = upload(client, data)
    run_queued(callbacks)
    assert Profile.objects.get(user__email="gulnar.upload@example.org").region == "KZ-61"
    page = client.get(response["Location"]).content.decode()
    assert "1 note" in page
    assert "line 2, column &#x27;region&#x27;" in page
    assert "Turkistan" in page


@pytest.fixture
def russian_admin(client: Client) -> Any:
    """An administrator whose CMS is in Russian (Wagtail's preferred language)."""
    from wagtail.users.models import UserProfile

    user = UserFactory(is_superuser=True, is_staff=True)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "ru"
    profile.save()
    client.force_login(user)
    return user


def test_an_upload_is_reported_in_the_uploaders_language(
    client: Client, russian_admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """A cp1251 file that lost its Kazakh letters is refused in Russian, and a misspelt region
    gets a Russian "did you mean"."""
    data = "\r\n".join(
        [
            "email;full_name;specialty;region;organisation;language",
            "aigul.upload@example.org;Айгүл Нұрланова;psychologist;KZ-75;;kk",
            "dana.upload@example.org;Dana Example;psychologist;Павлодарска область;;ru",
        ]
    ).encode("cp1251", errors="replace")
    with django_capture_on_commit_callbacks() as callbacks:
        response = upload(client, data)
    job = SpecialistImportJob.objects.get()
    assert job.language == "ru"
    run_queued(callbacks)
    job.refresh_from_db()
    assert job.status == "rejected"
    assert not Profile.objects.filter(user__email__endswith="upload@example.org").exists()
    page = client.get(response["Location"]).content.decode()
    lost = "строка 2, столбец «full_name»: «Айг?л Н?рланова» содержит «?» вместо буквы"  # noqa: RUF001
    assert lost in page
    assert "Сохраните файл как «CSV UTF-8»" in page
    assert (
        "строка 3, столбец «region»: «Павлодарска область» не является регионом Казахстана; "
        "возможно, вы имели в виду «Павлодарская область (KZ-55)»?" in page
    )


def test_the_import_runs_in_the_jobs_language_not_the_workers(
    client: Client, admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The worker's own language does not matter: the job's does (English here)."""
    from django.utils import translation

    with django_capture_on_commit_callbacks() as callbacks:
        upload(client, GOOD)
    assert SpecialistImportJob.objects.get().language == "en"
    with translation.override("kk"):
        run_queued(callbacks)
    assert SpecialistImportJob.objects.get().result["summary"] == (
        "2 created, 0 updated, 0 unchanged"
    )
