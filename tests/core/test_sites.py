"""Absolute links come from one setting, SITE_URL, which ``check --deploy`` validates."""

from __future__ import annotations

from typing import Any

import pytest

from core.api import absolute_url, site_url
from core.sites import check_site_url


def test_absolute_urls_are_built_from_site_url(settings: Any) -> None:
    settings.SITE_URL = "https://academy.example.kz/"
    assert site_url() == "https://academy.example.kz"
    assert absolute_url("/verify/ABCD/") == "https://academy.example.kz/verify/ABCD/"


@pytest.mark.parametrize("path", ["verify/ABCD/", "https://elsewhere.example/", "//evil.example/"])
def test_a_path_that_is_not_site_relative_is_refused(path: str) -> None:
    with pytest.raises(ValueError, match="starts with one '/'"):
        absolute_url(path)


def test_the_wagtail_admin_base_url_follows_site_url() -> None:
    from django.conf import settings

    assert settings.WAGTAILADMIN_BASE_URL == settings.SITE_URL


@pytest.mark.parametrize(
    ("value", "ids"),
    [
        ("", ["core.E001"]),
        ("https://academy.example.kz", []),
        ("http://academy.example.kz", ["core.E002"]),
        ("https://localhost", ["core.E003"]),
        ("https://127.0.0.1:8000", ["core.E003"]),
        ("https://[::1]:8000", ["core.E003"]),
        ("https://academy.example.kz/en/", ["core.E004"]),
    ],
)
def test_the_deploy_check(settings: Any, value: str, ids: list[str]) -> None:
    settings.SITE_URL = value
    assert [error.id for error in check_site_url()] == ids


def test_the_check_runs_only_with_deploy() -> None:
    from django.core import checks

    assert check_site_url in checks.registry.registry.get_checks(include_deployment_checks=True)
    assert check_site_url not in checks.registry.registry.get_checks()
