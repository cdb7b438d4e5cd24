"""Checking an uploaded H5P package before anything of it is stored.

:func:`validate_package` reads the archive as a stream and returns a :class:`ValidatedPackage`,
or raises :class:`PackageInvalid` with every problem it found (each naming its rule and the file
inside the package). In order:

1. the file's size, before opening it; the central directory's size and entry count, before
   zipfile parses it; then what the headers declare (unpacked size, compression ratios);
2. every member's name and type: traversal, absolute paths, backslashes, symlinks, duplicates,
   names that differ only in case, encryption, compression method (refused at once: the rest is
   not worth reading);
3. where each file is (``h5p.json``, ``content/``, library folders; members H5P itself skips,
   such as ``__MACOSX/``, are ignored) and its extension against H5P's allow-list;
4. every member read in chunks: real bytes counted against the limits, CRCs checked, libraries'
   digests computed; ``h5p.json``, ``content.json`` and ``library.json`` files kept to parse,
   each SVG parsed and cleaned once to know it can be;
5. ``h5p.json``, ``content/content.json``, each library's ``library.json``;
6. the libraries the activity needs (the main library and the closure of preloaded
   dependencies), each in the package or installed, and each package library against the
   installed one of the same version (same patch, other files: a conflict).

:func:`~activities.package.extraction.extract_package` then writes what was validated.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from activities.package.archive import (
    Budget,
    LibraryDigest,
    check_declared_sizes,
    is_ignored,
    name_problems,
    open_archive,
    read_member,
    read_whole,
)
from activities.package.extraction import extract_package
from activities.package.limits import Limits, human_size
from activities.package.model import (
    CONTENT_JSON,
    H5P_JSON,
    MACHINE_NAME,
    InstalledLibrary,
    LibraryRef,
    LibraryStatus,
    PackageLibrary,
    ValidatedPackage,
)
from activities.package.problems import RULES, PackageInvalid, PackageProblem
from activities.package.svg import SvgRefused, clean_svg

__all__ = [
    "CONTENT_EXTENSIONS",
    "LIBRARY_EXTENSIONS",
    "RULES",
    "InstalledLibrary",
    "LibraryRef",
    "Limits",
    "PackageInvalid",
    "PackageLibrary",
    "PackageProblem",
    "ValidatedPackage",
    "extract_package",
    "validate_package",
]

#: What H5P allows under ``content/`` (H5P core's list, less the office formats, XML and Flash
#: that the site does not serve).
CONTENT_EXTENSIONS: frozenset[str] = frozenset(
    {
        "json", "png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "svg", "webp", "eot", "ttf",
        "woff", "woff2", "otf", "webm", "mp4", "ogg", "oga", "ogv", "mp3", "m4a", "wav", "txt",
        "pdf", "vtt", "webvtt", "csv", "md",
    }
)  # fmt: skip
#: What a library folder may hold: the same, and its code.
LIBRARY_EXTENSIONS: frozenset[str] = CONTENT_EXTENSIONS | {"js", "css"}

#: A library folder: ``Machine.Name-major.minor``.
_FOLDER = re.compile(r"(?P<name>.+)-(?P<major>[0-9]{1,5})\.(?P<minor>[0-9]{1,5})")
_VERSION = re.compile(r"[0-9]{1,5}")  # ASCII digits: int() also reads others
#: Deeper JSON is refused: real content.json files nest about 20 levels, and cleaning recurses.
_MAX_JSON_DEPTH = 100

_HINTS: dict[frozenset[str], str] = {
    frozenset({"html", "htm", "xhtml", "shtml", "xht"}): "HTML files are not allowed in H5P "
    "packages: H5P content is built from its libraries, not from web pages. Remove the file, "
    "or put its text in the activity itself.",
    frozenset({"php", "phtml", "py", "pl", "rb", "sh", "bash", "cgi", "asp", "aspx", "jsp",
               "exe", "dll", "so", "bat", "cmd", "com", "msi", "jar", "ps1", "vbs", "scr",
               "wasm", "swf"}): "Programs, server scripts and plug-ins are not allowed in H5P "
    "packages: remove the file.",
    frozenset({"xml", "xsl", "xslt", "htc"}): "XML files are not allowed in H5P packages "
    "(a browser can run scripts in them): remove the file.",
}  # fmt: skip

#: Looks up ``installed(ref)`` once per library.
InstalledLookup = Callable[[LibraryRef], InstalledLibrary | None]


def _extension(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[1].lower() if "." in base else ""


def _extension_problem(name: str, in_library: bool) -> PackageProblem | None:
    """A problem when ``name``'s extension is not allowed where it is, with what to do."""
    ext = _extension(name)
    allowed = LIBRARY_EXTENSIONS if in_library else CONTENT_EXTENSIONS
    if ext in allowed:
        return None
    message = next((hint for exts, hint in _HINTS.items() if ext in exts), "")
    if not message and ext in {"js", "css", "mjs"}:
        message = (
            "JavaScript and CSS belong in a library folder, not in content/: remove the file "
            "(a package exported from H5P never has them there)."
        )
    if not message and not ext:
        message = (
            "Files without an extension are not allowed in H5P packages: rename the file "
            "with the extension of its type (.png, .mp3 ...) or remove it."
        )
    if not message:
        where = "a library folder" if in_library else "content/"
        message = (
            f".{ext} files are not allowed in {where} of an H5P package. Allowed: "
            f"{', '.join(sorted(allowed))}."
        )
    return PackageProblem("extension", name, message)


