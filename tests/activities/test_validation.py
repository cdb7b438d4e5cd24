"""H5P package validation and extraction: one package per rule, built by tests/activities/packages.py.

Each refusal names its rule and the file inside the package; a valid package says what it needs
and what to install; extraction writes only what was validated, cleaned.
"""

from __future__ import annotations

import io
import json
import os
import tracemalloc
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from activities.package import (
    InstalledLibrary,
    LibraryRef,
    Limits,
    PackageInvalid,
    PackageProblem,
    ValidatedPackage,
    extract_package,
    validate_package,
)
from activities.package import archive as archive_module
from activities.package import validation as validation_module
from activities.package.archive import Budget, read_member
from tests.activities.packages import (
    PNG,
    REMOVE,
    SCRIPTED_SVG,
    Library,
    build_package,
    corrupt,
    set_declared_size,
    symlink,
    write_package,
)

SIMPLE = LibraryRef("Test.Simple", 1, 0)
Lookup = Callable[[LibraryRef], InstalledLibrary | None]


def nothing_installed(ref: LibraryRef) -> InstalledLibrary | None:
    return None


def installed(*libraries: InstalledLibrary) -> Lookup:
    by_ref = {library.ref: library for library in libraries}
    return by_ref.get


def check(
    tmp_path: Path,
    *,
    lookup: Lookup = nothing_installed,
    limits: Limits | None = None,
    **options: Any,
) -> ValidatedPackage:
    path = write_package(tmp_path / "activity.h5p", **options)
    return validate_package(path, installed=lookup, limits=limits or Limits())


def refuse(
    tmp_path: Path,
    *,
    data: bytes | None = None,
    lookup: Lookup = nothing_installed,
    limits: Limits | None = None,
    **options: Any,
) -> PackageInvalid:
    path = tmp_path / "activity.h5p"
    path.write_bytes(build_package(**options) if data is None else data)
    with pytest.raises(PackageInvalid) as caught:
        validate_package(path, installed=lookup, limits=limits or Limits())
    return caught.value


def only(error: PackageInvalid, rule: str) -> PackageProblem:
    """The one problem of ``error``, which must be under ``rule``."""
    assert [p.rule for p in error.problems] == [rule], error.problems
    return error.problems[0]


# --------------------------------------------------------------------------------------------
# A valid package


def test_the_default_package_is_valid_and_says_what_it_holds(tmp_path: Path) -> None:
    package = check(tmp_path, extra_files={"content/images/a.png": PNG})

    assert package.title == "Test activity"
    assert package.main_library == SIMPLE
    assert package.license == "U"
    assert package.language == "en"
    assert package.authors == [{"name": "A trainer", "role": "Author"}]
    assert package.needed == [SIMPLE]
    assert package.to_install == [SIMPLE]
    assert package.content_files == ["content/content.json", "content/images/a.png"]
    [library] = package.libraries
    assert (library.ref, library.patch, library.version) == (SIMPLE, 0, "1.0.0")
    assert library.folder == "Test.Simple-1.0"
    assert library.files == [
        "Test.Simple-1.0/library.json",
        "Test.Simple-1.0/scripts/simple.js",
        "Test.Simple-1.0/styles/simple.css",
    ]
    assert (library.status, library.installed_patch, library.needed) == ("new", None, True)
    assert library.dependencies == []
    assert len(library.digest) == 64
    assert set(package.members) == {"h5p.json", *package.content_files, *library.files}


def test_the_digest_follows_the_files_not_the_archive(tmp_path: Path) -> None:
    def digest(**options: Any) -> str:
        return check(tmp_path, **options).libraries[0].digest

    deflated = digest()
    assert digest(compression=zipfile.ZIP_STORED) == deflated  # same files, other archive
    assert digest(extra_files={"content/images/a.png": PNG}) == deflated  # content is not in it
    changed = Library(files={"scripts/simple.js": "H5P.simple = 2;\n"})
    assert digest(libraries=[changed]) != deflated
    renamed = Library(files={"scripts/other.js": "H5P.simple = 2;\n"})
    assert digest(libraries=[renamed]) not in {deflated, digest(libraries=[changed])}


def test_versions_written_as_strings_are_accepted(tmp_path: Path) -> None:
    # H5P's own exports write h5p.json's versions as strings.
    deps = [{"machineName": "Test.Simple", "majorVersion": "1", "minorVersion": "0"}]
    package = check(tmp_path, h5p_overrides={"preloadedDependencies": deps})
    assert package.main_library == SIMPLE


