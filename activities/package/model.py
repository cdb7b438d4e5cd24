"""What validation finds in an H5P package: its libraries, what the activity needs, its files.

Plain data, no database: the caller (``activities`` services) passes what is installed as a
function and stores what :class:`ValidatedPackage` says to install.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "CONTENT_JSON",
    "H5P_JSON",
    "MACHINE_NAME",
    "InstalledLibrary",
    "LibraryRef",
    "LibraryStatus",
    "PackageLibrary",
    "ValidatedPackage",
]

H5P_JSON = "h5p.json"
CONTENT_JSON = "content/content.json"

#: A library's machine name (H5P's own pattern, ASCII only, and never starting with a dot or a
#: dash): it becomes a folder name here and on the caller's disk.
MACHINE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,254}")

#: What a library in the package is to the site:
#: ``new`` (not installed: install it), ``upgrade`` (a higher patch than installed: install it in
#: place of the installed one), ``same`` (the installed one, byte for byte: nothing to do),
#: ``older`` (a lower patch than installed: the installed, newer one is used).
LibraryStatus = Literal["new", "upgrade", "same", "older"]


@dataclass(frozen=True, order=True)
class LibraryRef:
    """A library as H5P names a dependency: machine name and major.minor (``H5P.Foo 1.2``)."""

    machine_name: str
    major: int
    minor: int

    def __str__(self) -> str:
        return f"{self.machine_name} {self.major}.{self.minor}"

    @property
    def folder(self) -> str:
        """The library's folder in a package: ``H5P.Foo-1.2``."""
        return f"{self.machine_name}-{self.major}.{self.minor}"


@dataclass(frozen=True)
class InstalledLibrary:
    """A library the site has: its patch version and the digest recorded when it was installed
    (:attr:`PackageLibrary.digest`). ``dependencies``, when the caller knows them, lets the
    check for missing libraries follow an installed library's own dependencies too; ``None``
    trusts the installation (it was checked when it was installed)."""

    ref: LibraryRef
    patch: int
    digest: str
    dependencies: tuple[LibraryRef, ...] | None = None


@dataclass
class PackageLibrary:
    """A library folder inside the package, with a valid ``library.json``."""

    ref: LibraryRef
    patch: int
    title: str
    library_json: dict[str, Any]
    folder: str  # the folder in the zip, ``H5P.Foo-1.2``
    files: list[str]  # member names under the folder (full names, sorted)
    #: sha256 over the library's files: for each, sorted by name, its path inside the folder and
    #: the sha256 of its bytes (:func:`activities.package.archive.library_digest`).
    digest: str
    dependencies: list[LibraryRef]  # preloadedDependencies (editorDependencies are ignored)
    status: LibraryStatus = "new"
    installed_patch: int | None = None  # the installed patch version, when there is one
    needed: bool = False  # in the closure of what the activity needs (ValidatedPackage.needed)

    @property
    def version(self) -> str:
        """``1.2.3``."""
        return f"{self.ref.major}.{self.ref.minor}.{self.patch}"


@dataclass
class ValidatedPackage:
    """A package that passed every check: what it holds, what it needs, what to install."""

    h5p: dict[str, Any]  # h5p.json as it is
    title: str
    main_library: LibraryRef
    license: str  # h5p.json's "license" ("U", undisclosed, when it has none)
    authors: list[dict[str, Any]]
    libraries: list[PackageLibrary]  # those inside the package, valid, by folder name
    #: The main library and its preloaded dependencies' closure, in load order (each library
    #: after the libraries it depends on), whether they come from the package or are installed.
    needed: list[LibraryRef]
    content_files: list[str]  # member names under content/, content.json included, sorted
    #: The package's libraries to install (``new`` or ``upgrade``, and needed), in load order:
    #: the keys to give :func:`~activities.package.extraction.extract_package`'s
    #: ``library_dirs``. A library in the package that the activity does not need (an editor
    #: library) is never installed.
    to_install: list[LibraryRef] = field(default_factory=list)
    #: Members skipped as H5P skips them (a part of the path starting with ``.`` or ``_``:
    #: ``__MACOSX/``, ``.DS_Store``): never read, never extracted.
    ignored: list[str] = field(default_factory=list)
    language: str = ""  # h5p.json's "language" ("und" or "" when it has none)
    #: Every member that was read: name -> (CRC-32, size). Extraction writes only these, and
    #: refuses an archive whose entries no longer match (it changed after validation).
    members: dict[str, tuple[int, int]] = field(default_factory=dict)

    def library(self, ref: LibraryRef) -> PackageLibrary | None:
        """The package's library ``ref``, or ``None`` when it is not in the package."""
        return next((lib for lib in self.libraries if lib.ref == ref), None)