# --------------------------------------------------------------------------------------------
# Where each member is


@dataclass
class _Layout:
    """The package's members by place: h5p.json, content files, library folders."""

    has_h5p_json: bool = False
    content_files: list[str] = field(default_factory=list)
    folders: dict[str, list[str]] = field(default_factory=dict)  # folder -> member names
    ignored: list[str] = field(default_factory=list)
    problems: list[PackageProblem] = field(default_factory=list)

    def folder_of(self, name: str) -> str | None:
        folder = name.split("/", 1)[0]
        return folder if "/" in name and folder in self.folders else None


def _layout(infos: list[zipfile.ZipInfo]) -> _Layout:
    layout = _Layout()
    for info in infos:
        name = info.filename
        if is_ignored(name):
            if not info.is_dir():
                layout.ignored.append(name)
            continue
        if info.is_dir():
            continue
        if name == H5P_JSON:
            layout.has_h5p_json = True
        elif name.startswith("content/"):
            layout.content_files.append(name)
            if problem := _extension_problem(name, in_library=False):
                layout.problems.append(problem)
        elif "/" in name:
            layout.folders.setdefault(name.split("/", 1)[0], []).append(name)
            if problem := _extension_problem(name, in_library=True):
                layout.problems.append(problem)
        else:
            layout.problems.append(
                PackageProblem(
                    "layout",
                    name,
                    "Only h5p.json, the content/ folder and library folders may be at the top "
                    "of an H5P package: remove this file.",
                )
            )
    layout.content_files.sort()
    for files in layout.folders.values():
        files.sort()
    return layout


# --------------------------------------------------------------------------------------------
# Reading every member


@dataclass
class _Scan:
    """What reading the members found: the JSON documents (bytes), library digests, members."""

    documents: dict[str, bytes] = field(default_factory=dict)
    digests: dict[str, LibraryDigest] = field(default_factory=dict)  # folder -> digest
    members: dict[str, tuple[int, int]] = field(default_factory=dict)
    problems: list[PackageProblem] = field(default_factory=list)


def _too_large(name: str, size: int, limit: int, what: str) -> PackageProblem:
    return PackageProblem(
        "too-large",
        name,
        f"{what} is {human_size(size)}; at most {human_size(limit)} is allowed.",
    )


