"""``/healthz/``: JSON with the state of the database, cache and broker."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from core import health

pytestmark = pytest.mark.django_db


def test_healthy(client: Client) -> None:
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert all(check["status"] == "ok" for check in body["checks"].values())


def test_broken_database_answers_503_and_names_the_check(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> dict[str, Any]:
        raise ConnectionError("could not connect to server at db.internal:5432 user=secret")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    response = client.get("/healthz/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"] == {
        "status": "error",
        "error": "ConnectionError",
        "ms": body["checks"]["database"]["ms"],
    }
    assert "secret" not in response.content.decode()  # no connection details leak
    assert body["checks"]["cache"]["status"] == "ok"


def test_cache_that_loses_values_is_reported(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(health.cache, "get", lambda key: None)
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["status"] == "error"


def test_unreachable_broker_is_reported(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    from curriculum.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", False)
    # Celery reads CELERY_BROKER_URL from the environment before its own settings.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["status"] == "error"


def test_only_get(client: Client) -> None:
    assert client.post("/healthz/").status_code == 405
