"""``manage.py import_specialists FILE``: create or update specialists from a CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.api import invitation_valid_days
from core.api import progress_bar
from learners.importing import specialists_import
from learners.invitations import specialists_invite


def _languages() -> list[str]:
    return sorted(code for code, _name in settings.LANGUAGES)


class Command(BaseCommand):
    help = (
        "Create or update specialists (accounts and profiles) from a CSV file; see "
        "docs/importing-specialists.md. Idempotent. All or nothing unless --partial. Emails an "
        "invitation to each specialist who cannot sign in yet (not twice). Messages are in "
        "--language (default: LANGUAGE_CODE)."
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
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            help=f"the language of the messages: {', '.join(_languages())} "
            f"(default: {settings.LANGUAGE_CODE})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        language = options["language"]
        if language not in _languages():
            raise CommandError(
                f"--language {language!r} is not a language of the platform; use one of: "
                f"{', '.join(_languages())}."
            )
        with translation.override(language):
            self._import(options)

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise CommandError(_("%(path)s does not exist.") % {"path": path}) from None
        except OSError as exc:
            raise CommandError(
                _("%(path)s cannot be read: %(error)s.")
                % {"path": path, "error": exc.strerror or exc}
            ) from None
        show = not options["no_progress"] and options["verbosity"] > 0
        with progress_bar(_("Importing"), unit="row", enabled=show) as progress:
            result = specialists_import(
                data=data, filename=path.name, partial=options["partial"], progress=progress
            )
        for error in result.errors:
            self.stderr.write(str(error))
        for note in result.notes:
            self.stderr.write(_("note: %(note)s") % {"note": note})
        if result.rejected:
            count = result.invalid_rows
            if count:
                problem = ngettext(
                    "%(count)s invalid row in %(path)s; nothing was imported.",
                    "%(count)s invalid rows in %(path)s; nothing was imported.",
                    count,
                )
            else:
                problem = _("%(path)s is not a usable specialists file; nothing was imported.")
            raise CommandError(problem % {"count": count, "path": path})
        if options["verbosity"] > 1:
            for email in result.created:
                self.stdout.write(_("created: %(email)s") % {"email": email})
            for email in result.updated:
                self.stdout.write(_("updated: %(email)s") % {"email": email})
        style = self.style.WARNING if result.invalid_rows else self.style.SUCCESS
        self.stdout.write(style(f"{result.summary()}."))
        if options["no_invitations"]:
            return
        invited = specialists_invite(
            emails=[*result.created, *result.updated, *result.unchanged], by=None
        )
        if invited:
            self.stdout.write(
                ngettext(
                    "%(count)s invitation queued: each specialist gets an email with a link to "
                    "set a password, valid for %(days)s days.",
                    "%(count)s invitations queued: each specialist gets an email with a link to "
                    "set a password, valid for %(days)s days.",
                    len(invited),
                )
                % {"count": len(invited), "days": invitation_valid_days()}
            )