def _scan(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], layout: _Layout, limits: Limits
) -> _Scan:
    """Read every member the package uses once, in archive order (one pass over the file)."""
    scan = _Scan(digests={folder: LibraryDigest(folder) for folder in layout.folders})
    budget = Budget(limits)
    metadata_bytes = 0  # h5p.json and every library.json, kept until parsed
    for info in infos:
        name = info.filename
        if info.is_dir() or is_ignored(name):
            continue
        folder = layout.folder_of(name)
        digest = scan.digests[folder] if folder else None
        scan.members[name] = (info.CRC, info.file_size)
        metadata = name == H5P_JSON or (folder is not None and name == f"{folder}/library.json")
        if metadata or name == CONTENT_JSON:
            if metadata:
                metadata_bytes += info.file_size
            limit = limits.max_document_bytes
            if (metadata and metadata_bytes > limit) or info.file_size > limit:
                what = "This file" if not metadata else "h5p.json and the library.json files"
                size = metadata_bytes if metadata else info.file_size
                scan.problems.append(_too_large(name, size, limit, what))
                continue
            scan.documents[name] = read_whole(archive, info, budget, digest)
        elif _extension(name) == "svg":
            if info.file_size > limits.max_document_bytes:
                scan.problems.append(
                    _too_large(name, info.file_size, limits.max_document_bytes, "This SVG image")
                )
                continue
            try:
                clean_svg(read_whole(archive, info, budget, digest))
            except SvgRefused as exc:
                scan.problems.append(PackageProblem("svg", name, exc.message))
        else:
            chunks: Iterator[bytes] = (
                digest.stream(archive, info, budget)
                if digest
                else read_member(archive, info, budget)
            )
            for _chunk in chunks:
                pass  # read for the CRC and the byte count; nothing is kept
    return scan


# --------------------------------------------------------------------------------------------
# JSON documents


def _depth(value: Any) -> int:
    """How deeply ``value`` nests (a scalar: 0), without recursing."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        )
        if children is None:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")


def _load_json(data: bytes) -> tuple[Any, str]:
    """(the parsed document, "") or (None, why it is not JSON)."""
    try:
        value = json.loads(data, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        return None, f"line {exc.lineno}, column {exc.colno}: {exc.msg}"
    except UnicodeDecodeError:
        return None, "it is not UTF-8 text"
    except RecursionError:
        return None, "it nests too deeply"
    except ValueError as exc:  # NaN, Infinity
        return None, str(exc)
    if _depth(value) > _MAX_JSON_DEPTH:
        return None, f"it nests more than {_MAX_JSON_DEPTH} levels deep"
    return value, ""


def _version(value: Any) -> int | None:
    """A version number as H5P writes them (5 digits at most, a number or a string of digits)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 0 <= value <= 99999:
        return value
    if isinstance(value, str) and _VERSION.fullmatch(value):
        return int(value)
    return None


def _ref(value: Any) -> tuple[LibraryRef | None, str]:
    """A dependency ``{machineName, majorVersion, minorVersion}`` as a ref, or why it is not."""
    if not isinstance(value, dict):
        return None, "is not an object with machineName, majorVersion and minorVersion"
    name = value.get("machineName")
    if not isinstance(name, str) or not MACHINE_NAME.fullmatch(name):
        return None, f"has no valid machineName (got {json.dumps(name)[:60]})"
    major, minor = _version(value.get("majorVersion")), _version(value.get("minorVersion"))
    if major is None or minor is None:
        return None, f"({name}) needs majorVersion and minorVersion as whole numbers"
    return LibraryRef(name, major, minor), ""


def _refs(
    values: Any, path: str, key: str, problems: list[PackageProblem], rule: str
) -> list[LibraryRef]:
    """The dependencies in ``values`` (a list), with a problem for each one that is not valid."""
    if values is None:
        return []
    if not isinstance(values, list):
        problems.append(PackageProblem(rule, path, f'"{key}" must be a list.'))
        return []
    refs = []
    for index, value in enumerate(values, start=1):
        ref, why = _ref(value)
        if ref is None:
            problems.append(PackageProblem(rule, path, f'Entry {index} of "{key}" {why}.'))
        else:
            refs.append(ref)
    return refs


@dataclass
class _H5pJson:
    data: dict[str, Any]
    title: str
    main: LibraryRef
    roots: list[LibraryRef]


