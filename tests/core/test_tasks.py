"""Celery: eager in-process by default; a real worker when CELERY_BROKER_URL is set. Queuing
never fails the caller (``core.tasks.enqueue_on_commit``), with a broker down or hung."""

from __future__ import annotations

import logging
import os
import time
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from kombu.exceptions import OperationalError

from core.tasks import enqueue, enqueue_on_commit, ping
from curriculum.celery import app
from tests.core.broker import CLOSED, broker_at


def test_eager_by_default_or_worker_when_configured() -> None:
    assert app.conf.task_always_eager is (not os.environ.get("CELERY_BROKER_URL"))


@pytest.mark.skipif(bool(os.environ.get("CELERY_BROKER_URL")), reason="runs in eager mode only")
def test_task_runs_in_process_without_a_broker() -> None:
    assert ping.delay().get(timeout=1) == "pong"


def test_durable_worker_settings() -> None:
    """No result backend unless one is asked for (nothing reads results); a task is acknowledged
    after it ran and given back when its worker dies; the worker takes one task at a time; a
    task whose worker vanished is redelivered after the visibility timeout, not an hour."""
    if not os.environ.get("CELERY_RESULT_BACKEND"):
        assert app.conf.result_backend is None
        assert app.conf.task_ignore_result is True
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    options = app.conf.broker_transport_options
    assert 0 < options["visibility_timeout"] <= 900
    assert options["socket_connect_timeout"] <= 0.5 and options["socket_timeout"] <= 1
    assert app.conf.task_publish_retry_policy["max_retries"] <= 1


@pytest.mark.django_db
def test_a_task_is_queued_after_the_commit_only(django_capture_on_commit_callbacks: Any) -> None:
    from django.db import transaction

    task = mock.Mock(name="task")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            enqueue_on_commit(task, 7, [8])
            task.delay.assert_not_called()
        with transaction.atomic():
            enqueue_on_commit(task, 9)
            transaction.set_rollback(True)  # a rolled back transaction queues nothing
    assert len(callbacks) == 1
    task.delay.assert_called_once_with(7, [8])


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused."),
        ConnectionRefusedError(111, "Connection refused"),
        TimeoutError("timed out"),
    ],
)
def test_a_broker_error_is_logged_not_raised(error: Exception, caplog: Any) -> None:
    task = mock.Mock(**{"delay.side_effect": error})
    task.name = "demo.task"
    with caplog.at_level(logging.WARNING, logger="core.tasks"):
        assert enqueue(task, 5) is False
    assert "Could not queue demo.task(5,)" in caplog.text
    assert "sweep" in caplog.text


def test_an_error_of_the_task_itself_still_raises() -> None:
    """In eager mode the task runs in the request; its own bugs must not be hidden."""
    task = mock.Mock(**{"delay.side_effect": ValueError("a bug")})
    with pytest.raises(ValueError, match="a bug"):
        enqueue(task)


def test_a_stopped_broker_costs_little(monkeypatch: pytest.MonkeyPatch) -> None:
    with broker_at(CLOSED, monkeypatch):
        started = time.perf_counter()
        assert enqueue(ping) is False
        assert enqueue(ping) is False
        assert time.perf_counter() - started < 0.5


def test_a_hung_broker_costs_under_a_second(
    hung_broker: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with broker_at(hung_broker, monkeypatch):
        started = time.perf_counter()
        assert enqueue(ping) is False
        assert time.perf_counter() - started < 1.0


def test_every_beat_sweep_names_a_registered_task() -> None:
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "certification.issue_due",
        "learners.import_jobs_sweep",
        "accounts.send_pending_invitations",
    } <= tasks


@pytest.mark.worker
@pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL"), reason="needs CELERY_BROKER_URL")
def test_task_round_trip_through_a_real_worker() -> None:
    """CI starts a worker on Redis (with a result backend, which only tests read: see
    scripts/with-worker.sh); this proves tasks leave the process and come back."""
    result = ping.apply_async()
    assert result.get(timeout=30) == "pong"
    assert result.successful()
    # The result came from the worker: in eager mode there is no backend state to read.
    assert app.AsyncResult(result.id).state == "SUCCESS"
