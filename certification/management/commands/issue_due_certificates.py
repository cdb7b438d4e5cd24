"""``manage.py issue_due_certificates``: issue every certificate that is due and missing.

What the beat entry ``certification-issue-due`` does every ten minutes, by hand: after an outage
of the broker longer than the sweep's window, or to check everyone (``--all``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from certification.services import SweepReport, certificates_issue_due


class Command(BaseCommand):
    help = (
        "Issue the certificates that are due and missing (a lost issuing task), exactly once. "
        "Checks the learners active in the last CERTIFICATION_SWEEP_WINDOW_HOURS, or --hours, "
        "or everyone with --all."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument(
            "--hours",
            type=int,
            default=settings.CERTIFICATION_SWEEP_WINDOW_HOURS,
            help="check learners active in this many hours (default: %(default)s)",
        )
        scope.add_argument(
            "--all", action="store_true", help="check every learner who ever made progress"
        )
        parser.add_argument(
            "--batch-size", type=int, default=500, help="learners per batch (default: 500)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["hours"] < 1 or options["batch_size"] < 1:
            raise CommandError("--hours and --batch-size must be at least 1.")
        since = None if options["all"] else timezone.now() - timedelta(hours=options["hours"])
        self.stdout.write(
            "Checking every learner with progress."
            if since is None
            else f"Checking learners active since {since:%Y-%m-%d %H:%M %Z}."
        )

        def progress(report: SweepReport) -> None:
            self.stdout.write(
                f"  {report.checked} learners checked, {len(report.issued)} certificates issued"
            )

        report = certificates_issue_due(
            since=since, batch_size=options["batch_size"], on_batch=progress
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {report.checked} learners checked, "
                f"{len(report.issued)} certificates issued."
            )
        )