def _check_h5p_json(
    scan: _Scan, layout: _Layout, problems: list[PackageProblem]
) -> _H5pJson | None:
    def problem(message: str) -> None:
        problems.append(PackageProblem("h5p-json", H5P_JSON, message))

    if not layout.has_h5p_json:
        problem(
            "The package has no h5p.json at its top level: it is not an H5P package, or it was "
            "zipped from the folder above. Export it again from H5P."
        )
        return None
    if H5P_JSON not in scan.documents:
        return None  # too large: already said
    data, why = _load_json(scan.documents[H5P_JSON])
    if why:
        problem(f"h5p.json is not valid JSON ({why}).")
        return None
    if not isinstance(data, dict):
        problem("h5p.json must hold a JSON object ({ ... }).")
        return None
    before = len(problems)
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        problem('h5p.json has no "title" (the activity\'s name, as text).')
    main_name = data.get("mainLibrary")
    if not isinstance(main_name, str) or not main_name:
        problem('h5p.json has no "mainLibrary" (the machine name of the content type).')
        main_name = None
    if "preloadedDependencies" not in data:
        problem('h5p.json has no "preloadedDependencies" (the libraries the activity uses).')
    roots = _refs(data.get("preloadedDependencies"), H5P_JSON, "preloadedDependencies", problems,
                  "h5p-json")  # fmt: skip
    for key, kind in (("license", str), ("language", str), ("authors", list)):
        if key in data and not isinstance(data[key], kind):
            problem(f'"{key}" in h5p.json must be {"text" if kind is str else "a list"}.')
    authors = data.get("authors")
    if isinstance(authors, list) and not all(isinstance(a, dict) for a in authors):
        problem('Each of the "authors" in h5p.json must be an object (name, role).')
    main = next((ref for ref in roots if ref.machine_name == main_name), None)
    if main_name and main is None and "preloadedDependencies" in data:
        problem(
            f"The main library {main_name} is not listed in preloadedDependencies, so its "
            "version is unknown."
        )
    if len(problems) > before or main is None or not isinstance(title, str):
        return None
    return _H5pJson(data, title.strip(), main, roots)


def _check_content_json(scan: _Scan, layout: _Layout, problems: list[PackageProblem]) -> None:
    def problem(message: str) -> None:
        problems.append(PackageProblem("content-json", CONTENT_JSON, message))

    if CONTENT_JSON not in layout.content_files:
        problem("The package has no content/content.json (the activity's content).")
        return
    if CONTENT_JSON not in scan.documents:
        return  # too large: already said
    data, why = _load_json(scan.documents[CONTENT_JSON])
    if why:
        problem(f"content.json is not valid JSON ({why}).")
    elif not isinstance(data, dict):
        problem("content.json must hold a JSON object ({ ... }).")


# --------------------------------------------------------------------------------------------
# Libraries


def _library_path(value: Any, folder: str, files: set[str]) -> str:
    """Why a preloadedJs/preloadedCss entry is not valid, or ``""``."""
    if not isinstance(value, dict) or not isinstance(value.get("path"), str):
        return 'is not an object with a "path"'
    path = value["path"]
    parts = path.split("/")
    if path.startswith("/") or "\\" in path or any(p in {"", ".", ".."} for p in parts):
        return f"has a path that is not inside the library folder ({path})"
    if f"{folder}/{path}" not in files:
        return f"names {path}, which is not in the library folder"
    return ""