def test_what_h5p_skips_is_ignored_and_never_extracted(tmp_path: Path) -> None:
    extra = {"__MACOSX/._h5p.json": b"\0\5", ".DS_Store": b"\0", "content/.DS_Store": b"\0",
             "content/images/_thumbs/a.bin": b"\0"}  # fmt: skip
    package = check(tmp_path, extra_files=extra)
    assert sorted(package.ignored) == sorted(extra)
    assert package.content_files == ["content/content.json"]
    extract_package(
        tmp_path / "activity.h5p",
        package,
        content_dir=tmp_path / "content",
        library_dirs={},
    )
    assert sorted(p.name for p in (tmp_path / "content").rglob("*")) == ["content.json"]


def test_a_problem_reads_as_path_and_message() -> None:
    problem = PackageProblem("svg", "content/images/a.svg", "This SVG image cannot be read.")
    assert str(problem) == "content/images/a.svg: This SVG image cannot be read."
    assert str(PackageProblem("too-large", "", "Too big.")) == "Too big."
    with pytest.raises(ValueError, match="unknown package rule"):
        PackageProblem("no-such-rule", "", "x")


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    error = refuse(
        tmp_path,
        h5p_overrides={"title": REMOVE},
        extra_files={"content/page.html": "<p>hi</p>", "notes.txt": "x"},
        libraries=[Library(library_json={"runnable": REMOVE})],
    )
    assert [(p.rule, p.path) for p in error.problems] == [
        ("extension", "content/page.html"),
        ("layout", "notes.txt"),
        ("h5p-json", "h5p.json"),
        ("library-json", "Test.Simple-1.0/library.json"),
    ]
    assert "content/page.html: HTML files are not allowed in H5P packages" in str(error)


def test_limits_come_from_the_settings(settings: Any) -> None:
    assert Limits.from_settings().max_files == Limits().max_files
    settings.H5P_MAX_FILES = 7
    settings.H5P_MAX_PACKAGE_BYTES = 1234
    limits = Limits.from_settings()
    assert (limits.max_files, limits.max_package_bytes) == (7, 1234)
    assert limits.max_ratio == Limits().max_ratio


# --------------------------------------------------------------------------------------------
# The archive: size, zip, bombs


def test_a_file_over_the_size_limit_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    # Not even a zip: the size alone decides, so nothing of it is read.
    error = refuse(tmp_path, data=os.urandom(5000), limits=Limits(max_package_bytes=4000))
    problem = only(error, "too-large")
    assert problem.path == ""
    assert "at most 3.9 KB" in problem.message


