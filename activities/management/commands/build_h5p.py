"""``manage.py build_h5p SOURCE.yaml [-o OUT.h5p] [--language xx]``: build one activity package.

For trying an activity source file out before importing it (the import builds packages itself).
The language defaults from the path: ``content/<lang>/<course>/activities/<slug>.yaml`` is in
``<lang>``, ``content/<course>/activities/<slug>.yaml`` in English.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from activities.building import ActivitySourceError, build_package, read_source, source_problems


def language_of(path: Path) -> str:
    """The language a source file is written in, from where it sits (else English)."""
    parts = path.resolve().parts
    languages = {code for code, _name in settings.LANGUAGES}
    # <lang>/<course>/activities/<slug>.yaml: the language is the fourth part from the end.
    if len(parts) >= 4 and parts[-2] == "activities" and parts[-4] in languages:
        return parts[-4]
    return "en"


class Command(BaseCommand):
    help = (
        "Build an H5P package from an activity source file (YAML) and print where it was "
        "written (by default <slug>-<language>.h5p in the current folder)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=Path, help="the activity source file (.yaml)")
        parser.add_argument("-o", "--output", type=Path, help="where to write the .h5p file")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            help="the language of the player's words (default: from the path, else en)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source_path: Path = options["source"]
        language: str = options["language"] or language_of(source_path)
        try:
            source = read_source(source_path)
            problems = source_problems(source)
            if problems:
                raise ActivitySourceError(problems, path=source_path)
            package = build_package(source, language=language)
        except ActivitySourceError as exc:
            raise CommandError(
                f"{source_path} has {len(exc.problems)} problem(s):\n"
                + "\n".join(f"  {source_path}: {problem}" for problem in exc.problems)
            ) from None
        output: Path = options["output"] or Path(f"{source_path.stem}-{language}.h5p")
        try:
            output.write_bytes(package)
        except OSError as exc:
            raise CommandError(f"{output}: cannot be written ({exc.strerror})") from None
        self.stdout.write(str(output))
