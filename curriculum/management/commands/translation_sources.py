"""``manage.py translation_sources content/<lang>/<course> [FILE ...]``: record that a
translation is up to date with its English source (``curriculum.translation_sources``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from curriculum.translation_sources import record_sources, stale_translations


class Command(BaseCommand):
    help = (
        "Record the English source of each file of a course's translation (content/<lang>/"
        "<course>/_sources.yaml), after the files were brought up to date. With --check, list "
        "the files that are older than their source, and record nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("translation", type=Path, help="content/<lang>/<course>")
        parser.add_argument("files", nargs="*", help="only these files (relative paths)")
        parser.add_argument("--check", action="store_true", help="list stale files only")

    def handle(self, *args: Any, **options: Any) -> None:
        translation: Path = options["translation"].resolve()
        languages = {code for code, _name in settings.LANGUAGES} - {settings.LANGUAGE_CODE}
        if not translation.is_dir() or translation.parent.name not in languages:
            raise CommandError(f"{translation} is not a course folder under content/<lang>/")
        source = translation.parent.parent / translation.name
        if not source.is_dir():
            raise CommandError(f"{translation} has no English source course ({source})")
        if options["check"]:
            stale = stale_translations(source, translation)
            for relative, reason in stale:
                self.stdout.write(f"{relative}: {reason}")
            if stale:
                raise CommandError(f"{len(stale)} files are not up to date with their source.")
            self.stdout.write("Every file is up to date with its source.")
            return
        try:
            done = record_sources(source, translation, options["files"] or None)
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Recorded the source of {len(done)} files.")
