"""Reports: the oversight dashboard for the ministry and regional coordinators."""

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from . import export_tasks, signals  # noqa: F401 -- registers the export tasks

        signals.connect()