@pytest.mark.parametrize(
    "data",
    [b"Hello, this is a letter, not a package.", b"", build_package()[:-200],
     build_package()[: len(build_package()) // 2]],
    ids=["text", "empty", "truncated-end", "truncated-half"],
)  # fmt: skip
def test_what_is_not_a_zip_is_refused(tmp_path: Path, data: bytes) -> None:
    problem = only(refuse(tmp_path, data=data), "broken-zip")
    assert problem.path == ""
    assert "cannot be opened as a zip archive" in problem.message


def test_a_member_whose_crc_fails_while_reading_is_refused(tmp_path: Path) -> None:
    data = build_package(compression=zipfile.ZIP_STORED)
    problem = only(refuse(tmp_path, data=corrupt(data, b"H5P.simple = ")), "broken-zip")
    assert problem.path == "Test.Simple-1.0/scripts/simple.js"
    assert "damaged" in problem.message


@pytest.mark.parametrize("declared", [5, 10_000], ids=["smaller", "larger"])
def test_headers_that_lie_about_a_size_are_refused(tmp_path: Path, declared: int) -> None:
    data = build_package(
        compression=zipfile.ZIP_STORED, extra_files={"content/notes.txt": "x" * 1000}
    )
    error = refuse(tmp_path, data=set_declared_size(data, "content/notes.txt", declared))
    assert only(error, "broken-zip").path == "content/notes.txt"


def test_a_package_that_unpacks_to_too_much_is_refused(tmp_path: Path) -> None:
    error = refuse(
        tmp_path,
        extra_files={"content/a.txt": b"\0" * 600_000, "content/b.txt": b"\0" * 600_000},
        limits=Limits(max_uncompressed_bytes=1_000_000, max_ratio=10_000),
    )
    problem = only(error, "zip-bomb")
    assert problem.path == ""
    assert "unpacks to more than 977 KB" in problem.message


def test_unpacked_bytes_are_counted_while_reading_not_taken_from_the_headers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if the headers said nothing: the count while reading still stops the bomb.
    monkeypatch.setattr(validation_module, "check_declared_sizes", lambda *args: None)
    error = refuse(
        tmp_path,
        extra_files={"content/a.txt": b"\0" * 600_000, "content/b.txt": b"\0" * 600_000},
        limits=Limits(max_uncompressed_bytes=1_000_000, max_ratio=10_000),
    )
    assert only(error, "zip-bomb").path == ""


def test_reading_a_member_counts_real_bytes_whatever_it_declares() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("content/a.txt", b"tiny")
    with zipfile.ZipFile(buffer) as archive:
        info = archive.getinfo("content/a.txt")
        # A reader that gives more than the 4 bytes declared (zipfile does not, but this code
        # does not rely on it).
        archive.open = lambda *args, **kwargs: io.BytesIO(b"\0" * 3_000_000)  # type: ignore[method-assign]
        budget = Budget(Limits(max_uncompressed_bytes=2_000_000), check_ratio=False)
        with pytest.raises(PackageInvalid) as caught:
            for _chunk in read_member(archive, info, budget):
                pass
        assert caught.value.rules == {"zip-bomb"}
        assert budget.used <= 2_000_000 + 64 * 1024  # stopped at the chunk that crossed it

        ratio = Budget(Limits(), check_ratio=True)
        with pytest.raises(PackageInvalid) as caught:
            for _chunk in read_member(archive, info, ratio):
                pass
        assert only(caught.value, "ratio").path == "content/a.txt"


def test_a_file_compressed_like_a_bomb_is_refused(tmp_path: Path) -> None:
    problem = only(refuse(tmp_path, extra_files={"content/a.bmp": b"\0" * 3_000_000}), "ratio")
    assert problem.path == "content/a.bmp"
    assert "looks like a zip bomb" in problem.message


def test_a_package_compressed_like_a_bomb_as_a_whole_is_refused(tmp_path: Path) -> None:
    # Each file is under the 1 MB a file's ratio is judged from; together they are not.
    extra = {f"content/{n}.txt": b"\0" * 600_000 for n in range(4)}
    problem = only(refuse(tmp_path, extra_files=extra), "ratio")
    assert problem.path == ""


def test_too_many_files_are_refused(tmp_path: Path) -> None:
    extra = {f"content/images/{n}.png": PNG for n in range(10)}
    problem = only(
        refuse(tmp_path, extra_files=extra, limits=Limits(max_files=8)), "too-many-files"
    )
    assert "at most 8 are allowed" in problem.message


def test_too_many_files_are_refused_before_zipfile_reads_the_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_zipfile(*args: Any, **kwargs: Any) -> zipfile.ZipFile:
        raise AssertionError("the central directory was parsed")

    data = build_package(extra_files={f"content/images/{n}.png": PNG for n in range(10)})
    monkeypatch.setattr(archive_module.zipfile, "ZipFile", no_zipfile)
    only(refuse(tmp_path, data=data, limits=Limits(max_files=8)), "too-many-files")


# --------------------------------------------------------------------------------------------
# Names


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("../evil.png", "traversal"),
        ("content/../../evil.png", "traversal"),
        ("..\\evil.png", "traversal"),
        ("/etc/evil.png", "absolute-path"),
        ("C:\\Windows\\evil.png", "absolute-path"),
        ("C:/evil.png", "absolute-path"),
        ("\\\\server\\share\\evil.png", "absolute-path"),
        ("\\evil.png", "absolute-path"),
        ("content\\images\\a.png", "backslash"),
        ("content/a\x01.png", "bad-name"),
        ("content/\u202egnp.exe.png", "bad-name"),  # right-to-left override
        ("content//a.png", "bad-name"),
        ("content/./a.png", "bad-name"),
        ("content/" + "a" * 300 + ".png", "bad-name"),
    ],
)
def test_unsafe_names_are_refused(tmp_path: Path, name: str, rule: str) -> None:
    problem = only(refuse(tmp_path, extra_files={name: PNG}), rule)
    assert problem.path == name.replace("\x01", "\\x01").replace("\u202e", "\\u202e")


def test_a_symlink_is_refused(tmp_path: Path) -> None:
    error = refuse(tmp_path, raw_members=[symlink("content/images/a.png")])
    problem = only(error, "symlink")
    assert problem.path == "content/images/a.png"


