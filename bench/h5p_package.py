#!/usr/bin/env python
"""H5P packages of 5, 25 and 50 MB: time and peak memory of validating and unpacking them.

``make bench-h5p``. No database: ``activities.package`` is pure Python. Each package is a small
valid activity plus 1 MB media files of random bytes stored without compression. Target: memory
does not grow with the package (see docs/benchmarks.md).
"""

import json
import random
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.common import Check, say

MAX_RATIO = 1.5  # largest package's tracemalloc peak over the smallest's
MAX_PEAK_MIB = 4.0  # tracemalloc's peak for the largest package
MAX_RSS_MIB = 16.0
MB = 1_000_000


def write_package(path: Path, size_mb: float, seed: int) -> None:
    """A valid package of about ``size_mb`` MB, written member by member (never whole in memory)."""
    rng = random.Random(seed)
    ref = {"machineName": "Bench.Media", "majorVersion": 1, "minorVersion": 0}
    library = {**ref, "title": "Bench media", "patchVersion": 0, "runnable": 1}
    library.update(preloadedJs=[{"path": "media.js"}], preloadedCss=[{"path": "media.css"}])
    h5p = {"title": "Bench", "mainLibrary": "Bench.Media", "preloadedDependencies": [ref]}
    clips: list[str] = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("h5p.json", json.dumps(h5p))
        archive.writestr("Bench.Media-1.0/library.json", json.dumps(library))
        archive.writestr("Bench.Media-1.0/media.js", "H5P.BenchMedia = function () {};\n" * 200)
        archive.writestr("Bench.Media-1.0/media.css", ".h5p-bench { color: #222; }\n" * 200)
        left = int(size_mb * MB) - 64 * 1024  # room for the rest and the directory
        while left > 0:
            clips.append(f"videos/clip-{len(clips):04d}.mp4")
            info = zipfile.ZipInfo(f"content/{clips[-1]}", date_time=(2024, 1, 1, 0, 0, 0))
            with archive.open(info, "w") as out:  # ZipInfo's default: stored, not compressed
                out.write(rng.randbytes(min(MB, left)))
            left -= MB
        content = {
            "intro": "<p>Watch <strong>each</strong> clip.</p><script>steal()</script>",
            "clips": [{"path": clip, "mime": "video/mp4"} for clip in clips],
        }
        archive.writestr("content/content.json", json.dumps(content))


def measure(path: Path, out: Path) -> dict[str, dict[str, float]]:
    """``validate_package`` then ``extract_package``, each under ``memory_of``."""
    from activities.package import Limits, extract_package, validate_package

    found = []
    validation = common.memory_of(
        lambda: found.append(validate_package(path, installed=lambda ref: None, limits=Limits()))
    )
    package = found[0]
    dirs = {ref: out / ref.folder for ref in package.to_install}
    extraction = common.memory_of(
        lambda: extract_package(path, package, content_dir=out / "content", library_dirs=dirs)
    )
    shutil.rmtree(out)
    return {"validate": validation, "unpack": extraction}


def main(argv: list[str] | None = None) -> int:
    args = common.arguments(__doc__, argv, ("--sizes", [5, 25, 50], "MB"))
    common.exit_cleanly_on_signals()
    sizes = sorted(args.sizes)
    tmp = Path(tempfile.mkdtemp(prefix="zhusan-bench-"))
    try:
        common.header("H5P packages", "no database")
        for size in [0.2, *sizes]:
            write_package(tmp / f"{size}.h5p", size, seed=int(size * 10))
        measure(tmp / "0.2.h5p", tmp / "out")  # imports and first allocations, not counted
        with common.Idle() as idle:
            figures = {size: measure(tmp / f"{size}.h5p", tmp / "out") for size in sizes}
        rows = [
            [f"{size} MB", step, f["seconds"], f["peak_mib"], f["rss_mib"]]
            for size, by_step in figures.items()
            for step, f in by_step.items()
        ]
        say(common.table(rows, ["package", "step", "seconds", "peak MiB", "RSS growth MiB"]))
        checks, big = [], f"{sizes[-1]} MB"
        for step in ("validate", "unpack"):
            low, high = figures[sizes[0]][step], figures[sizes[-1]][step]
            ratio = high["peak_mib"] / low["peak_mib"]
            checks += [
                Check.below(f"{step}: peak, {big}", high["peak_mib"], MAX_PEAK_MIB, "MiB"),
                Check.bound(f"{step}: peak, {big} / {sizes[0]} MB", ratio, "<=", MAX_RATIO),
                Check.below(f"{step}: RSS growth, {big}", high["rss_mib"], MAX_RSS_MIB, "MiB"),
            ]
        return common.report(checks, idle, strict=args.strict)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
