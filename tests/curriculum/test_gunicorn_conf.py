"""The production web server's settings (``curriculum/gunicorn.conf.py``), read the way
``gunicorn -c`` reads them: sized so that sign-ins (password hashing) do not queue behind
each other (issue #12, "Sign-in under load"; docs/deployment.md)."""

from __future__ import annotations

import importlib.util
import multiprocessing
from pathlib import Path
from types import ModuleType

import pytest
from gunicorn.config import Config

CONF = Path(__file__).resolve().parents[2] / "curriculum" / "gunicorn.conf.py"
ENV = (
    "GUNICORN_WORKERS",
    "GUNICORN_THREADS",
    "GUNICORN_WORKER_CLASS",
    "GUNICORN_PRELOAD",
    "GUNICORN_CONTROL_SOCKET",
)


def load(monkeypatch: pytest.MonkeyPatch, **env: str) -> tuple[Config, ModuleType]:
    """gunicorn's Config with every setting the file defines, as ``-c`` applies them."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("gunicorn_conf_under_test", CONF)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    cfg = Config()
    for key, value in vars(module).items():
        if key in cfg.settings:
            cfg.set(key, value)
    return cfg, module


def test_threaded_workers_sized_for_the_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg, _module = load(monkeypatch)
    # Not "sync": one request per process is what made a cohort's sign-in queue.
    assert cfg.worker_class_str == "gthread"
    assert cfg.workers == multiprocessing.cpu_count() + 1
    assert cfg.threads >= 4
    # Requests in flight stay under PostgreSQL's default connection limit (100), with room
    # for the Celery worker and the CMS.
    assert cfg.workers * cfg.threads <= 60


def test_bounded_requests_recycled_processes_preloaded(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg, _module = load(monkeypatch)
    assert cfg.timeout == 30
    assert cfg.graceful_timeout == 30
    assert cfg.max_requests > 0
    assert 0 < cfg.max_requests_jitter < cfg.max_requests
    assert cfg.preload_app is True
    assert cfg.control_socket_disable is True


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg, _module = load(
        monkeypatch, GUNICORN_WORKERS="5", GUNICORN_THREADS="2", GUNICORN_PRELOAD="false"
    )
    assert (cfg.workers, cfg.threads, cfg.preload_app) == (5, 2, False)


def test_when_ready_loads_the_urlconf_and_closes_connections(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Run in the master before forking: the URLconf (and every app's wagtail_hooks) imported,
    and no database connection left open for the workers to share."""
    from django.db import connections

    _cfg, module = load(monkeypatch)
    closed: list[bool] = []
    monkeypatch.setattr(connections, "close_all", lambda: closed.append(True))
    module.when_ready(object())
    assert closed == [True]
    from django.urls import get_resolver

    assert "url_patterns" in vars(get_resolver())  # imported and cached
