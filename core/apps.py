"""Shared building blocks: HTML safety, Markdown, the specialty list, health checks."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.core import checks

        from .cache import check_cache_apart_from_broker
        from .csp import install_wagtail_nonces
        from .page_cache import connect_signals
        from .sites import check_site_url

        checks.register(check_site_url, checks.Tags.security, deploy=True)
        checks.register(check_cache_apart_from_broker, checks.Tags.caches, deploy=True)
        connect_signals()  # the page cache follows privacy changes and cache outages (h2)
        install_wagtail_nonces()  # Content-Security-Policy nonces on the CMS's choosers (h6)
