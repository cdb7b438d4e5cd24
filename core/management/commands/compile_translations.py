"""``manage.py compile_translations``: compile the ``.po`` catalogues into ``.mo``, without gettext.

The compiled ``.mo`` files are not committed (``.gitignore``); ``make install`` runs this so a
fresh machine serves translated pages without GNU gettext installed. Every ``*.po`` under each of
``LOCALE_PATHS`` (``django`` and ``djangojs`` domains alike) is compiled with polib when its
``.mo`` is missing or older than it; ``--force`` compiles them all. Fuzzy and untranslated
messages are left out, as ``msgfmt`` does.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import polib  # type: ignore[import-untyped]  # no type hints shipped
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


def catalogues() -> list[Path]:
    """Every ``.po`` file under ``LOCALE_PATHS``, sorted."""
    found: list[Path] = []
    for root in settings.LOCALE_PATHS:
        found.extend(sorted(Path(root).glob("*/LC_MESSAGES/*.po")))
    return found


def is_stale(po: Path) -> bool:
    """Whether ``po``'s ``.mo`` is missing or older than it."""
    mo = po.with_suffix(".mo")
    return not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime


def compile_catalogue(po: Path) -> None:
    """Write ``po``'s ``.mo`` beside it, atomically (a reader never sees half a file)."""
    try:
        catalogue = polib.pofile(str(po))
    except (OSError, ValueError) as error:
        raise CommandError(f"{po}: {error}") from error
    descriptor, temporary = tempfile.mkstemp(dir=po.parent, suffix=".mo.tmp")
    os.close(descriptor)
    try:
        catalogue.save_as_mofile(temporary)
        os.chmod(temporary, 0o644)
        os.replace(temporary, po.with_suffix(".mo"))
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Command(BaseCommand):
    help = "Compile the .po catalogues under LOCALE_PATHS into .mo (missing or older ones only)."
    # Part of `make install`: nothing here depends on the database or the other checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="compile every catalogue")

    def handle(self, *args: Any, **options: Any) -> None:
        compiled = 0
        for po in catalogues():
            if options["force"] or is_stale(po):
                compile_catalogue(po)
                compiled += 1
                if options["verbosity"] > 1:
                    self.stdout.write(f"compiled {po}")
        if options["verbosity"] > 0:
            self.stdout.write(f"Translations: {compiled} catalogue(s) compiled.")
