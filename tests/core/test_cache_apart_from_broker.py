"""The cache and the Celery broker never share a Redis database (#12, finding 8).

``cache.clear()`` empties the cache's whole database, and a full cache evicts: neither may touch
queued tasks. ``check --deploy`` refuses a configuration that shares one (core.E010).
"""

from __future__ import annotations

from typing import Any

import pytest

from core.cache import check_cache_apart_from_broker
from curriculum.settings.base import redis_cache
from tests.curriculum.test_settings import SECRET, manage


@pytest.mark.parametrize(
    ("cache_url", "broker_url"),
    [
        ("redis://127.0.0.1:6379/14", "redis://127.0.0.1:6379/14"),
        ("redis://localhost:6379/0", "redis://127.0.0.1"),  # no database is database 0
        ("redis://:secret@redis.internal/3", "redis://redis.internal:6379/3"),
        ("redis://redis.internal:6379/0?db=5", "redis://redis.internal:6379/5"),  # ?db= wins
        ("redis://a.internal/1", "redis://b.internal/2;redis://a.internal:6379/1"),  # failover
    ],
)
def test_a_shared_database_is_refused(settings: Any, cache_url: str, broker_url: str) -> None:
    settings.CACHES = {"default": redis_cache(cache_url)}
    settings.CELERY_BROKER_URL = broker_url
    assert [error.id for error in check_cache_apart_from_broker()] == ["core.E010"]


@pytest.mark.parametrize(
    ("cache_url", "broker_url"),
    [
        ("redis://127.0.0.1:6379/14", "redis://127.0.0.1:6379/15"),
        ("redis://cache.internal:6379/0", "redis://broker.internal:6379/0"),
        ("redis://127.0.0.1:6380/0", "redis://127.0.0.1:6379/0"),
        ("redis://127.0.0.1:6379/0", "memory://"),
        ("redis://127.0.0.1:6379/0", "amqp://guest@127.0.0.1//"),
    ],
)
def test_separate_databases_pass(settings: Any, cache_url: str, broker_url: str) -> None:
    settings.CACHES = {"default": redis_cache(cache_url)}
    settings.CELERY_BROKER_URL = broker_url
    assert check_cache_apart_from_broker() == []


def test_a_memory_cache_is_not_checked(settings: Any) -> None:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    assert check_cache_apart_from_broker() == []


def test_the_deploy_check_runs_it() -> None:
    production = {
        "DJANGO_SETTINGS_MODULE": "curriculum.settings.production",
        "SECRET_KEY": SECRET,
        "ALLOWED_HOSTS": "academy.example.kz",
        "SITE_URL": "https://academy.example.kz",
    }
    shared = manage(
        "check",
        "--deploy",
        **production,
        REDIS_URL="redis://127.0.0.1:6379/15",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/15",
    )
    assert shared.returncode != 0
    assert "core.E010" in shared.stderr
    apart = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **production,
        REDIS_URL="redis://127.0.0.1:6379/14",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/15",
    )
    assert apart.returncode == 0, apart.stderr
