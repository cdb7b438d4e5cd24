"""``manage.py import_questions --format gift|aiken|xml FILE [--category NAME [--nest]]``: load a
question file."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quizzes.importing import FORMATS, ImportReport, questions_import


class Command(BaseCommand):
    help = (
        "Create or update questions from a Moodle GIFT, Moodle XML or Aiken file in a category "
        "of the question bank; see docs/question-formats.md. Idempotent: questions are matched by "
        "category and title. All or nothing: any problem and nothing is stored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the question file")
        parser.add_argument("--format", required=True, choices=FORMATS, dest="fmt")
        parser.add_argument(
            "--category",
            default="",
            help="the category of the questions before any GIFT $CATEGORY line (required for "
            "Aiken); created if missing. A GIFT file's $CATEGORY lines name their own categories",
        )
        parser.add_argument(
            "--nest",
            action="store_true",
            help="put the file's $CATEGORY categories inside --category",
        )
        parser.add_argument(
            "--skip-unsupported",
            action="store_true",
            help="leave out essays and descriptions (they are listed) instead of refusing the file",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report; store nothing"
        )
        parser.add_argument(
            "--encoding", default="utf-8", help="the file's encoding (default utf-8; a BOM is fine)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not options["category"] and options["fmt"] == "aiken":
            raise CommandError("An Aiken file has no categories: give one with --category.")
        if options["nest"] and not options["category"]:
            raise CommandError("--nest puts the file's categories inside --category: give one.")
        if options["fmt"] == "xml":  # read as a stream: XML names its own encoding
            try:
                with path.open("rb") as stream:
                    report = self._import(stream, path, options)
            except FileNotFoundError:
                raise CommandError(f"{path} does not exist.") from None
        else:
            report = self._import(_read(path, options["encoding"]), path, options)
        self._report(report, path, options)

    def _import(self, text: str | IO[bytes], path: Path, options: dict[str, Any]) -> ImportReport:
        return questions_import(
            text=text,
            fmt=options["fmt"],
            category=options["category"],
            nest=options["nest"],
            skip_unsupported=options["skip_unsupported"],
            dry_run=options["dry_run"],
            filename=str(path),
            publish=True,  # an operator's command, like the curriculum loader
        )

    def _report(self, report: ImportReport, path: Path, options: dict[str, Any]) -> None:
        if not report.ok:
            count = len(report.errors)
            listing = "\n".join(str(error) for error in report.errors)
            raise CommandError(
                f"{count} problem{'s' if count != 1 else ''} in {path}; nothing was imported:\n"
                f"{listing}"
            )
        for skipped in report.skipped:
            self.stderr.write(self.style.WARNING(f"skipped: {skipped}"))
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        for note in report.notes:
            self.stderr.write(f"note: {note}")
        if options["verbosity"] > 1:
            for label, questions in (("created", report.created), ("updated", report.updated)):
                for question in questions:
                    self.stdout.write(f"{label}: {question}")
        style = self.style.WARNING if report.skipped or report.dry_run else self.style.SUCCESS
        self.stdout.write(style(f"{path} into '{report.category}': {report.summary()}."))


def _read(path: Path, encoding: str) -> str:
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        raise CommandError(f"--encoding {encoding}: unknown encoding.") from None
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CommandError(f"{path} does not exist.") from None
    except OSError as exc:
        raise CommandError(f"{path} cannot be read: {exc.strerror or exc}.") from None
    name = "utf-8-sig" if codec.name == "utf-8" else codec.name  # accept a BOM
    try:
        return data.decode(name)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CommandError(
            f"{path}:{line}: the file is not valid {encoding} text (byte {exc.start}: "
            f"{exc.reason}); save it as UTF-8 or give its encoding with --encoding."
        ) from None
