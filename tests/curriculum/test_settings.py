"""Configuration from the environment, and production's refusal to start half-configured."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICE_VARIABLES = {"DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL"}
SECRET = "x" * 20 + "-production-only-secret-for-the-deploy-check-0123456789"


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # DJANGO_ALLOW_ASYNC_UNSAFE is set for the browser tests; a deployment never sets it.
    unset = {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE",
             "SITE_URL", "WAGTAILADMIN_BASE_URL", *SERVICE_VARIABLES}  # fmt: skip
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = manage("check", DJANGO_SETTINGS_MODULE="curriculum.settings.production",
                    ALLOWED_HOSTS="academy.example.kz")  # fmt: skip
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts() -> None:
    result = manage("check", DJANGO_SETTINGS_MODULE="curriculum.settings.production",
                    SECRET_KEY=SECRET)  # fmt: skip
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_production_passes_the_deploy_check_with_no_warnings() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING",
                    DJANGO_SETTINGS_MODULE="curriculum.settings.production",
                    SECRET_KEY=SECRET, ALLOWED_HOSTS="academy.example.kz",
                    SITE_URL="https://academy.example.kz")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_the_site_url() -> None:
    result = manage("check", DJANGO_SETTINGS_MODULE="curriculum.settings.production",
                    SECRET_KEY=SECRET, ALLOWED_HOSTS="academy.example.kz",
                    WAGTAILADMIN_BASE_URL="https://academy.example.kz")  # fmt: skip
    assert result.returncode != 0
    assert "SITE_URL is not set" in result.stderr
    assert "WAGTAILADMIN_BASE_URL is no longer read" in result.stderr


@pytest.mark.parametrize(
    ("site_url", "errors"),
    [
        ("http://academy.example.kz", ["core.E002"]),
        ("https://127.0.0.1:8000", ["core.E003"]),
        ("http://localhost:8000", ["core.E002", "core.E003"]),
        ("https://academy.example.kz/learn/", ["core.E004"]),
    ],
)
def test_the_deploy_check_refuses_a_site_url_nobody_else_can_open(
    site_url: str, errors: list[str]
) -> None:
    result = manage("check", "--deploy", DJANGO_SETTINGS_MODULE="curriculum.settings.production",
                    SECRET_KEY=SECRET, ALLOWED_HOSTS="academy.example.kz",
                    SITE_URL=site_url)  # fmt: skip
    assert result.returncode != 0
    reported = sorted(set(re.findall(r"core\.E00\d", result.stderr)))
    assert reported == errors, result.stderr


def services_with(**env: str) -> list[str]:
    """The database engine, eager flag and cache backend the dev settings pick with ``env``."""
    code = (
        "import django; django.setup();"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER,"
        " s.CACHES['default']['BACKEND'])"
    )
    base = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
        env={**base, "DJANGO_SETTINGS_MODULE": "curriculum.settings.dev", **env},
    )  # fmt: skip
    return result.stdout.split()


def test_defaults_are_sqlite_eager_and_local_memory() -> None:
    assert services_with() == [
        "django.db.backends.sqlite3", "True", "django.core.cache.backends.locmem.LocMemCache"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DATABASE_URL": "postgres://u@db.example:5432/zhusan"}, "django.db.backends.postgresql"),
        ({"CELERY_BROKER_URL": "redis://127.0.0.1:6379/1"}, "False"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/2"}, "core.cache.FailOpenRedisCache"),
    ],
    ids=["database", "broker", "cache"],
)
def test_environment_switches_services(env: dict[str, str], expected: str) -> None:
    assert expected in services_with(**env)