def _check_library(
    folder: str, scan: _Scan, layout: _Layout, problems: list[PackageProblem]
) -> PackageLibrary | None:
    """The library in ``folder``, or ``None`` with its problems added."""
    path = f"{folder}/library.json"
    before = len(problems)

    def problem(message: str) -> None:
        problems.append(PackageProblem("library-json", path, message))

    files = layout.folders[folder]
    if path not in files:
        problem(
            f"The folder {folder}/ has no library.json: every folder beside content/ must be an "
            "H5P library. Remove the folder, or export the package again from H5P."
        )
        return None
    if path not in scan.documents:
        return None  # too large: already said
    data, why = _load_json(scan.documents[path])
    if why:
        problem(f"library.json is not valid JSON ({why}).")
        return None
    if not isinstance(data, dict):
        problem("library.json must hold a JSON object ({ ... }).")
        return None
    name = data.get("machineName")
    if not isinstance(name, str) or not MACHINE_NAME.fullmatch(name):
        problem('library.json has no valid "machineName" (letters, digits, "." "_" "-").')
        name = None
    versions = {}
    for key in ("majorVersion", "minorVersion", "patchVersion"):
        versions[key] = _version(data.get(key))
        if versions[key] is None:
            problem(f'library.json has no valid "{key}" (a whole number).')
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        problem('library.json has no "title" (the library\'s name, as text).')
    if data.get("runnable") not in (0, 1, "0", "1"):  # True and False are 1 and 0
        problem('library.json has no valid "runnable" (0 or 1).')
    major, minor, patch = versions.values()
    if name is not None and major is not None and minor is not None:
        expected = LibraryRef(name, major, minor).folder
        if folder != expected:
            problem(
                f"The folder is named {folder}, but library.json describes {name} "
                f"{major}.{minor}, whose folder must be named {expected}."
            )
    elif not _FOLDER.fullmatch(folder):
        problem(f"The folder name {folder} is not Machine.Name-major.minor.")
    present = set(files)
    for key in ("preloadedJs", "preloadedCss"):
        entries = data.get(key, [])
        if not isinstance(entries, list):
            problem(f'"{key}" in library.json must be a list.')
            continue
        for index, entry in enumerate(entries, start=1):
            if why := _library_path(entry, folder, present):
                problem(f'Entry {index} of "{key}" {why}.')
    dependencies = _refs(
        data.get("preloadedDependencies"), path, "preloadedDependencies", problems, "library-json"
    )
    if len(problems) > before:
        return None
    # Each was checked above (a problem otherwise); the asserts say so to the type checker.
    assert name is not None
    assert major is not None
    assert minor is not None
    assert patch is not None
    assert isinstance(title, str)
    return PackageLibrary(
        ref=LibraryRef(name, major, minor),
        patch=patch,
        title=title.strip(),
        library_json=data,
        folder=folder,
        files=files,
        digest=scan.digests[folder].hexdigest(),
        dependencies=dependencies,
    )


def _compare_installed(
    library: PackageLibrary, installed: InstalledLibrary | None, problems: list[PackageProblem]
) -> None:
    """Set the library's status against the installed version (or add a conflict)."""
    if installed is None:
        return
    library.installed_patch = installed.patch
    status: LibraryStatus
    if library.patch > installed.patch:
        status = "upgrade"
    elif library.patch < installed.patch:
        status = "older"
    elif library.digest == installed.digest:
        status = "same"
    else:
        problems.append(
            PackageProblem(
                "library-conflict",
                f"{library.folder}/library.json",
                f"{library.ref.machine_name} {library.version} is already installed on this "
                "site with different files. A library whose files change needs a new patch "
                f"version ({library.ref.major}.{library.ref.minor}.{library.patch + 1} or "
                "higher): ask the library's author, or use the version installed here.",
            )
        )
        return
    library.status = status


def _resolve(
    roots: list[LibraryRef],
    libraries: dict[LibraryRef, PackageLibrary],
    broken: set[LibraryRef],
    installed: InstalledLookup,
    problems: list[PackageProblem],
) -> list[LibraryRef]:
    """The closure of ``roots`` through preloaded dependencies, in load order (each library
    after its dependencies), with a ``missing-library`` problem for each library neither in the
    package nor installed, naming who needs it. Follows the copy that will be used: the
    package's, or the installed one when it is newer and its dependencies are known."""

    def dependencies(ref: LibraryRef) -> list[LibraryRef]:
        library = libraries.get(ref)
        site = installed(ref) if library is None or library.status == "older" else None
        if site is not None and site.dependencies is not None:
            return list(site.dependencies)
        return library.dependencies if library is not None else []

    def present(ref: LibraryRef) -> bool:
        return ref in libraries or ref in broken or installed(ref) is not None

    order: list[LibraryRef] = []
    seen: set[LibraryRef] = set()
    missing: dict[LibraryRef, list[str]] = {}
    pending: list[tuple[LibraryRef, str]] = [(root, H5P_JSON) for root in roots]
    for root, needer in pending:
        if not present(root):
            missing.setdefault(root, []).append(needer)
            continue
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(dependencies(root)))]
        while stack:  # depth-first, without recursion: a package may chain many libraries
            ref, children = stack[-1]
            for child in children:
                if not present(child):
                    missing.setdefault(child, []).append(str(ref))
                elif child not in seen:
                    seen.add(child)
                    stack.append((child, iter(dependencies(child))))
                    break
            else:
                stack.pop()
                order.append(ref)
    for ref, needers in missing.items():
        who = ", ".join(dict.fromkeys(n if n != H5P_JSON else "the activity" for n in needers))
        first = needers[0]
        path = H5P_JSON if first == H5P_JSON else _needer_path(first, libraries)
        problems.append(
            PackageProblem(
                "missing-library",
                path,
                f"{ref} is needed by {who}, but it is neither in this package nor installed on "
                "this site. Export the activity again with its libraries included (H5P does "
                "this by default), or ask an administrator to install it.",
            )
        )
    return order


