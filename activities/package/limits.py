"""How large an H5P package may be, and what it may unpack to.

The defaults are chosen from real packages: H5P content is mostly media that is already
compressed (images, audio, video) plus libraries of JavaScript, CSS and JSON that compress four
to ten times, so a genuine package unpacks to a small multiple of its size. Each limit can be
set in the settings (``H5P_MAX_PACKAGE_BYTES`` and so on, below).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MIB", "RATIO_FLOOR_BYTES", "Limits", "human_size"]

MIB = 1024 * 1024

#: Compression ratios are only judged past this many bytes (of one file, or of the archive): a
#: 30 KB JSON file of repeated keys may well compress a hundred times, and is harmless.
RATIO_FLOOR_BYTES = 1 * MIB


@dataclass(frozen=True)
class Limits:
    """The limits one package is checked against (:meth:`from_settings` for the site's).

    - ``max_package_bytes`` (``H5P_MAX_PACKAGE_BYTES``, 50 MB): the archive's size, checked
      before it is opened. Large enough for an interactive video's package with its video;
      anything larger belongs on a video host.
    - ``max_uncompressed_bytes`` (``H5P_MAX_UNCOMPRESSED_BYTES``, 200 MB): all the bytes the
      archive unpacks to, counted while reading. Four times the largest package: media does not
      shrink in a zip, and text-heavy libraries grow about five times at most when unpacked.
    - ``max_ratio`` (``H5P_MAX_COMPRESSION_RATIO``, 100): unpacked bytes per packed byte, for the
      archive and for each file over 1 MB. Deflate can reach about 1,000; JavaScript and JSON
      reach 10, already-compressed media 1. A ratio of 100 is only a file made of repetition.
    - ``max_files`` (``H5P_MAX_FILES``, 10,000): entries in the archive. A large package (an
      interactive book with 60 libraries, each with 40 language files) holds about 3,000.
    - ``max_document_bytes`` (``H5P_MAX_DOCUMENT_BYTES``, 8 MB): each file that is read whole to
      be parsed (``content/content.json``, each SVG), and all of ``h5p.json`` and the
      ``library.json`` files together. A parsed document takes several times its size in
      memory; real content.json files are well under 1 MB.
    """

    max_package_bytes: int = 50 * MIB
    max_uncompressed_bytes: int = 200 * MIB
    max_ratio: float = 100.0
    max_files: int = 10_000
    max_document_bytes: int = 8 * MIB

    @classmethod
    def from_settings(cls) -> Limits:
        """The limits in the Django settings, each defaulting to the class's value."""
        from django.conf import settings

        defaults = cls()
        return cls(
            max_package_bytes=int(
                getattr(settings, "H5P_MAX_PACKAGE_BYTES", defaults.max_package_bytes)
            ),
            max_uncompressed_bytes=int(
                getattr(settings, "H5P_MAX_UNCOMPRESSED_BYTES", defaults.max_uncompressed_bytes)
            ),
            max_ratio=float(getattr(settings, "H5P_MAX_COMPRESSION_RATIO", defaults.max_ratio)),
            max_files=int(getattr(settings, "H5P_MAX_FILES", defaults.max_files)),
            max_document_bytes=int(
                getattr(settings, "H5P_MAX_DOCUMENT_BYTES", defaults.max_document_bytes)
            ),
        )


def human_size(n: int | float) -> str:
    """``n`` bytes for a trainer: ``"12 KB"``, ``"3.4 MB"``, ``"1.2 GB"`` (powers of 1,024)."""
    if n < 1024:
        return f"{int(n)} bytes"
    for unit, scale in (("KB", 1024), ("MB", MIB), ("GB", 1024 * MIB)):
        value = n / scale
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if value >= 10 else f"{value:.1f} {unit}"
    raise AssertionError("unreachable")
