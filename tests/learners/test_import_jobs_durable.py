"""Import jobs that cannot be lost (issue #12, finding 7): a task delivered twice runs the job
once; a job whose worker died is marked failed by the sweep and can be restarted from its page;
a job whose task was never queued (the broker was down at upload) is queued again by the sweep."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from kombu.exceptions import OperationalError

from learners.import_jobs import specialist_import_job_create, specialist_import_job_run
from learners.models import SpecialistImportJob
from learners.tasks import import_jobs_sweep
from tests.factories import UserFactory
from tests.learners.test_import_upload import GOOD, URL, upload

pytestmark = pytest.mark.django_db

Status = SpecialistImportJob.Status


@pytest.fixture
def admin(client: Client) -> Any:
    user: Any = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(user)
    return user


def new_job(**fields: Any) -> SpecialistImportJob:
    job = specialist_import_job_create(
        filename="people.csv", data=GOOD, partial=False, by=None, language="en"
    )
    if fields:
        SpecialistImportJob.objects.filter(pk=job.pk).update(**fields)
        job.refresh_from_db()
    return job


def imported() -> int:
    return (
        get_user_model()
        .objects.filter(email__in=["aliya.upload@example.org", "bota.upload@example.org"])
        .count()
    )


def test_a_job_delivered_twice_is_run_once() -> None:
    job = new_job()
    assert specialist_import_job_run(job_id=job.pk, progress_interval=0) == "done"
    assert specialist_import_job_run(job_id=job.pk, progress_interval=0) == "done"
    job.refresh_from_db()
    assert job.result["created"] == 2  # the second delivery did not import again
    assert job.started_at is not None and job.heartbeat_at is not None


def test_a_job_running_elsewhere_is_left_alone() -> None:
    """Redelivered while another worker still runs it (its heartbeat is fresh): not run twice."""
    job = new_job(status=Status.RUNNING, heartbeat_at=timezone.now())
    with mock.patch("learners.import_jobs.specialists_import") as runs:
        assert specialist_import_job_run(job_id=job.pk, progress_interval=0) == "running"
    runs.assert_not_called()


def test_the_sweep_fails_a_job_whose_worker_died_and_spares_a_live_one(settings: Any) -> None:
    settings.IMPORT_JOB_STALE_MINUTES = 5
    dead = new_job(status=Status.RUNNING, heartbeat_at=timezone.now() - timedelta(minutes=6))
    alive = new_job(status=Status.RUNNING, heartbeat_at=timezone.now() - timedelta(minutes=4))
    done = new_job(status=Status.DONE, heartbeat_at=timezone.now() - timedelta(days=1))
    out = StringIO()
    call_command("import_jobs_sweep", stdout=out)
    assert out.getvalue() == "1 stuck job(s) marked failed, 0 job(s) queued again.\n"
    for job in (dead, alive, done):
        job.refresh_from_db()
    assert dead.status == Status.FAILED and dead.result == {"error": "WorkerLost"}
    assert dead.finished_at is not None
    assert alive.status == Status.RUNNING
    assert done.status == Status.DONE


def test_the_uploader_restarts_a_failed_job_from_its_page(
    client: Client, admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = new_job(
        status=Status.FAILED, result={"error": "WorkerLost"}, finished_at=timezone.now(), done=1
    )
    page = client.get(f"{URL}{job.pk}/").content.decode()
    assert "the worker running it went away" in page
    assert f'action="{URL}{job.pk}/restart/"' in page
    assert client.get(f"{URL}{job.pk}/restart/").status_code == 405  # no GET writes
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(f"{URL}{job.pk}/restart/")
    assert response.status_code == 302 and response["Location"] == f"{URL}{job.pk}/"
    assert len(callbacks) >= 1  # the import's task, queued once the restart committed
    job.refresh_from_db()
    assert job.status == Status.DONE and job.result["created"] == 2
    assert imported() == 2
    page = client.get(f"{URL}{job.pk}/").content.decode()
    assert "restart/" not in page  # only a failed job offers it


def test_a_finished_job_cannot_be_restarted(client: Client, admin: Any) -> None:
    job = new_job(status=Status.DONE, result={"created": 2})
    with mock.patch("learners.tasks.import_specialists_job.delay") as queued:
        response = client.post(f"{URL}{job.pk}/restart/")
    assert response.status_code == 302
    queued.assert_not_called()
    job.refresh_from_db()
    assert job.status == Status.DONE


def test_restarting_needs_the_import_capability(client: Client) -> None:
    job = new_job(status=Status.FAILED, result={"error": "WorkerLost"})
    trainer: Any = UserFactory(groups=["Trainer"])
    client.force_login(trainer)
    with mock.patch("learners.tasks.import_specialists_job.delay") as queued:
        response = client.post(f"{URL}{job.pk}/restart/")
    # Wagtail answers a refusal inside the CMS with a redirect (to sign-in, or the dashboard).
    assert response.status_code == 302 and response["Location"] != f"{URL}{job.pk}/"
    queued.assert_not_called()
    job.refresh_from_db()
    assert job.status == Status.FAILED


def test_an_upload_with_the_broker_down_succeeds_and_the_sweep_runs_it(
    client: Client, admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        mock.patch(
            "learners.tasks.import_specialists_job.delay",
            side_effect=OperationalError("Connection refused"),
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = upload(client, GOOD)
    job = SpecialistImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{URL}{job.pk}/"
    assert job.status == Status.QUEUED and imported() == 0

    with django_capture_on_commit_callbacks(execute=True):
        assert import_jobs_sweep() == {"requeued": 0, "failed": 0}  # too recent: still in time
    SpecialistImportJob.objects.update(created_at=timezone.now() - timedelta(minutes=3))
    with django_capture_on_commit_callbacks(execute=True):
        assert import_jobs_sweep() == {"requeued": 1, "failed": 0}
    job.refresh_from_db()
    assert job.status == Status.DONE and imported() == 2
