"""``manage.py export_questions --category NAME [--format gift|xml] [-o FILE]``: write a category
as GIFT or Moodle XML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quizzes.exporting import questions_export, questions_export_moodle_xml
from quizzes.models import QuestionCategory


class Command(BaseCommand):
    help = (
        "Write the questions of a category (and the categories inside it) as Moodle GIFT; see "
        "docs/question-formats.md. Ordering and scenario questions cannot be written in GIFT: "
        "they are listed, and the command fails unless --skip-unsupported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--category", required=True, help="the category to export")
        parser.add_argument(
            "--format",
            choices=("gift", "xml"),
            default="gift",
            dest="fmt",
            help="GIFT (default) or Moodle XML, which embeds the questions' images",
        )
        parser.add_argument("-o", "--output", type=Path, help="the file to write (default stdout)")
        parser.add_argument(
            "--no-subcategories",
            action="store_true",
            help="only the category's own questions, not those of the categories inside it",
        )
        parser.add_argument(
            "--skip-unsupported",
            action="store_true",
            help="export the rest when some questions cannot be written in GIFT (they are listed)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["category"]
        category = QuestionCategory.objects.filter(name=name).first()
        if category is None:
            raise CommandError(f"There is no question category '{name}'.")
        export = questions_export_moodle_xml if options["fmt"] == "xml" else questions_export
        result = export(category=category, include_subcategories=not options["no_subcategories"])
        if result.skipped and not options["skip_unsupported"]:
            count = len(result.skipped)
            listing = "\n".join(result.skipped)
            raise CommandError(
                f"{count} question{'s' if count != 1 else ''} cannot be written in "
                f"{'Moodle XML' if options['fmt'] == 'xml' else 'GIFT'}; nothing "
                f"was written (use --skip-unsupported to export the others):\n{listing}"
            )
        for skipped in result.skipped:
            self.stderr.write(self.style.WARNING(f"not exported: {skipped}"))
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(warning))
        output: Path | None = options["output"]
        if output is None:
            self.stdout.write(result.text, ending="")
            return
        try:
            output.write_text(result.text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{output} cannot be written: {exc.strerror or exc}.") from None
        self.stdout.write(
            self.style.SUCCESS(f"{result.exported} questions of '{name}' written to {output}.")
        )
