"""Certification: tracks, certificates, public verification (issue #5, started)."""

from django.apps import AppConfig


class CertificationConfig(AppConfig):
    name = "certification"
    verbose_name = "Certification"

    def ready(self) -> None:
        from . import signals

        signals.connect()
