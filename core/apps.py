"""Shared building blocks: HTML safety, Markdown, the specialty list, health checks."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.core import checks

        from .sites import check_site_url

        checks.register(check_site_url, checks.Tags.security, deploy=True)
