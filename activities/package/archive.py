"""Reading an H5P package's zip archive safely, as a stream.

Shared by validation and extraction:

- :func:`open_archive`: the size check (before opening), the central directory's size and entry
  count bounded from the end record (before :mod:`zipfile` parses it into memory), then the
  archive, with "not a zip" and "damaged" as problems rather than exceptions.
- :func:`check_declared_sizes`: what the headers claim, checked first because it is free.
- :func:`name_problems`: traversal, absolute paths, backslashes, control characters, symlinks,
  duplicates and names that differ only in case, encryption, compression methods.
- :func:`read_member`: a member's bytes in chunks, counting the real bytes against a
  :class:`Budget` (total and compression ratio) whatever the headers say, and turning zlib and
  CRC failures into a ``broken-zip`` problem naming the member.
- :class:`LibraryDigest`: the sha256 that identifies a library's files.
"""

from __future__ import annotations

import hashlib
import re
import stat
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from activities.package.limits import RATIO_FLOOR_BYTES, Limits, human_size
from activities.package.problems import PackageInvalid, PackageProblem

__all__ = [
    "CHUNK_BYTES",
    "Budget",
    "LibraryDigest",
    "check_declared_sizes",
    "display_name",
    "is_ignored",
    "name_problems",
    "open_archive",
    "read_member",
    "read_whole",
]

#: How much of a member is read at a time: large enough for few calls, small enough that memory
#: does not depend on the package.
CHUNK_BYTES = 64 * 1024

#: Stored and deflate: what H5P tools and every zip program write. bzip2 and LZMA are refused:
#: nothing makes H5P packages with them, and they unpack far more from far less (bombs).
_COMPRESSIONS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}

#: The central directory may average this many bytes per allowed file (46 bytes of header, then
#: the name and extra fields; real entries are about 120). Bounds what zipfile reads into memory
#: and how many ZipInfo objects it makes, whatever the end record claims.
_DIRECTORY_BYTES_PER_FILE = 512

_MAX_NAME = 1024  # characters in a member name
_MAX_PART = 255  # characters in one part of it (most file systems' limit)
_DRIVE = re.compile(r"[A-Za-z]:")
#: Errors zipfile and zlib raise on a damaged archive or member.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, ValueError)
_REDO = "Export or download the package again; if it was sent by email, ask for it as a file."


def display_name(name: str) -> str:
    """``name`` with control characters shown as escapes, safe to print in a message."""
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in name
    )


def is_ignored(name: str) -> bool:
    """Whether H5P skips this member: a part of its path starts with ``.`` or ``_``
    (``__MACOSX/``, ``.DS_Store``, ``.git/``). Only for names that passed :func:`name_problems`
    (``..`` is refused there, not skipped here)."""
    return any(part[:1] in {".", "_"} for part in name.rstrip("/").split("/"))


# --------------------------------------------------------------------------------------------
# Opening


def _end_record(path: Path) -> tuple[int, int] | None:
    """(entries, central directory bytes) as the end-of-central-directory record (or its zip64
    record) declares them: the record zipfile itself will use, read with its own reader so that
    both agree. ``None`` when there is none (zipfile will say it is not a zip)."""
    read = getattr(zipfile, "_EndRecData", None)  # private but stable since Python 2
    if read is None:
        return None
    entries_at = getattr(zipfile, "_ECD_ENTRIES_TOTAL", 4)
    size_at = getattr(zipfile, "_ECD_SIZE", 5)
    try:
        with path.open("rb") as fp:
            record = read(fp)
    except (OSError, zipfile.BadZipFile, ValueError):
        return None
    if not record:
        return None
    return int(record[entries_at]), int(record[size_at])


def open_archive(path: Path, limits: Limits) -> zipfile.ZipFile:
    """The package at ``path`` opened as a zip, after checking its size, or ``PackageInvalid``
    (``too-large``, ``too-many-files``, ``broken-zip``)."""
    size = path.stat().st_size
    if size > limits.max_package_bytes:
        raise PackageInvalid(
            [
                PackageProblem(
                    "too-large",
                    "",
                    f"The package is {human_size(size)}; at most "
                    f"{human_size(limits.max_package_bytes)} is allowed. Make the videos and "
                    "images smaller, or link to large videos instead of including them.",
                )
            ]
        )
    declared = _end_record(path)
    if declared is not None:
        entries, directory_bytes = declared
        if (
            entries > limits.max_files
            or directory_bytes > limits.max_files * _DIRECTORY_BYTES_PER_FILE
        ):
            raise PackageInvalid([_too_many_files(entries, limits)])
    try:
        archive = zipfile.ZipFile(path)
    except _ZIP_ERRORS as exc:
        raise PackageInvalid(
            [
                PackageProblem(
                    "broken-zip",
                    "",
                    "This file is not an H5P package: it cannot be opened as a zip archive "
                    f"({exc}). H5P packages are .h5p files exported from H5P. {_REDO}",
                )
            ]
        ) from None
    count = len(archive.infolist())
    if count > limits.max_files:
        archive.close()
        raise PackageInvalid([_too_many_files(count, limits)])
    return archive


