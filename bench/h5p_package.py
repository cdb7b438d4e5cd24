#!/usr/bin/env python
"""Validating and extracting H5P packages of 5, 25 and 50 MB: time and memory (activities.package).

Run from the project root (everything is written in a temporary folder, removed at the end; no
database, no Django settings):

    .venv/bin/python bench/h5p_package.py                   # 5, 25 and 50 MB: about 10 s
    .venv/bin/python bench/h5p_package.py --sizes 5 10 20   # other sizes (MB, 1,000,000 bytes)
    .venv/bin/python bench/h5p_package.py --file-mb 10      # fewer, larger media files

What it does:

1. Writes one package per size, member by member and in chunks (never whole in memory): the
   test library ``Bench.Media 1.0.0`` (library.json, a script, a style sheet), ``h5p.json``,
   ``content/content.json`` with some markup to clean, and media files of random bytes stored
   without compression (``--file-mb`` MB each, 1 by default: the number of files grows with the
   size too), up to the size given.
2. Validates a tiny package first, so that imports and first-time allocations do not count.
3. For each package, ``validate_package`` then ``extract_package`` (into a fresh folder), each
   under ``bench.common.memory_of``: seconds, tracemalloc's peak (Python's allocations) and the
   process's peak RSS above its RSS before (everything, zlib and buffers included).

Targets: memory does not grow with the package: the largest package's tracemalloc peak is at most
1.5 times the smallest's (and under 4 MiB), and its RSS growth under 16 MiB, for validation and
extraction alike. Time is reported, not checked (it is the disk's). Prints the figures and
PASS/FAIL; exits 0 unless ``--strict`` and a check fails.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import stat
import sys
import tempfile
import zipfile
from pathlib import Path

if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.common import Check, say, table

TARGET_RATIO = 1.5
TARGET_TRACEMALLOC_MIB = 4.0
TARGET_RSS_MIB = 16.0
MB = 1_000_000
CHUNK = 1 << 20


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/h5p_package.py",
        description="Benchmark validating and extracting H5P packages: time and peak memory.",
    )
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[5, 25, 50], help="package sizes in MB (5 25 50)"
    )
    parser.add_argument("--file-mb", type=int, default=1, help="size of each media file (1 MB)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a check fails")
    return parser.parse_args(argv)


# --------------------------------------------------------------------------------------------
# The packages


def _info(name: str, compression: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.compress_type = compression
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    return info


def write_package(path: Path, size_mb: float, file_mb: int, seed: int) -> int:
    """Write a valid package of about ``size_mb`` MB at ``path``; returns its media files."""
    rng = random.Random(seed)
    library = {
        "title": "Bench media", "machineName": "Bench.Media", "majorVersion": 1,
        "minorVersion": 0, "patchVersion": 0, "runnable": 1,
        "preloadedJs": [{"path": "media.js"}], "preloadedCss": [{"path": "media.css"}],
    }  # fmt: skip
    h5p = {
        "title": f"Bench {size_mb} MB", "mainLibrary": "Bench.Media", "language": "en",
        "preloadedDependencies": [
            {"machineName": "Bench.Media", "majorVersion": 1, "minorVersion": 0}
        ],
    }  # fmt: skip
    files: list[str] = []
    with zipfile.ZipFile(path, "w") as archive:
        small = {
            "h5p.json": json.dumps(h5p),
            "Bench.Media-1.0/library.json": json.dumps(library),
            "Bench.Media-1.0/media.js": "H5P.BenchMedia = function () {};\n" * 200,
            "Bench.Media-1.0/media.css": ".h5p-bench { color: #222; }\n" * 200,
        }
        for name, text in small.items():
            archive.writestr(_info(name, zipfile.ZIP_DEFLATED), text)
        # Media up to the size, less room for content.json, the headers and the directory.
        media_left = int(size_mb * MB) - sum(len(t) for t in small.values()) - 64 * 1024
        while media_left > 0:
            name = f"content/videos/clip-{len(files):04d}.mp4"
            files.append(name)
            with archive.open(_info(name, zipfile.ZIP_STORED), "w") as out:
                left = min(max(file_mb, 1) * MB, media_left)
                media_left -= left
                while left:
                    step = min(CHUNK, left)
                    out.write(rng.randbytes(step))
                    left -= step
        content = {
            "intro": "<p>Watch <strong>each</strong> clip.</p><script>steal()</script>",
            "clips": [
                {"path": name.removeprefix("content/"), "mime": "video/mp4"} for name in files
            ],
        }
        archive.writestr(_info("content/content.json", zipfile.ZIP_DEFLATED), json.dumps(content))
    return len(files)


# --------------------------------------------------------------------------------------------
# Measuring


def measure(path: Path, scratch: Path) -> dict[str, dict[str, float]]:
    """validate_package and extract_package of ``path``, each under ``memory_of``."""
    from activities.package import Limits, ValidatedPackage, extract_package, validate_package

    limits = Limits()
    validated: list[ValidatedPackage] = []

    def validate() -> None:
        validated.append(validate_package(path, installed=lambda ref: None, limits=limits))

    validation = common.memory_of(validate)
    package = validated.pop()
    out = scratch / path.stem
    extraction = common.memory_of(
        lambda: extract_package(
            path,
            package,
            content_dir=out / "content",
            library_dirs={ref: out / ref.folder for ref in package.to_install},
        )
    )
    shutil.rmtree(out)
    return {"validate": validation, "extract": extraction}


def checks_for(sizes: list[int], figures: list[dict[str, dict[str, float]]]) -> list[Check]:
    checks = []
    small, large = figures[0], figures[-1]
    for step in ("validate", "extract"):
        low = small[step]["tracemalloc_peak_mib"]
        high = large[step]["tracemalloc_peak_mib"]
        ratio = high / low if low else float("inf")
        checks.append(
            Check(
                f"{step}: tracemalloc peak {sizes[-1]} MB / {sizes[0]} MB",
                f"{ratio:.2f} ({high:.2f} / {low:.2f} MiB)",
                f"<= {TARGET_RATIO} and < {TARGET_TRACEMALLOC_MIB:.0f} MiB",
                ratio <= TARGET_RATIO and high < TARGET_TRACEMALLOC_MIB,
            )
        )
        rss = large[step]["rss_peak_over_before_mib"]
        checks.append(
            Check(
                f"{step}: RSS growth at {sizes[-1]} MB",
                f"{rss:.1f} MiB",
                f"< {TARGET_RSS_MIB:.0f} MiB",
                not rss >= TARGET_RSS_MIB,  # NaN (no /proc): not measured, not failed
            )
        )
    return checks


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    common.ensure_django(__file__, argv)  # for common.machine()'s versions
    sizes = sorted(args.sizes)
    tmp = Path(tempfile.mkdtemp(prefix="zhusan-bench-h5p-"))
    try:
        info = common.machine()
        say(common.machine_line("H5P package benchmark", info, "no database"))
        say(f"Temporary folder {tmp}; load average at start: {common.load_average() or '?'}")
        timings: dict[str, float] = {}
        packages = []
        with common.timed(timings, "write the packages"):
            for size in sizes:
                path = tmp / f"package-{size}mb.h5p"
                media = write_package(path, size, args.file_mb, args.seed + size)
                packages.append((size, path, media))
        warm = tmp / "warm-up.h5p"
        write_package(warm, 0.2, 1, args.seed)  # imports and first allocations, not measured
        measure(warm, tmp)
        figures = []
        with common.timed(timings, "validate and extract"):
            for _size, path, _media in packages:
                figures.append(measure(path, tmp))
        say(table([[k, f"{v:.1f}"] for k, v in timings.items()], ["step", "seconds"]))
        rows = []
        for (size, path, media), figure in zip(packages, figures, strict=True):
            for step in ("validate", "extract"):
                f = figure[step]
                rows.append(
                    [
                        f"{size} MB ({path.stat().st_size / MB:.1f} MB, {media} media files)",
                        step,
                        f"{f['seconds_under_tracemalloc']:.2f}",
                        f"{path.stat().st_size / MB / f['seconds_under_tracemalloc']:.0f}",
                        f"{f['tracemalloc_peak_mib']:.2f}",
                        f"{f['rss_peak_over_before_mib']:.1f}",
                    ]
                )
        header = ["package", "step", "seconds", "MB/s", "tracemalloc peak, MiB", "RSS growth, MiB"]
        say("\n" + table(rows, header))
        say(f"\nMemory ratio, {sizes[-1]} MB / {sizes[0]} MB (should stay near 1):")
        for step in ("validate", "extract"):
            low, high = figures[0][step], figures[-1][step]
            say(
                f"  {step}: tracemalloc "
                f"{high['tracemalloc_peak_mib'] / max(low['tracemalloc_peak_mib'], 1e-9):.2f}, "
                f"RSS growth {high['rss_peak_over_before_mib']:.1f} / "
                f"{low['rss_peak_over_before_mib']:.1f} MiB"
            )
        checks = checks_for(sizes, figures)
        say("\n" + common.checks_table(checks))
        say(f"Load average at the end: {common.load_average() or '?'}")
        return 1 if args.strict and not all(c.ok for c in checks) else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
