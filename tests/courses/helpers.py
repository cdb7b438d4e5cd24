"""What the curriculum-file tests share: the errors an import refuses with, and editing a copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from courses.api import CurriculumInvalid, curriculum_import


def errors_of(path: Path) -> list[str]:
    """The import of ``path`` is refused: its errors, as the command prints them."""
    with pytest.raises(CurriculumInvalid) as info:
        curriculum_import(path=path)
    return [str(e) for e in info.value.errors]


def edit(root: Path, relative: str, old: str, new: str) -> None:
    """Replace the first ``old`` in the file ``root/relative`` (which must contain it)."""
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