def _too_many_files(count: int, limits: Limits) -> PackageProblem:
    return PackageProblem(
        "too-many-files",
        "",
        f"The package holds {count:,} files; at most {limits.max_files:,} are allowed.",
    )


def check_declared_sizes(infos: list[zipfile.ZipInfo], package_bytes: int, limits: Limits) -> None:
    """Refuse at once (``zip-bomb``, ``ratio``) what the headers already admit to; the real
    bytes are counted again while reading (:func:`read_member`), since headers can lie."""
    total = sum(info.file_size for info in infos)
    if total > limits.max_uncompressed_bytes:
        raise PackageInvalid([_bomb("", total, limits)])
    problems = [
        _ratio(info.filename, info.file_size, info.compress_size, limits)
        for info in infos
        if _over_ratio(info.file_size, info.compress_size, limits)
    ]
    if not problems and _over_ratio(total, package_bytes, limits):
        problems.append(_ratio("", total, package_bytes, limits))
    if problems:
        raise PackageInvalid(problems)


def _over_ratio(unpacked: int, packed: int, limits: Limits) -> bool:
    return unpacked > RATIO_FLOOR_BYTES and unpacked > limits.max_ratio * max(packed, 1)


def _bomb(name: str, total: int, limits: Limits) -> PackageProblem:
    what = "This file" if name else "The package"
    return PackageProblem(
        "zip-bomb",
        display_name(name),
        f"{what} unpacks to more than {human_size(limits.max_uncompressed_bytes)} "
        f"({human_size(total)} or more), the most a package may hold once unpacked.",
    )


def _ratio(name: str, unpacked: int, packed: int, limits: Limits) -> PackageProblem:
    what = "This file" if name else "The package"
    return PackageProblem(
        "ratio",
        display_name(name),
        f"{what} is compressed {unpacked / max(packed, 1):,.0f} times "
        f"({human_size(packed)} unpacking to {human_size(unpacked)}); real H5P content is "
        f"compressed at most {limits.max_ratio:,.0f} times, so this looks like a zip bomb. "
        "If it is a genuine file (a blank image, silence), save it in a compressed format "
        "(PNG, MP3) instead.",
    )


# --------------------------------------------------------------------------------------------
# Names


def _name_problem(info: zipfile.ZipInfo) -> PackageProblem | None:
    """The first thing wrong with one member's name, type or encoding, or ``None``."""
    name = info.filename
    shown = display_name(name)
    if not name or name == "/":
        return PackageProblem("bad-name", shown, "A file in the package has an empty name.")
    if any(_invisible(c) for c in name):
        return PackageProblem(
            "bad-name",
            shown,
            "This name contains control or invisible characters, which no file name needs.",
        )
    parts = re.split(r"[/\\]", name.rstrip("/\\"))
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        return PackageProblem(
            "absolute-path",
            shown,
            "This path starts at the root of a disk; paths in a package must be relative to "
            "the package.",
        )
    if ".." in parts:
        return PackageProblem(
            "traversal",
            shown,
            "This path leads out of the package (..); a package may only write inside itself.",
        )
    if "\\" in name:
        return PackageProblem(
            "backslash",
            shown,
            "This path uses backslashes (\\); zip archives use forward slashes. Make the "
            "package again with H5P or a standard zip tool.",
        )
    if "" in parts or "." in parts:
        return PackageProblem(
            "bad-name", shown, "This path has an empty or '.' part (// or /./ in it)."
        )
    if len(name) > _MAX_NAME or any(len(part) > _MAX_PART for part in parts):
        return PackageProblem("bad-name", shown, "This path is too long.")
    if stat.S_ISLNK(info.external_attr >> 16):
        return PackageProblem(
            "symlink",
            shown,
            "This is a symbolic link; H5P packages hold only ordinary files.",
        )
    if info.flag_bits & 0x1:
        return PackageProblem(
            "encrypted",
            shown,
            "This file is password-protected; H5P packages must not be encrypted.",
        )
    if not info.is_dir() and info.compress_type not in _COMPRESSIONS:
        return PackageProblem(
            "compression",
            shown,
            f"This file is compressed with a method (number {info.compress_type}) that is not "
            "used for H5P packages; make the package again with ordinary zip compression.",
        )
    return None


def _invisible(c: str) -> bool:
    """Control, format (such as right-to-left override), private-use, unassigned characters and
    line or paragraph separators: they hide what a name really is."""
    category = unicodedata.category(c)
    return category[0] == "C" or category in {"Zl", "Zp"}


def _key(name: str) -> str:
    """What a case-insensitive, normalising file system (Windows, macOS) makes of a name."""
    return unicodedata.normalize("NFC", name.rstrip("/")).casefold()