@pytest.mark.parametrize(
    ("first", "second", "rule"),
    [
        ("content/images/a.png", "content/images/A.png", "case-duplicate"),
        ("content/Images/a.png", "content/images/a.png", "case-duplicate"),
        ("content/images/\u00e9.png", "content/images/e\u0301.png", "case-duplicate"),  # NFC/NFD
        ("content/images/a.png", "content/images/a.png/b.png", "duplicate"),
    ],
)
def test_names_that_would_land_on_the_same_file_are_refused(
    tmp_path: Path, first: str, second: str, rule: str
) -> None:
    error = refuse(tmp_path, extra_files={first: PNG, second: PNG})
    assert only(error, rule).path in {first, second}


def test_the_same_name_twice_is_refused(tmp_path: Path) -> None:
    info = zipfile.ZipInfo("content/content.json")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate it writes
        data = build_package(raw_members=[(info, b'{"evil": true}')])
    problem = only(refuse(tmp_path, data=data), "duplicate")
    assert problem.path == "content/content.json"


def test_an_encrypted_member_is_refused(tmp_path: Path) -> None:
    data = bytearray(build_package(extra_files={"content/secret.txt": "x"}))
    # Set the "encrypted" flag (bit 0 of the flags at offset 8) in the member's central
    # directory entry, whose name starts at offset 46.
    at = data.index(b"PK\x01\x02")
    while data[at + 46 : at + 46 + 18] != b"content/secret.txt":
        at = data.index(b"PK\x01\x02", at + 1)
    data[at + 8] |= 0x01
    assert only(refuse(tmp_path, data=bytes(data)), "encrypted").path == "content/secret.txt"


def test_a_member_compressed_with_bzip2_is_refused(tmp_path: Path) -> None:
    info = zipfile.ZipInfo("content/notes.txt")
    info.compress_type = zipfile.ZIP_BZIP2
    problem = only(refuse(tmp_path, raw_members=[(info, b"notes")]), "compression")
    assert problem.path == "content/notes.txt"


# --------------------------------------------------------------------------------------------
# Where files are, and their types


@pytest.mark.parametrize(
    ("name", "rule", "says"),
    [
        ("content/page.html", "extension", "HTML files are not allowed in H5P packages"),
        ("content/page.HTM", "extension", "HTML files are not allowed in H5P packages"),
        ("Test.Simple-1.0/index.html", "extension", "HTML files are not allowed"),
        ("content/script.js", "extension", "JavaScript and CSS belong in a library folder"),
        ("content/style.css", "extension", "JavaScript and CSS belong in a library folder"),
        ("Test.Simple-1.0/upload.php", "extension", "Programs, server scripts"),
        ("content/images/photo", "extension", "Files without an extension"),
        ("content/report.docx", "extension", ".docx files are not allowed in content/"),
        ("content/data.xml", "extension", "XML files are not allowed"),
        ("README.txt", "layout", "Only h5p.json, the content/ folder and library folders"),
    ],
)
def test_files_outside_the_allowlist_are_refused_with_what_to_do(
    tmp_path: Path, name: str, rule: str, says: str
) -> None:
    problem = only(refuse(tmp_path, extra_files={name: b"x"}), rule)
    assert problem.path == name
    assert says in problem.message


@pytest.mark.parametrize(
    "name",
    ["content/images/a.PNG", "content/videos/v.mp4", "content/audios/a.mp3", "content/a.vtt",
     "Test.Simple-1.0/scripts/extra.js", "Test.Simple-1.0/language/ru.json",
     "Test.Simple-1.0/fonts/f.woff2", "Test.Simple-1.0/icon.svg"],
)  # fmt: skip
def test_files_in_the_allowlist_are_accepted(tmp_path: Path, name: str) -> None:
    data = SCRIPTED_SVG if name.endswith(".svg") else b"x"
    check(tmp_path, extra_files={name: data})


