"""``manage.py import_specialists FILE``: create or update specialists from a CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.api import progress_bar
from learners.importing import specialists_import


class Command(BaseCommand):
    help = (
        "Create or update specialists (accounts and profiles) from a CSV file; see "
        "docs/importing-specialists.md. Idempotent. All or nothing unless --partial."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a CSV file (UTF-8 or Windows-1251)")
        parser.add_argument(
            "--partial",
            action="store_true",
            help="import the valid rows even when others are invalid (those are reported)",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise CommandError(f"{path} does not exist.") from None
        except OSError as exc:
            raise CommandError(f"{path} cannot be read: {exc.strerror or exc}.") from None
        show = not options["no_progress"] and options["verbosity"] > 0
        with progress_bar("Importing", unit="row", enabled=show) as progress:
            result = specialists_import(
                data=data, filename=path.name, partial=options["partial"], progress=progress
            )
        for error in result.errors:
            self.stderr.write(str(error))
        if result.rejected:
            count = result.invalid_rows
            problem = (
                f"{count} invalid row{'s' if count != 1 else ''} in {path}"
                if count
                else f"{path} is not a usable specialists file"
            )
            raise CommandError(f"{problem}; nothing was imported.")
        if options["verbosity"] > 1:
            for label, emails in (("created", result.created), ("updated", result.updated)):
                for email in emails:
                    self.stdout.write(f"{label}: {email}")
        style = self.style.WARNING if result.invalid_rows else self.style.SUCCESS
        self.stdout.write(style(f"{result.summary()}."))