def _needer_path(needer: str, libraries: dict[LibraryRef, PackageLibrary]) -> str:
    library = next((lib for lib in libraries.values() if str(lib.ref) == needer), None)
    return f"{library.folder}/library.json" if library else ""


# --------------------------------------------------------------------------------------------
# The whole check


def validate_package(
    path: Path,
    *,
    installed: InstalledLookup,
    limits: Limits | None = None,
) -> ValidatedPackage:
    """Check the H5P package at ``path`` (see the module's docstring); raise
    :class:`PackageInvalid` with every problem found. ``installed(ref)`` says which version of a
    library the site has (``None``: not installed); it is called once per library. ``limits``
    defaults to :meth:`Limits.from_settings`."""
    limits = limits or Limits.from_settings()
    package_bytes = path.stat().st_size
    with open_archive(path, limits) as archive:
        infos = archive.infolist()
        check_declared_sizes(infos, package_bytes, limits)
        if hostile := name_problems(infos):
            raise PackageInvalid(hostile)
        layout = _layout(infos)
        scan = _scan(archive, infos, layout, limits)
    problems = [*layout.problems, *scan.problems]

    known: dict[LibraryRef, InstalledLibrary | None] = {}

    def lookup(ref: LibraryRef) -> InstalledLibrary | None:
        if ref not in known:
            known[ref] = installed(ref)
        return known[ref]

    h5p = _check_h5p_json(scan, layout, problems)
    _check_content_json(scan, layout, problems)
    libraries: dict[LibraryRef, PackageLibrary] = {}
    broken: set[LibraryRef] = set()
    for folder in sorted(layout.folders):
        library = _check_library(folder, scan, layout, problems)
        if library is not None:
            _compare_installed(library, lookup(library.ref), problems)
            libraries[library.ref] = library
        elif match := _FOLDER.fullmatch(folder):
            # Broken, but present: say what is wrong with it, not that it is missing.
            broken.add(LibraryRef(match["name"], int(match["major"]), int(match["minor"])))
    if h5p is None:
        raise PackageInvalid(problems)  # h5p.json's problems are among them
    roots = [h5p.main, *(ref for ref in h5p.roots if ref != h5p.main)]
    needed = _resolve(roots, libraries, broken, lookup, problems)
    main = libraries.get(h5p.main)
    if main is not None and main.library_json.get("runnable") in (0, "0"):
        problems.append(
            PackageProblem(
                "h5p-json",
                H5P_JSON,
                f"The main library {h5p.main} is not runnable (its library.json says "
                '"runnable": 0), so it cannot be an activity.',
            )
        )
    if problems:
        raise PackageInvalid(problems)
    for ref in needed:
        if ref in libraries:
            libraries[ref].needed = True
    data = h5p.data
    return ValidatedPackage(
        h5p=data,
        title=h5p.title,
        main_library=h5p.main,
        license=data.get("license") or "U",
        authors=list(data.get("authors") or []),
        libraries=[libraries[ref] for ref in sorted(libraries, key=lambda r: r.folder)],
        needed=needed,
        content_files=layout.content_files,
        to_install=[
            ref
            for ref in needed
            if ref in libraries and libraries[ref].status in {"new", "upgrade"}
        ],
        ignored=layout.ignored,
        language=data.get("language") or "",
        members=scan.members,
    )
