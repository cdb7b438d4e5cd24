"""Celery: eager in-process by default; a real worker when CELERY_BROKER_URL is set."""

from __future__ import annotations

import os

import pytest

from core.tasks import ping
from curriculum.celery import app


def test_eager_by_default_or_worker_when_configured() -> None:
    assert app.conf.task_always_eager is (not os.environ.get("CELERY_BROKER_URL"))


@pytest.mark.skipif(bool(os.environ.get("CELERY_BROKER_URL")), reason="runs in eager mode only")
def test_task_runs_in_process_without_a_broker() -> None:
    assert ping.delay().get(timeout=1) == "pong"


@pytest.mark.worker
@pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL"), reason="needs CELERY_BROKER_URL")
def test_task_round_trip_through_a_real_worker() -> None:
    """CI starts a worker on Redis; this proves tasks leave the process and come back."""
    result = ping.apply_async()
    assert result.get(timeout=30) == "pong"
    assert result.successful()
    # The result came from the worker: in eager mode there is no backend state to read.
    assert app.AsyncResult(result.id).state == "SUCCESS"