# --------------------------------------------------------------------------------------------
# h5p.json and content.json


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"h5p_json": REMOVE}, "no h5p.json at its top level"),
        ({"h5p_json": "{"}, "h5p.json is not valid JSON (line 1, column 2"),
        ({"h5p_json": b"\xff\xfe{"}, "not valid JSON"),
        ({"h5p_json": "[]"}, "must hold a JSON object"),
        ({"h5p_overrides": {"title": REMOVE}}, 'no "title"'),
        ({"h5p_overrides": {"title": 5}}, 'no "title"'),
        ({"h5p_overrides": {"title": "  "}}, 'no "title"'),
        ({"h5p_overrides": {"mainLibrary": REMOVE}}, 'no "mainLibrary"'),
        ({"h5p_overrides": {"preloadedDependencies": REMOVE}}, 'no "preloadedDependencies"'),
        ({"h5p_overrides": {"preloadedDependencies": "Test.Simple"}}, "must be a list"),
        ({"h5p_overrides": {"preloadedDependencies": ["Test.Simple 1.0"]}}, "Entry 1 of"),
        (
            {"h5p_overrides": {"preloadedDependencies": [{"machineName": "Test.Simple",
                                                          "majorVersion": 1}]}},
            "needs majorVersion and minorVersion as whole numbers",
        ),
        (
            {"h5p_overrides": {"preloadedDependencies": [{"machineName": "../x",
                                                          "majorVersion": 1, "minorVersion": 0}]}},
            "has no valid machineName",
        ),
        (
            {"h5p_overrides": {"preloadedDependencies": [{"machineName": "Test.Simple",
                                                          "majorVersion": 1.5, "minorVersion": 0}]}},
            "whole numbers",
        ),
        ({"h5p_overrides": {"mainLibrary": "Test.Other"}}, "is not listed in preloadedDependencies"),
        ({"h5p_overrides": {"license": 5}}, '"license" in h5p.json must be text'),
        ({"h5p_overrides": {"authors": "me"}}, '"authors" in h5p.json must be a list'),
        ({"h5p_overrides": {"authors": ["me"]}}, "must be an object"),
    ],
)  # fmt: skip
def test_a_missing_or_invalid_h5p_json_is_refused(
    tmp_path: Path, options: dict[str, Any], says: str
) -> None:
    error = refuse(tmp_path, **options)
    assert "h5p-json" in error.rules
    problem = next(p for p in error.problems if p.rule == "h5p-json")
    assert problem.path == "h5p.json"
    assert says in problem.message


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (REMOVE, "no content/content.json"),
        ("not json", "content.json is not valid JSON (line 1, column 1"),
        ('{"score": NaN}', "NaN is not allowed"),
        ("[1, 2]", "must hold a JSON object"),
        ('{"a": ' + "[" * 150 + "]" * 150 + "}", "nests more than 100 levels"),
        ('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", "nests too deeply"),
    ],
)
def test_a_missing_or_invalid_content_json_is_refused(
    tmp_path: Path, content: Any, says: str
) -> None:
    problem = only(refuse(tmp_path, content=content), "content-json")
    assert problem.path == "content/content.json"
    assert says in problem.message


def test_a_content_json_over_the_document_limit_is_refused(tmp_path: Path) -> None:
    content = {"text": "x" * 5000}
    problem = only(
        refuse(tmp_path, content=content, limits=Limits(max_document_bytes=4096)), "too-large"
    )
    assert problem.path == "content/content.json"


# --------------------------------------------------------------------------------------------
# Libraries


@pytest.mark.parametrize(
    ("library", "says"),
    [
        (Library(files={"library.json": REMOVE}), "has no library.json"),
        (Library(files={"library.json": "{"}), "library.json is not valid JSON"),
        (Library(files={"library.json": "[]"}), "must hold a JSON object"),
        (Library(library_json={"machineName": REMOVE}), 'no valid "machineName"'),
        (Library(library_json={"majorVersion": REMOVE}), 'no valid "majorVersion"'),
        (Library(library_json={"minorVersion": "one"}), 'no valid "minorVersion"'),
        (Library(library_json={"patchVersion": -1}), 'no valid "patchVersion"'),
        (Library(library_json={"runnable": REMOVE}), 'no valid "runnable"'),
        (Library(library_json={"runnable": 2}), 'no valid "runnable"'),
        (Library(library_json={"title": REMOVE}), 'no "title"'),
        (Library(library_json={"machineName": "Test.Other"}), "whose folder must be named "
                                                              "Test.Other-1.0"),
        (Library(library_json={"minorVersion": 3}), "whose folder must be named Test.Simple-1.3"),
        (Library(files={"scripts/simple.js": REMOVE}), 'Entry 1 of "preloadedJs" names '
                                                       "scripts/simple.js, which is not in"),
        (Library(library_json={"preloadedCss": [{"path": "../x.css"}]}), "not inside the library"),
        (Library(library_json={"preloadedJs": "scripts/simple.js"}), "must be a list"),
        (Library(library_json={"preloadedDependencies": [{"machineName": "X"}]}), "Entry 1 of"),
    ],
)  # fmt: skip
def test_a_missing_or_invalid_library_json_is_refused(
    tmp_path: Path, library: Library, says: str
) -> None:
    error = refuse(tmp_path, libraries=[library])
    problem = next(p for p in error.problems if p.rule == "library-json")
    assert problem.path == "Test.Simple-1.0/library.json"
    assert says in problem.message
    assert "missing-library" not in error.rules  # it is there, only broken


