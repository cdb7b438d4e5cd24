"""Curriculum extensions: other apps add their own files to a course folder.

``courses`` knows nothing about quizzes; the quiz app registers an extension that reads a course's
``quizzes/`` folder, stores the quizzes before the pages are written (in the same transaction),
and writes the folder back on export. Pages refer to what an extension defines with a
:class:`ModelRef` (a model label and a slug), resolved once the extension has written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

__all__ = ["CurriculumExtension", "ModelRef", "extensions", "register_curriculum_extension"]


@dataclass(frozen=True)
class ModelRef:
    """A reference from a file to an object by slug, e.g. ``("quizzes.Quiz", "module-1-check")``.

    ``where`` is ``(file, line, field)`` for the error when nothing has that slug.
    """

    label: str
    slug: str
    where: tuple[str, int, str]


class CurriculumExtension(Protocol):
    """What an extension provides. ``errors`` collects ``CurriculumError``s, as the parser does."""

    #: The course sub-folder it owns (never taken for a module or a folder of files).
    folder: str

    def parse(
        self, folder: Path, course_slug: str, root: Path, errors: list[Any], locale: str
    ) -> Any:
        """Read and check the folder (no database); return what ``write`` needs. ``root`` is
        the curriculum folder file names are shown relative to (``FileReader(path, root, …)``);
        ``locale`` the course's language (a translation's objects are linked to the source's
        objects of the same slug)."""
        ...

    def write(self, parsed: Any, *, report: Any) -> None:
        """Store what ``parse`` returned; add lines to ``report.created/updated/unchanged``.
        Raise ``CurriculumInvalid`` for a problem only the database can show."""
        ...

    def export(self, course: Any, folder: Path) -> int:
        """Write the course's objects (in the course's language) into ``folder``; return the
        number of files written."""
        ...

    def export_ref(self, label: str, pk: int) -> str | None:
        """The slug a file uses for object ``pk`` of model ``label`` (None when not ours)."""
        ...


_EXTENSIONS: list[CurriculumExtension] = []


def register_curriculum_extension(extension: CurriculumExtension) -> None:
    """Add an extension (from an app's ``ready``); registering the same class twice is a no-op."""
    if not any(type(e) is type(extension) for e in _EXTENSIONS):
        _EXTENSIONS.append(extension)


def extensions() -> list[CurriculumExtension]:
    """The registered extensions, in registration order."""
    return list(_EXTENSIONS)
