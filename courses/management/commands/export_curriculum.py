"""``manage.py export_curriculum PATH``: write published courses as curriculum files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.api import progress_bar
from courses.api import CurriculumInvalid, curriculum_export


class Command(BaseCommand):
    help = "Export published courses to curriculum files (the format import_curriculum reads)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the folder to write course folders into")
        parser.add_argument(
            "--course", action="append", dest="slugs", metavar="SLUG",
            help="export only this course (repeatable)",
        )  # fmt: skip
        parser.add_argument(
            "--force", action="store_true", help="replace course folders that already exist"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        show = not options["no_progress"] and options["verbosity"] > 0
        try:
            with progress_bar("Exporting", unit="course", enabled=show) as progress:
                report = curriculum_export(
                    path=options["path"], force=options["force"], slugs=options["slugs"],
                    progress=progress,
                )  # fmt: skip
        except CurriculumInvalid as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError("Nothing was exported.") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported {len(report.courses)} course(s), {report.files} file(s), "
                f"to {options['path']}."
            )
        )