def test_a_folder_that_is_not_a_library_is_refused(tmp_path: Path) -> None:
    error = refuse(tmp_path, extra_files={"images/a.png": PNG})
    problem = only(error, "library-json")
    assert problem.path == "images/library.json"
    assert "every folder beside content/ must be an H5P library" in problem.message


def test_a_main_library_that_is_not_runnable_is_refused(tmp_path: Path) -> None:
    error = refuse(tmp_path, libraries=[Library(runnable=False)])
    assert "is not runnable" in only(error, "h5p-json").message


def test_a_main_library_neither_in_the_package_nor_installed_is_refused(tmp_path: Path) -> None:
    deps = [{"machineName": "H5P.Gone", "majorVersion": 1, "minorVersion": 4}]
    error = refuse(
        tmp_path, main="H5P.Gone", libraries=[], h5p_overrides={"preloadedDependencies": deps}
    )
    problem = only(error, "missing-library")
    assert problem.path == "h5p.json"
    assert problem.message.startswith("H5P.Gone 1.4 is needed by the activity, but it is neither")


def test_a_dependency_missing_deep_down_names_who_needs_it(tmp_path: Path) -> None:
    middle = Library("H5P.Middle", 2, 1, dependencies=[LibraryRef("H5P.Gone", 3, 0)])
    main = Library(dependencies=[middle.ref])
    problem = only(refuse(tmp_path, libraries=[main, middle]), "missing-library")
    assert problem.path == "H5P.Middle-2.1/library.json"
    assert problem.message.startswith("H5P.Gone 3.0 is needed by H5P.Middle 2.1,")


def test_a_dependency_may_be_installed_rather_than_in_the_package(tmp_path: Path) -> None:
    gone = LibraryRef("H5P.Shared", 1, 2)
    lookup = installed(InstalledLibrary(gone, patch=7, digest="d" * 64))
    package = check(tmp_path, lookup=lookup, libraries=[Library(dependencies=[gone])])
    assert package.needed == [gone, SIMPLE]
    assert package.to_install == [SIMPLE]


def test_an_installed_librarys_own_dependencies_are_followed_when_known(tmp_path: Path) -> None:
    shared, deeper = LibraryRef("H5P.Shared", 1, 2), LibraryRef("H5P.Deeper", 1, 0)
    lookup = installed(InstalledLibrary(shared, patch=7, digest="d" * 64, dependencies=(deeper,)))
    problem = only(
        refuse(tmp_path, lookup=lookup, libraries=[Library(dependencies=[shared])]),
        "missing-library",
    )
    assert problem.message.startswith("H5P.Deeper 1.0 is needed by H5P.Shared 1.2,")


def test_needed_libraries_come_in_load_order_and_unneeded_ones_are_not_installed(
    tmp_path: Path,
) -> None:
    c = Library("H5P.C", 1, 0)
    b = Library("H5P.B", 1, 0, dependencies=[c.ref])
    a = Library("H5P.A", 1, 0, dependencies=[b.ref, c.ref])
    editor = Library("H5PEditor.A", 1, 0, runnable=False)
    package = check(
        tmp_path,
        main="H5P.A",
        libraries=[a, b, c, editor],
        h5p_overrides={"preloadedDependencies": [{"machineName": "H5P.A", "majorVersion": 1,
                                                  "minorVersion": 0}]},
    )  # fmt: skip
    assert package.needed == [c.ref, b.ref, a.ref]
    assert package.to_install == [c.ref, b.ref, a.ref]
    unneeded = package.library(editor.ref)
    assert unneeded is not None
    assert not unneeded.needed


def test_libraries_that_depend_on_each_other_do_not_loop(tmp_path: Path) -> None:
    a = Library("H5P.A", 1, 0, dependencies=[LibraryRef("H5P.B", 1, 0)])
    b = Library("H5P.B", 1, 0, dependencies=[a.ref])
    package = check(tmp_path, main="H5P.A", libraries=[a, b])
    assert package.needed == [b.ref, a.ref]


def test_installed_is_asked_once_per_library(tmp_path: Path) -> None:
    asked: list[LibraryRef] = []

    def lookup(ref: LibraryRef) -> InstalledLibrary | None:
        asked.append(ref)
        return None

    c = Library("H5P.C", 1, 0)
    a = Library("H5P.A", 1, 0, dependencies=[c.ref])
    check(tmp_path, main="H5P.A", lookup=lookup, libraries=[a, c])
    assert sorted(asked) == sorted({a.ref, c.ref})