def name_problems(infos: list[zipfile.ZipInfo]) -> list[PackageProblem]:
    """Every member whose name or type is unsafe, and every pair of members that would land on
    the same file: the same name twice, a file that is also a folder, names that differ only in
    case or Unicode form."""
    problems = [problem for info in infos if (problem := _name_problem(info)) is not None]
    if problems:
        return problems  # the rest compares names; unsafe ones would only add noise
    files: dict[str, str] = {}  # key -> the first name with it
    folders: dict[str, str] = {}
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        parts = name.rstrip("/").split("/")
        for depth in range(1, len(parts) if not info.is_dir() else len(parts) + 1):
            folder = "/".join(parts[:depth])
            folders.setdefault(_key(folder), folder)
        if info.is_dir():
            continue
        key = _key(name)
        first = files.setdefault(key, name)
        if name in seen:
            problems.append(
                PackageProblem("duplicate", name, "This path appears twice in the package.")
            )
        elif first != name:
            problems.append(
                PackageProblem(
                    "case-duplicate",
                    name,
                    f"This path and {first} differ only in upper and lower case (or in how "
                    "accents are written); on most computers they are the same file. Rename one.",
                )
            )
        seen.add(name)
    for key, name in files.items():
        if key in folders:
            problems.append(
                PackageProblem(
                    "duplicate",
                    name,
                    f"This path is both a file and the folder {folders[key]}/.",
                )
            )
    return problems


# --------------------------------------------------------------------------------------------
# Reading


@dataclass
class Budget:
    """How many real bytes may still be read from the archive: a total, and a compression
    ratio per member. Shared by every member of one validation or extraction."""

    limits: Limits
    check_ratio: bool = True
    used: int = 0

    def take(self, info: zipfile.ZipInfo, member_bytes: int, chunk: int) -> None:
        """Count ``chunk`` more bytes of ``info`` (which has given ``member_bytes`` so far,
        this chunk included); raise ``PackageInvalid`` past a limit."""
        self.used += chunk
        if self.used > self.limits.max_uncompressed_bytes:
            raise PackageInvalid([_bomb("", self.used, self.limits)])
        if self.check_ratio and _over_ratio(member_bytes, info.compress_size, self.limits):
            raise PackageInvalid(
                [_ratio(info.filename, member_bytes, info.compress_size, self.limits)]
            )


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget) -> Iterator[bytes]:
    """The bytes of ``info`` in chunks of at most :data:`CHUNK_BYTES`. Counts real bytes into
    ``budget`` (zipfile stops at the declared size, but this does not rely on it); a CRC
    mismatch, a truncated or corrupt member, or one whose real size is not the size its header
    declares (zipfile accepts one that is shorter) raises ``PackageInvalid`` (``broken-zip``)."""
    count = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK_BYTES):
                count += len(chunk)
                budget.take(info, count, len(chunk))
                yield chunk
    except _ZIP_ERRORS as exc:
        raise _damaged(info, str(exc)) from None
    if count != info.file_size:
        raise _damaged(info, f"{count:,} bytes where its header says {info.file_size:,}")


def _damaged(info: zipfile.ZipInfo, why: str) -> PackageInvalid:
    return PackageInvalid(
        [
            PackageProblem(
                "broken-zip",
                display_name(info.filename),
                f"This file is damaged in the archive ({why}). {_REDO}",
            )
        ]
    )


def read_whole(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget, digest: LibraryDigest | None
) -> bytes:
    """All of ``info``'s bytes (only for documents whose size was checked against a limit),
    adding them to ``digest`` on the way when one is given."""
    data = bytearray()
    hasher = hashlib.sha256()
    for chunk in read_member(archive, info, budget):
        data += chunk
        hasher.update(chunk)
    if digest is not None:
        digest.add(info.filename, hasher.hexdigest())
    return bytes(data)


@dataclass
class LibraryDigest:
    """The sha256 of a library's files: for each file, sorted by its path inside the library
    folder, that path and the sha256 of its bytes. Identifies a library version's files without
    depending on the archive (order, timestamps, compression)."""

    folder: str
    files: dict[str, str] = field(default_factory=dict)  # path inside the folder -> sha256

    def add(self, name: str, file_sha256: str) -> None:
        self.files[name.removeprefix(f"{self.folder}/")] = file_sha256

    def stream(
        self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget
    ) -> Iterator[bytes]:
        """:func:`read_member`, hashing the bytes into this digest as they pass."""
        hasher = hashlib.sha256()
        for chunk in read_member(archive, info, budget):
            hasher.update(chunk)
            yield chunk
        self.add(info.filename, hasher.hexdigest())

    def hexdigest(self) -> str:
        # Names cannot hold newlines or NUL (refused by name_problems), so this is unambiguous.
        lines = "".join(f"{path}\0{sha}\n" for path, sha in sorted(self.files.items()))
        return hashlib.sha256(lines.encode("utf-8")).hexdigest()
