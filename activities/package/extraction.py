"""Writing a validated H5P package to disk: its content, and the libraries to install.

:func:`extract_package` reads the archive again as a stream and writes only the members
validation read (``ValidatedPackage.members``), refusing the archive if any of them changed
since (another CRC or size, a member gone or doubled, a library whose digest differs). Content
goes with ``content.json`` cleaned (:func:`~activities.package.sanitise.sanitise_content`) and
every SVG cleaned (:func:`~activities.package.svg.clean_svg`); a library's SVGs are cleaned too,
its other files are written as they are. Each file is written without following a symbolic link,
and only inside its folder.

On an error, what was already written stays: the caller extracts into fresh folders and moves
them into place only when this returns.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from activities.package.archive import Budget, LibraryDigest, read_member, read_whole
from activities.package.limits import Limits
from activities.package.model import CONTENT_JSON, LibraryRef, PackageLibrary, ValidatedPackage
from activities.package.problems import PackageInvalid, PackageProblem
from activities.package.sanitise import sanitise_content
from activities.package.svg import SvgRefused, clean_svg

__all__ = ["content_json_bytes", "extract_package"]

_CHANGED = "The package changed after it was checked: upload it again."
_OPEN_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
_OPEN_FLAGS |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def content_json_bytes(data: bytes) -> bytes:
    """content.json as it is stored: parsed, every string with markup cleaned, written as UTF-8
    JSON with ``<``, ``>`` and ``&`` escaped (``\\u003c`` ...), so it is also safe to put in a
    ``<script>`` element as it is (they can only occur inside strings, where the escapes mean
    the same)."""
    text = json.dumps(sanitise_content(json.loads(data)), ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return text.encode("utf-8")


def _changed(name: str) -> PackageInvalid:
    return PackageInvalid([PackageProblem("changed", name, _CHANGED)])


def _target(root: Path, relative: str) -> Path:
    """Where ``relative`` goes under ``root``, its folders made; never outside ``root`` (the
    names were checked, this holds even if the destination holds symbolic links)."""
    parts = relative.split("/")
    if "\\" in relative or any(part in {"", ".", ".."} for part in parts):
        raise PackageInvalid([PackageProblem("traversal", relative, "This path is not allowed.")])
    base = root.resolve()
    target = base.joinpath(*parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.parent.resolve().is_relative_to(base):
        raise PackageInvalid(
            [PackageProblem("traversal", relative, "This path leads out of its folder.")]
        )
    return target


def _write(target: Path, chunks: Iterable[bytes]) -> None:
    descriptor = os.open(target, _OPEN_FLAGS, 0o644)
    with os.fdopen(descriptor, "wb") as out:
        for chunk in chunks:
            out.write(chunk)


def extract_package(
    path: Path,
    package: ValidatedPackage,
    *,
    content_dir: Path,
    library_dirs: Mapping[LibraryRef, Path],
) -> None:
    """Write ``package`` (validated from the archive at ``path``): its ``content/`` files into
    ``content_dir`` (without the ``content/`` prefix), and each library named in
    ``library_dirs`` (usually ``package.to_install``) into its folder there (without the
    library's folder name). Raises ``PackageInvalid`` (``changed``, ``broken-zip``) when the
    archive is no longer the one validated, ``ValueError`` for a library not in the package."""
    libraries: dict[LibraryRef, PackageLibrary] = {lib.ref: lib for lib in package.libraries}
    plan: dict[str, tuple[Path, str, LibraryDigest | None]] = {}
    for name in package.content_files:
        plan[name] = (content_dir, name.removeprefix("content/"), None)
    digests: dict[LibraryRef, LibraryDigest] = {}
    for ref, root in library_dirs.items():
        library = libraries.get(ref)
        if library is None:
            raise ValueError(f"{ref} is not a library of this package (it has no folder for it)")
        digests[ref] = LibraryDigest(library.folder)
        for name in library.files:
            plan[name] = (root, name.removeprefix(f"{library.folder}/"), digests[ref])
    for name in plan:
        if name not in package.members:
            raise ValueError(f"{name} was not read by validation: validate the package again")
    # Nothing may unpack to more than validation counted (zipfile stops at the declared sizes,
    # which must match; this holds without relying on it).
    total = sum(package.members[name][1] for name in plan)
    budget = Budget(Limits(max_uncompressed_bytes=total), check_ratio=False)
    content_dir.mkdir(parents=True, exist_ok=True)
    written: set[str] = set()
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise _changed("") from None
    with archive:
        for info in archive.infolist():
            name = info.filename
            if name not in plan:
                continue
            if name in written or package.members[name] != (info.CRC, info.file_size):
                raise _changed(name)
            written.add(name)
            root, relative, digest = plan[name]
            target = _target(root, relative)
            if name == CONTENT_JSON:
                _write(target, [content_json_bytes(read_whole(archive, info, budget, None))])
            elif name.lower().endswith(".svg"):
                try:
                    cleaned = clean_svg(read_whole(archive, info, budget, digest))
                except SvgRefused as exc:
                    raise PackageInvalid([PackageProblem("svg", name, exc.message)]) from None
                _write(target, [cleaned])
            else:
                chunks = (
                    digest.stream(archive, info, budget)
                    if digest
                    else read_member(archive, info, budget)
                )
                _write(target, chunks)
    if missing := sorted(set(plan) - written):
        raise _changed(missing[0])
    for ref, digest in digests.items():
        if digest.hexdigest() != libraries[ref].digest:
            raise _changed(f"{libraries[ref].folder}/")