# --------------------------------------------------------------------------------------------
# Against what is installed


def test_the_same_version_with_other_files_is_a_conflict(tmp_path: Path) -> None:
    lookup = installed(InstalledLibrary(SIMPLE, patch=0, digest="0" * 64))
    problem = only(refuse(tmp_path, lookup=lookup), "library-conflict")
    assert problem.path == "Test.Simple-1.0/library.json"
    assert "Test.Simple 1.0.0 is already installed on this site with different files" in str(
        problem
    )
    assert "1.0.1 or higher" in problem.message


def test_the_same_version_with_the_same_files_is_already_installed(tmp_path: Path) -> None:
    digest = check(tmp_path).libraries[0].digest
    package = check(tmp_path, lookup=installed(InstalledLibrary(SIMPLE, 0, digest)))
    assert package.libraries[0].status == "same"
    assert package.needed == [SIMPLE]
    assert package.to_install == []


def test_a_higher_patch_is_an_upgrade(tmp_path: Path) -> None:
    lookup = installed(InstalledLibrary(SIMPLE, patch=2, digest="0" * 64))
    package = check(tmp_path, lookup=lookup, libraries=[Library(patch=3)])
    library = package.libraries[0]
    assert (library.status, library.installed_patch) == ("upgrade", 2)
    assert package.to_install == [SIMPLE]


def test_a_lower_patch_leaves_the_installed_newer_one(tmp_path: Path) -> None:
    lookup = installed(InstalledLibrary(SIMPLE, patch=5, digest="0" * 64))
    package = check(tmp_path, lookup=lookup, libraries=[Library(patch=3)])
    library = package.libraries[0]
    assert (library.status, library.installed_patch) == ("older", 5)
    assert package.needed == [SIMPLE]
    assert package.to_install == []


# --------------------------------------------------------------------------------------------
# SVG


def test_a_scripted_svg_is_accepted_to_be_cleaned(tmp_path: Path) -> None:
    package = check(tmp_path, extra_files={"content/images/a.svg": SCRIPTED_SVG})
    assert "content/images/a.svg" in package.content_files


@pytest.mark.parametrize(
    "name", ["content/images/broken.svg", "Test.Simple-1.0/icon.svg"], ids=["content", "library"]
)
def test_an_svg_that_cannot_be_parsed_is_refused(tmp_path: Path, name: str) -> None:
    problem = only(refuse(tmp_path, extra_files={name: b"<svg><g></svg>"}), "svg")
    assert problem.path == name
    assert "not a well-formed SVG image" in problem.message


# --------------------------------------------------------------------------------------------
# Extraction


def validated(tmp_path: Path, **options: Any) -> tuple[Path, ValidatedPackage]:
    path = write_package(tmp_path / "activity.h5p", **options)
    return path, validate_package(path, installed=nothing_installed, limits=Limits())


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_extraction_writes_the_content_and_the_libraries_to_install(tmp_path: Path) -> None:
    unneeded = Library("H5PEditor.Thing", 1, 0, runnable=False)
    deps = [{"machineName": "Test.Simple", "majorVersion": 1, "minorVersion": 0}]
    path, package = validated(
        tmp_path,
        libraries=[Library(), unneeded],
        h5p_overrides={"preloadedDependencies": deps},  # the editor library is not needed
        extra_files={"content/images/a.png": PNG, "__MACOSX/._a.png": b"\0"},
    )
    assert package.to_install == [SIMPLE]
    content, libraries = tmp_path / "out" / "content", tmp_path / "out" / "libraries"
    extract_package(
        path,
        package,
        content_dir=content,
        library_dirs={ref: libraries / ref.folder for ref in package.to_install},
    )
    assert files_under(content) == ["content.json", "images/a.png"]
    assert (content / "images" / "a.png").read_bytes() == PNG
    assert files_under(libraries) == [
        "Test.Simple-1.0/library.json",
        "Test.Simple-1.0/scripts/simple.js",
        "Test.Simple-1.0/styles/simple.css",
    ]
    library_json = json.loads((libraries / "Test.Simple-1.0" / "library.json").read_text())
    assert library_json["machineName"] == "Test.Simple"


