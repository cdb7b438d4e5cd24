"""``manage.py generate_demo_people --practitioners N``: synthetic practitioners with their
learning and certificates, for the dashboard's demo and benchmark (``reports.demo_data``).

``--delete`` removes every synthetic person (username ``demo-…`` with an email at
``example.invalid``) and their records instead. A progress bar goes to stderr; the counts and the
time taken to stdout.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.api import progress_bar
from reports.demo_data import (
    DemoDataError,
    demo_facts_rebuild,
    demo_people_delete,
    demo_people_generate,
)


class Command(BaseCommand):
    help = (
        "Generate synthetic practitioners (clearly marked: demo-NNNNNN@example.invalid) with "
        "enrolments, progress, quiz results and certificates, then rebuild the report facts; "
        "or remove them all with --delete."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--practitioners", type=int, default=300,
                            help="how many to make (default 300)")  # fmt: skip
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--delete", action="store_true",
                            help="remove every synthetic person and their records")  # fmt: skip
        parser.add_argument("--no-rebuild", action="store_true",
                            help="do not rebuild the report facts afterwards")  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        show = options["verbosity"] > 0
        if options["delete"]:
            with progress_bar("Deleting synthetic people", unit="people", enabled=show) as bar:
                deleted = demo_people_delete(progress=bar)
            self.stdout.write(
                f"Deleted {deleted} synthetic people in {time.monotonic() - started:.1f} s."
            )
            return
        if options["practitioners"] < 0:
            raise CommandError("--practitioners must be 0 or more.")
        with progress_bar("Synthetic practitioners", unit="people", enabled=show) as bar:
            try:
                summary = demo_people_generate(
                    practitioners=options["practitioners"],
                    seed=options["seed"],
                    progress=bar,
                    rebuild=False,
                )
            except DemoDataError as error:
                raise CommandError(str(error)) from error
        if not options["no_rebuild"]:
            with progress_bar("Report facts", unit="people", enabled=show) as bar:
                summary.facts_rebuilt = demo_facts_rebuild(progress=bar)
        seconds = time.monotonic() - started
        self.stdout.write(
            f"Made {summary.practitioners} synthetic practitioners, {summary.enrollments} "
            f"enrolments, {summary.lessons_completed} lessons completed, "
            f"{summary.quiz_attempts} quiz attempts ({summary.quiz_results} results), "
            f"{summary.certificates} certificates and {summary.cohorts} cohorts "
            f"in {seconds:.1f} s"
            + ("; report facts rebuilt." if summary.facts_rebuilt else "; facts not rebuilt.")
        )
