"""``manage.py rebuild_report_facts``: recompute the dashboard's summary tables for every
practitioner (what the nightly task ``reports.rebuild_facts`` does), with a progress bar."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.api import progress_bar
from reports.facts import facts_rebuild, stale_refresh


class Command(BaseCommand):
    help = "Recompute the oversight dashboard's summary tables for every practitioner."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=2000, help="Practitioners per transaction."
        )
        parser.add_argument("--no-progress", action="store_true", help="Draw no progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        with progress_bar(
            "Report facts", unit="people", enabled=not options["no_progress"]
        ) as progress:
            count = facts_rebuild(progress=progress, batch_size=options["batch_size"])
        # Whoever was marked stale meanwhile is fresh now, or is refreshed here.
        stale = stale_refresh(limit=10**9)
        seconds = time.monotonic() - started
        self.stdout.write(
            f"Facts rebuilt for {count} practitioner(s), {stale} marked stale refreshed, "
            f"in {seconds:.1f} s."
        )
