"""``manage.py import_curriculum PATH``: create or update course pages from curriculum files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.api import progress_bar
from courses.api import CurriculumInvalid, curriculum_import


class Command(BaseCommand):
    help = (
        "Import courses from curriculum files (see docs/curriculum-format.md). Idempotent; "
        "all or nothing: a file with an error stops the import and nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="a curriculum folder, or one course folder")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the files and report, write nothing"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        show = not options["no_progress"] and options["verbosity"] > 0
        try:
            with progress_bar("Importing", unit="page", enabled=show) as progress:
                report = curriculum_import(path=path, progress=progress, dry_run=options["dry_run"])
        except CurriculumInvalid as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            count = len(exc.errors)
            raise CommandError(
                f"{count} error{'s' if count != 1 else ''} in {path}; nothing was imported."
            ) from None
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        if options["verbosity"] > 1:
            for label, items in (
                ("created", report.created),
                ("updated", report.updated),
                ("reordered", report.moved),
            ):
                for item in items:
                    self.stdout.write(f"{label}: {item}")
        prefix = "Dry run: " if report.dry_run else ""
        self.stdout.write(self.style.SUCCESS(f"{prefix}{report.summary()}."))
