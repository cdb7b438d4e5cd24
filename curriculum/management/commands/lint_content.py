"""``manage.py lint_content [PATH]``: the content lint (``curriculum.content_lint``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from curriculum.content_lint import lint_content


class Command(BaseCommand):
    help = "Check the curriculum files against docs/content-guidelines.md."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", type=Path, nargs="?", default=Path(settings.BASE_DIR) / "content"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        problems = lint_content(options["path"])
        for problem in problems:
            self.stdout.write(str(problem))
        if problems:
            raise CommandError(f"{len(problems)} problems in {options['path']}.")
        self.stdout.write("The curriculum passes the content lint.")
