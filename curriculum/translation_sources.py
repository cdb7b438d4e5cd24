"""Which version of each English file a translation was made from.

A course's Russian or Kazakh tree (``content/ru/<course>/``) holds ``_sources.yaml``: for each of
its files, a fingerprint of the English file it translates, as it was when the translation was
last brought up to date. A translation whose source has changed since is *older than its
source*: the content lint fails on it until the translation is updated and its fingerprint
recorded again with

    python manage.py translation_sources content/ru/<course> [FILE ...]

(The importer skips files whose names start with ``_``, so the manifest never becomes a page.)
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml

__all__ = ["MANIFEST", "fingerprint", "record_sources", "stale_translations"]

MANIFEST = "_sources.yaml"
HEADER = (
    "# The English file each file of this translation was made from, by a fingerprint of its\n"
    "# text (sha256, first 16 hex digits). After updating a translated file, record its source\n"
    "# again: python manage.py translation_sources <this folder> <file>. The content lint\n"
    "# (tests/content/) fails on a translation whose source has changed since.\n"
)


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def _translated_files(translation: Path) -> list[str]:
    files = []
    for path in sorted(translation.rglob("*")):
        relative = path.relative_to(translation)
        if path.is_file() and all(not part.startswith((".", "_")) for part in relative.parts):
            files.append(relative.as_posix())
    return files


def _manifest(translation: Path) -> dict[str, str]:
    path = translation / MANIFEST
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    files = data.get("files") if isinstance(data, dict) else None
    return {str(k): str(v) for k, v in (files or {}).items()}


def stale_translations(source: Path, translation: Path) -> list[tuple[str, str]]:
    """Each file of ``translation`` that has no source or is older than it, with the reason."""
    recorded = _manifest(translation)
    problems = []
    for relative in _translated_files(translation):
        original = source / relative
        if not original.is_file():
            problems.append((relative, f"has no source file ({original.name} in the English tree)"))
        elif relative not in recorded:
            problems.append((relative, f"has no recorded source in {MANIFEST}"))
        elif recorded[relative] != fingerprint(original):
            problems.append(
                (
                    relative,
                    "is older than its source: the English file changed since it was "
                    "translated; update it, then run manage.py translation_sources",
                )
            )
    return problems


def record_sources(source: Path, translation: Path, files: list[str] | None = None) -> list[str]:
    """Record the current fingerprint of the sources of ``files`` (relative paths; default:
    every translated file that has a source) in the translation's manifest. Returns the files
    recorded."""
    recorded = _manifest(translation)
    wanted = files if files is not None else _translated_files(translation)
    done = []
    for relative in wanted:
        original = source / relative
        if not (translation / relative).is_file():
            raise FileNotFoundError(f"{translation / relative} does not exist")
        if not original.is_file():
            raise FileNotFoundError(f"{original} (the source of {relative}) does not exist")
        recorded[relative] = fingerprint(original)
        done.append(relative)
    existing = set(_translated_files(translation))
    body = yaml.safe_dump(
        {"files": {k: recorded[k] for k in sorted(recorded) if k in existing}},
        allow_unicode=True,
        sort_keys=False,
    )
    (translation / MANIFEST).write_text(HEADER + body, encoding="utf-8")
    return done
