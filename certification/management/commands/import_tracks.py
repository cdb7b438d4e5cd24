"""``manage.py import_tracks [FILE]``: create or update certification tracks from a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from certification.tracks_file import TRACKS_FILE_NAME, tracks_import
from courses.api import CurriculumInvalid


class Command(BaseCommand):
    help = (
        "Create or update certification tracks from a YAML file, matched by slug (see "
        "docs/certification.md, 'Tracks in files'). All or nothing: an error anywhere stops the "
        "import and nothing is written. Tracks not in the file are left alone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file",
            nargs="?",
            type=Path,
            default=Path(settings.BASE_DIR) / "content" / TRACKS_FILE_NAME,
            help=f"the tracks file (default: content/{TRACKS_FILE_NAME})",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report, write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            report = tracks_import(path=path, dry_run=options["dry_run"])
        except CurriculumInvalid as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            count = len(exc.errors)
            raise CommandError(
                f"{count} error{'s' if count != 1 else ''} in {path}; nothing was imported."
            ) from None
        if options["verbosity"] > 1:
            for label, names in (("created", report.created), ("updated", report.updated)):
                for name in names:
                    self.stdout.write(f"{label}: {name}")
        prefix = "Dry run: " if report.dry_run else ""
        self.stdout.write(self.style.SUCCESS(f"{prefix}Tracks: {report.summary()}."))
