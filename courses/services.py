"""Writes for courses: curriculum import and export (see ``docs/curriculum-format.md``)."""

from __future__ import annotations

from pathlib import Path

from core.api import Progress

from .curriculum.exporter import ExportReport, export_tree
from .curriculum.importer import ImportReport, import_tree

__all__ = ["curriculum_export", "curriculum_import"]


def curriculum_import(
    *, path: Path, progress: Progress | None = None, dry_run: bool = False
) -> ImportReport:
    """Create or update course pages from the files under ``path``, all or nothing.

    Raises ``CurriculumInvalid`` (every error, with file, line and field) and writes nothing when
    any file is invalid.
    """
    return import_tree(path, progress=progress, dry_run=dry_run)


def curriculum_export(
    *, path: Path, force: bool = False, slugs: list[str] | None = None,
    progress: Progress | None = None,
) -> ExportReport:  # fmt: skip
    """Write published courses to ``path`` in the curriculum file format."""
    return export_tree(path, force=force, slugs=slugs, progress=progress)
