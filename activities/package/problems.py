"""What is wrong with an H5P package: one :class:`PackageProblem` per rule broken and file.

A problem names its rule (a short code that does not change, for code and tests), the file inside
the package (``""`` for the archive as a whole) and says in plain English what is wrong and what
the trainer can do about it. :class:`PackageInvalid` carries every problem found.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["RULES", "PackageInvalid", "PackageProblem"]

#: Every rule code, and what it refuses.
RULES: dict[str, str] = {
    "too-large": "the package, or a file read whole (content.json, library.json, an SVG), is "
    "over its size limit",
    "broken-zip": "not a zip archive, or a damaged one (truncated, a bad checksum)",
    "encrypted": "a file in the archive is password-protected",
    "compression": "a file is compressed with a method other than stored or deflate",
    "zip-bomb": "the archive unpacks to more bytes than allowed",
    "ratio": "a file (or the archive) compresses more than a real package does",
    "too-many-files": "the archive holds more files than allowed",
    "traversal": "a path climbs out of its folder (..)",
    "absolute-path": "a path starts at the root or a drive (/x, C:\\x, \\\\server\\x)",
    "backslash": "a path uses backslashes instead of slashes",
    "bad-name": "a path is empty, too long, has control characters or empty or '.' parts",
    "symlink": "a file is a symbolic link",
    "duplicate": "a path appears twice, or is both a file and a folder",
    "case-duplicate": "two paths differ only in upper and lower case",
    "layout": "a file at the top of the package that is not h5p.json, content/ or a library",
    "extension": "a file type outside the H5P allowlist",
    "h5p-json": "h5p.json is missing or invalid",
    "content-json": "content/content.json is missing or invalid",
    "library-json": "a library folder's library.json is missing or invalid",
    "missing-library": "a library the activity needs is neither in the package nor installed",
    "library-conflict": "a library has the same version as an installed one but other files",
    "svg": "an SVG image cannot be read",
    "changed": "the file changed between validation and extraction",
}


@dataclass(frozen=True)
class PackageProblem:
    """One rule broken by one file of the package (``path`` ``""``: the archive itself)."""

    rule: str
    path: str
    message: str

    def __post_init__(self) -> None:
        if self.rule not in RULES:  # a typo here would silently break a caller's mapping
            raise ValueError(f"unknown package rule {self.rule!r}")

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class PackageInvalid(Exception):
    """The package was refused; ``problems`` holds every problem found, in the order found."""

    problems: list[PackageProblem]

    def __init__(self, problems: Iterable[PackageProblem]) -> None:
        self.problems = list(problems)
        if not self.problems:
            raise ValueError("PackageInvalid needs at least one problem")
        super().__init__("\n".join(str(problem) for problem in self.problems))

    @property
    def rules(self) -> set[str]:
        """The rule codes of the problems (for tests and for logging)."""
        return {problem.rule for problem in self.problems}
