"""Building H5P packages for tests: valid by default, each option breaking or changing one thing.

    data = build_package()                                    # a valid package, as bytes
    path = write_package(tmp_path / "a.h5p", extra_files={"content/page.html": "<p>x</p>"})

The default package is an activity "Test activity" whose main library is ``Test.Simple 1.0.0``
(a runnable library with ``library.json``, ``scripts/simple.js`` and ``styles/simple.css``),
with ``content/content.json`` holding ``{"text": "<p>Hello</p>"}``. Members are written with a
fixed timestamp, so the same options give the same bytes.

Options of :func:`build_package` (all keyword-only):

- ``title``: h5p.json's title.
- ``main``: h5p.json's mainLibrary (a machine name).
- ``libraries``: the library folders, as :class:`Library` (default ``[Library()]``); h5p.json's
  preloadedDependencies lists them all unless ``h5p_overrides`` says otherwise.
- ``content``: content.json; a dict or list is written as JSON, ``str``/``bytes`` as they are
  (``content="not json"``), :data:`REMOVE` leaves content.json out.
- ``h5p_overrides``: keys merged into h5p.json; a value :data:`REMOVE` deletes the key.
- ``h5p_json``: h5p.json's raw text instead (``"[]"``, ``"{"``); :data:`REMOVE` leaves it out.
- ``extra_files``: members by full name, added or replacing what the package would have
  (``{"content/images/a.png": PNG}``, ``{"Test.Simple-1.0/library.json": "{"}``); a value
  :data:`REMOVE` removes that member.
- ``raw_members``: ``(ZipInfo, bytes)`` pairs written as they are, after everything else, for
  what ``extra_files`` cannot say: symlinks (:func:`symlink`), the same name twice, odd
  attributes.
- ``compression``: ``zipfile.ZIP_DEFLATED`` (default) or ``ZIP_STORED`` (what
  :func:`corrupt` needs to find a member's bytes).

:class:`Library` options: ``machine_name``, ``major``, ``minor``, ``patch``, ``runnable``,
``title``, ``dependencies`` (``LibraryRef`` list, its preloadedDependencies), ``files`` (members
inside its folder, by path in the folder, added or replaced; :data:`REMOVE` removes one,
``{"library.json": REMOVE}``), ``library_json`` (keys merged into library.json; :data:`REMOVE`
deletes one).

Helpers: :func:`write_package`, :func:`symlink`, :func:`corrupt` (flip a byte of a stored
member: its CRC fails), :func:`set_declared_size` (make the headers lie about a member's size),
:data:`PNG`, :data:`SCRIPTED_SVG`.
"""

from __future__ import annotations

import io
import json
import stat
import struct
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from activities.package import LibraryRef

__all__ = [
    "PNG",
    "REMOVE",
    "SCRIPTED_SVG",
    "Library",
    "build_package",
    "corrupt",
    "set_declared_size",
    "symlink",
    "write_package",
]


class _Remove(Enum):
    REMOVE = "remove"


#: As a value in an option's mapping: leave that member or key out.
REMOVE = _Remove.REMOVE

#: A 1x1 transparent PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)

#: An SVG with a script, an onload handler, an external link and image, and shapes and text
#: that cleaning must keep.
SCRIPTED_SVG = b"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="100" height="100" onload="alert('svg')">
  <script>alert('script')</script>
  <circle cx="50" cy="50" r="40" fill="teal"/>
  <a xlink:href="https://evil.example/"><text x="10" y="20">Hello shapes</text></a>
  <image href="https://tracker.example/pixel.png" width="1" height="1"/>
