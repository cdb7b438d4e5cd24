"""H5P packages: checked (:mod:`.validation`), then written to disk (:mod:`.extraction`), with
content.json's markup cleaned (:mod:`.sanitise`) and SVG images cleaned (:mod:`.svg`).

Pure Python, no database: the ``activities`` services pass in what is installed and store what
comes out. See docs/h5p.md, "What is checked before anything is stored".
"""

from activities.package.extraction import extract_package
from activities.package.limits import Limits
from activities.package.model import (
    InstalledLibrary,
    LibraryRef,
    PackageLibrary,
    ValidatedPackage,
)
from activities.package.problems import RULES, PackageInvalid, PackageProblem
from activities.package.sanitise import sanitise_content
from activities.package.svg import SvgRefused, clean_svg
from activities.package.validation import validate_package

__all__ = [
    "RULES",
    "InstalledLibrary",
    "LibraryRef",
    "Limits",
    "PackageInvalid",
    "PackageLibrary",
    "PackageProblem",
    "SvgRefused",
    "ValidatedPackage",
    "clean_svg",
    "extract_package",
    "sanitise_content",
    "validate_package",
]