def test_extraction_cleans_scripts_out_of_content_json_and_keeps_good_markup(
    tmp_path: Path,
) -> None:
    content = {
        "intro": '<p>Read <strong>this</strong>, <em>then</em> <a href="https://who.int">'
        "this</a>.</p><ul><li>One</li><li>Two</li></ul><script>steal()</script>",
        "questions": [{"text": '<img src="x" onerror="steal()">Why?', "points": 2}],
        "link": '<a href="javascript:steal()">Click</a>',
        "url": "javascript:steal()",
        "plain": "Fish & chips > 3",
        "done": True,
    }
    path, package = validated(tmp_path, content=content)
    extract_package(path, package, content_dir=tmp_path / "content", library_dirs={})
    raw = (tmp_path / "content" / "content.json").read_text(encoding="utf-8")
    assert "<" not in raw  # escaped, so it can go into a <script> element as it is
    cleaned = json.loads(raw)
    for gone in ("steal", "script", "onerror", "javascript", "<img"):
        assert gone not in json.dumps(cleaned)
    assert cleaned["intro"].startswith("<p>Read <strong>this</strong>, <em>then</em> <a ")
    assert 'href="https://who.int"' in cleaned["intro"]
    assert 'rel="noopener noreferrer"' in cleaned["intro"]
    assert "<ul><li>One</li><li>Two</li></ul>" in cleaned["intro"]
    assert cleaned["questions"] == [{"text": "Why?", "points": 2}]
    assert cleaned["link"] == '<a rel="noopener noreferrer">Click</a>'
    assert cleaned["url"] == ""
    assert cleaned["plain"] == "Fish & chips > 3"
    assert cleaned["done"] is True


def test_extraction_cleans_svgs_in_content_and_libraries(tmp_path: Path) -> None:
    path, package = validated(
        tmp_path,
        extra_files={"content/images/a.svg": SCRIPTED_SVG},
        libraries=[Library(files={"icon.svg": SCRIPTED_SVG})],
    )
    libraries = tmp_path / "libraries"
    extract_package(
        path,
        package,
        content_dir=tmp_path / "content",
        library_dirs={SIMPLE: libraries / SIMPLE.folder},
    )
    for svg in (tmp_path / "content/images/a.svg", libraries / SIMPLE.folder / "icon.svg"):
        text = svg.read_text(encoding="utf-8")
        for gone in ("script", "alert", "onload", "evil.example", "tracker.example"):
            assert gone not in text
        assert "<circle" in text
        assert "Hello shapes" in text


def test_extraction_refuses_a_library_the_package_does_not_hold(tmp_path: Path) -> None:
    path, package = validated(tmp_path)
    with pytest.raises(ValueError, match=r"H5P\.Other 1\.0 is not a library of this package"):
        extract_package(
            path,
            package,
            content_dir=tmp_path / "content",
            library_dirs={LibraryRef("H5P.Other", 1, 0): tmp_path / "x"},
        )


@pytest.mark.parametrize(
    "options",
    [
        {"content": {"text": "<p>Something else</p>"}},
        {"libraries": [Library(files={"scripts/simple.js": "H5P.evil = 1;\n"})]},
        {"extra_files": {"content/content.json": REMOVE}},
    ],
    ids=["content", "library", "member-gone"],
)
def test_extraction_refuses_an_archive_changed_since_validation(
    tmp_path: Path, options: dict[str, Any]
) -> None:
    path, package = validated(tmp_path)
    write_package(path, **options)
    with pytest.raises(PackageInvalid) as caught:
        extract_package(
            path,
            package,
            content_dir=tmp_path / "content",
            library_dirs={SIMPLE: tmp_path / "libraries"},
        )
    assert caught.value.rules == {"changed"}


def test_extraction_does_not_follow_a_symlink_out_of_its_folder(tmp_path: Path) -> None:
    path, package = validated(tmp_path, extra_files={"content/images/a.png": PNG})
    outside = tmp_path / "outside"
    outside.mkdir()
    content = tmp_path / "content"
    content.mkdir()
    (content / "images").symlink_to(outside, target_is_directory=True)
    with pytest.raises(PackageInvalid) as caught:
        extract_package(path, package, content_dir=content, library_dirs={})
    assert caught.value.rules == {"traversal"}
    assert list(outside.iterdir()) == []


def test_memory_does_not_follow_the_size_of_a_media_file(tmp_path: Path) -> None:
    media = os.urandom(8 * 1024 * 1024)
    path, _ = validated(
        tmp_path, compression=zipfile.ZIP_STORED, extra_files={"content/videos/v.mp4": media}
    )
    del media
    tracemalloc.start()
    try:
        package = validate_package(path, installed=nothing_installed, limits=Limits())
        extract_package(path, package, content_dir=tmp_path / "content", library_dirs={})
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024, f"peak {peak / 1024:.0f} KiB for an 8 MiB member"