</svg>
"""

_DATE = (2024, 1, 1, 0, 0, 0)
Member = bytes | str | _Remove


@dataclass
class Library:
    """A library folder for :func:`build_package` (see the module's docstring)."""

    machine_name: str = "Test.Simple"
    major: int = 1
    minor: int = 0
    patch: int = 0
    runnable: bool = True
    title: str | None = None
    dependencies: Sequence[LibraryRef] = ()
    files: Mapping[str, Member] = field(default_factory=dict)
    library_json: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ref(self) -> LibraryRef:
        return LibraryRef(self.machine_name, self.major, self.minor)

    @property
    def folder(self) -> str:
        return self.ref.folder

    def members(self) -> dict[str, Member]:
        """This library's members, by full name."""
        slug = self.machine_name.lower().rsplit(".", 1)[-1]
        data: dict[str, Any] = {
            "title": self.title or f"{self.machine_name} (test)",
            "machineName": self.machine_name,
            "majorVersion": self.major,
            "minorVersion": self.minor,
            "patchVersion": self.patch,
            "runnable": 1 if self.runnable else 0,
            "license": "MIT",
            "author": "Tests",
            "preloadedJs": [{"path": f"scripts/{slug}.js"}],
            "preloadedCss": [{"path": f"styles/{slug}.css"}],
        }
        if self.dependencies:
            data["preloadedDependencies"] = [_dependency(ref) for ref in self.dependencies]
        files: dict[str, Member] = {
            "library.json": json.dumps(_merged(data, self.library_json), indent=2),
            f"scripts/{slug}.js": f"H5P.{slug} = function () {{ /* {self.patch} */ }};\n",
            f"styles/{slug}.css": f".h5p-{slug} {{ color: #222; }}\n",
        }
        files.update(self.files)
        return {f"{self.folder}/{path}": value for path, value in files.items()}


def _dependency(ref: LibraryRef) -> dict[str, Any]:
    return {"machineName": ref.machine_name, "majorVersion": ref.major, "minorVersion": ref.minor}


def _merged(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in overrides.items():
        if value is REMOVE:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def _info(name: str, compression: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_DATE)
    info.compress_type = compression
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    return info


def build_package(
    *,
    title: str = "Test activity",
    main: str = "Test.Simple",
    libraries: Sequence[Library] | None = None,
    content: Any = None,
    h5p_overrides: Mapping[str, Any] | None = None,
    h5p_json: Member | None = None,
    extra_files: Mapping[str, Member] | None = None,
    raw_members: Sequence[tuple[zipfile.ZipInfo, bytes]] = (),
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """An H5P package as bytes (see the module's docstring for the options)."""
    libraries = [Library()] if libraries is None else list(libraries)
    h5p: dict[str, Any] = {
        "title": title,
        "language": "en",
        "mainLibrary": main,
        "license": "U",
        "authors": [{"name": "A trainer", "role": "Author"}],
        "embedTypes": ["iframe"],
        "preloadedDependencies": [_dependency(library.ref) for library in libraries],
    }
    members: dict[str, Member] = {
        "h5p.json": json.dumps(_merged(h5p, h5p_overrides or {}), indent=2)
        if h5p_json is None
        else h5p_json,
    }
    if content is None:
        content = {"text": "<p>Hello</p>"}
    members["content/content.json"] = (
        json.dumps(content) if isinstance(content, dict | list) else content
    )
    for library in libraries:
        members.update(library.members())
    members.update(extra_files or {})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, value in members.items():
            if value is REMOVE:
                continue
            data = value.encode("utf-8") if isinstance(value, str) else value
            archive.writestr(_info(name, compression), data)
        for info, data in raw_members:
            archive.writestr(info, data)
    return buffer.getvalue()


def write_package(path: Path, **options: Any) -> Path:
    """:func:`build_package` written to ``path``; returns ``path``."""
    path.write_bytes(build_package(**options))
    return path


def symlink(name: str, target: str = "/etc/passwd") -> tuple[zipfile.ZipInfo, bytes]:
    """A zip entry ``name`` that unzip would make a symbolic link to ``target``."""
    info = zipfile.ZipInfo(name, date_time=_DATE)
    info.create_system = 3  # Unix: the mode in the high bits counts
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()


def corrupt(data: bytes, needle: bytes) -> bytes:
    """``data`` (a package) with the first byte of ``needle`` changed where ``needle`` first
    occurs: in a stored member, its CRC then fails."""
    at = data.index(needle)
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]


def set_declared_size(data: bytes, name: str, size: int) -> bytes:
    """``data`` with the uncompressed size of member ``name`` set to ``size`` in both its local
    header and the central directory: the headers lie, the bytes do not change."""
    out = bytearray(data)
    encoded = name.encode()
    # (signature, where the size is, where the name's length is, where the name starts)
    for signature, size_at, length_at, name_at in (
        (b"PK\x03\x04", 22, 26, 30),
        (b"PK\x01\x02", 24, 28, 46),
    ):
        at = out.find(signature)
        while at != -1:
            (length,) = struct.unpack_from("<H", out, at + length_at)
            if length == len(encoded) and out[at + name_at : at + name_at + length] == encoded:
                struct.pack_into("<L", out, at + size_at, size)
                break
            at = out.find(signature, at + 1)
    return bytes(out)
