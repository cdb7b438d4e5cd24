"""Shared building blocks: HTML safety, Markdown, the specialty list, health checks."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"
