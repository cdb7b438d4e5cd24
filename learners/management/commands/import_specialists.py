"""``manage.py import_specialists FILE``: create or update specialists from a CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.api import invitation_valid_days
from core.api import progress_bar
from learners.importing import specialists_import
from learners.invitations import specialists_invite


class Command(BaseCommand):
    help = (
        "Create or update specialists (accounts and profiles) from a CSV file; see "
        "docs/importing-specialists.md. Idempotent. All or nothing unless --partial. Emails an "
        "invitation to each specialist who cannot sign in yet (not twice)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a CSV file (UTF-8 or Windows-1251)")
        parser.add_argument(
            "--partial",
            action="store_true",
            help="import the valid rows even when others are invalid (those are reported)",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument(
            "--no-invitations",
            action="store_true",
            help="do not email invitations to the specialists who cannot sign in yet",
        )

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
        for note in result.notes:
            self.stderr.write(f"note: {note}")
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
        if options["no_invitations"]:
            return
        invited = specialists_invite(
            emails=[*result.created, *result.updated, *result.unchanged], by=None
        )
        if invited:
            self.stdout.write(
                f"{len(invited)} invitation{'s' if len(invited) != 1 else ''} queued: each "
                f"specialist gets an email with a link to set a password, valid for "
                f"{invitation_valid_days()} days."
            )
