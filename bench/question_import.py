#!/usr/bin/env python
"""Importing large Moodle XML question files with embedded images (issue #15).

Run from the project root (SQLite and media in a temporary folder, removed at the end):

    .venv/bin/python bench/question_import.py                    # 5,000 questions and 50 MB
    .venv/bin/python bench/question_import.py --questions 500 --big-mb 5   # a quick run

What it does:

1. Writes two Moodle XML files with the stdlib, question by question (never whole in memory):
   *small*, ``--questions`` questions (all of one category; single choice, multiple response,
   true/false, short answer, numeric, matching, essay, description in turn), each showing its own
   small PNG; *big*, as many questions as it takes to reach ``--big-mb`` MB, each with a larger
   PNG (distinct images: nothing is deduplicated).
2. Imports *small* with ``quizzes.importing.questions_import`` (``publish=True``, as the
   ``import_questions`` command does), then again (every question unchanged, no image stored
   again), then *big* into another category. Each import runs in a process of its own (same
   settings and database), timed, with its RSS once Django has started and its peak RSS
   (``VmHWM``) during the import: the growth is what the import costs.
3. Parses *big* alone with ``parse_moodle_xml`` under tracemalloc: the parser's own peak, which
   follows one question, not the file.

Targets: the 50 MB import's peak RSS above the start < 150 MB; the parser's peak on it < 20 MB;
the *small* import < 300 s on 2 cores; the second import changes nothing. Prints the figures and
PASS/FAIL; exits 0 unless ``--strict`` and a check fails. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import base64
import gc
import io
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import asdict, dataclass
from pathlib import Path

if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.common import Check, say, table

TARGET_BIG_RSS_MB = 150.0
TARGET_PARSE_MB = 20.0
#: About 60 ms a question with its image, on 2 shared cores (a question and an image are each
#: saved with their Wagtail reference and search index rows).
TARGET_SMALL_S = 300.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/question_import.py",
        description="Benchmark importing Moodle XML question files with embedded images.",
    )
    parser.add_argument("--questions", type=int, default=5000, help="questions in the small file")
    parser.add_argument("--big-mb", type=int, default=50, help="size of the big file in MB (50)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a check fails")
    parser.add_argument("--child-import", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# --------------------------------------------------------------------------------------------
# The files


def noise_png(rng: random.Random, side: int) -> bytes:
    """A distinct PNG of ``side`` x ``side`` random pixels (random pixels do not compress)."""
    from PIL import Image

    image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def question_xml(n: int, image: bytes) -> str:
    """Question ``n``: its type cycles through the eight the importer holds; each shows an image."""
    data = base64.encodebytes(image).decode("ascii")
    text = (
        f'<questiontext format="html"><text><![CDATA[<p>Question {n}: read the chart. '
        f'<img src="@@PLUGINFILE@@/chart-{n}.png" alt="Chart {n}: referrals by month"></p>]]>'
        f'</text><file name="chart-{n}.png" path="/" encoding="base64">{data}</file>'
        '</questiontext><generalfeedback format="html"><text>Discuss with your '
        "supervisor.</text></generalfeedback>"
    )
    name = f"<name><text>Question {n}</text></name>"
    body = [
        f'<answer fraction="100"><text>Right {n}</text><feedback><text>Yes</text></feedback>'
        f'</answer><answer fraction="0"><text>Wrong {n}</text></answer><single>true</single>',
        '<single>false</single><answer fraction="50"><text>A</text></answer>'
        '<answer fraction="50"><text>B</text></answer><answer fraction="-100"><text>C</text>'
        "</answer>",
        '<answer fraction="100"><text>true</text></answer>'
        '<answer fraction="0"><text>false</text></answer>',
        '<answer fraction="100"><text>trust</text></answer>',
        '<answer fraction="100"><text>42</text><tolerance>0.5</tolerance></answer>',
        "<subquestion><text>Listen</text><answer><text>Hear</text></answer></subquestion>"
        "<subquestion><text>Ask</text><answer><text>Question</text></answer></subquestion>",
        "<graderinfo><text>Look for empathy</text></graderinfo><minwordlimit>50</minwordlimit>",
        "",
    ]
    types = [
        "multichoice",
        "multichoice",
        "truefalse",
        "shortanswer",
        "numerical",
        "match",
        "essay",
        "description",
    ]
    kind = n % len(types)
    return f'<question type="{types[kind]}">{name}{text}{body[kind]}</question>\n'


def write_file(
    path: Path, category: str, count: int | None, target_bytes: int | None, side: int, seed: int
) -> int:
    """Write the file question by question; returns how many questions it holds."""
    rng = random.Random(seed)
    n = 0
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n')
        out.write(
            f'<question type="category"><category><text>$course$/top/{category}</text>'
            "</category></question>\n"
        )
        while (count is not None and n < count) or (
            target_bytes is not None and out.tell() < target_bytes
        ):
            out.write(question_xml(n, noise_png(rng, side)))
            n += 1
        out.write("</quiz>\n")
    return n


# --------------------------------------------------------------------------------------------
# Measuring


@dataclass
class Imported:
    """What one import, in a process of its own, did and cost."""

    created: int
    updated: int
    unchanged: int
    images: int
    errors: list[str]
    seconds: float
    baseline_mib: float
    peak_mib: float

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def growth_mib(self) -> float:
        return self.peak_mib - self.baseline_mib


def child_import(path: Path) -> int:
    """``--child-import``: start Django, note the RSS, import the file, print the figures as
    JSON. A process of its own, so that the peak is the import's and not what the parent's
    migrations left allocated."""
    import django

    django.setup()
    from quizzes.importing import questions_import

    gc.collect()
    baseline = common.rss_kib("VmRSS")
    common.rss_reset()
    started = time.perf_counter()
    with path.open("rb") as stream:
        report = questions_import(text=stream, fmt="xml", filename=path.name, publish=True)
    seconds = time.perf_counter() - started
    result = Imported(
        created=len(report.created),
        updated=len(report.updated),
        unchanged=len(report.unchanged),
        images=len(report.images_created),
        errors=[str(error) for error in report.errors[:5]],
        seconds=seconds,
        baseline_mib=baseline / 1024,
        peak_mib=common.rss_kib("VmHWM") / 1024,
    )
    print(json.dumps(asdict(result)))
    return 0


def import_file(path: Path) -> Imported:
    """Import ``path`` in a new process with this one's environment."""
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child-import", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"the import of {path} failed:\n{done.stderr}")
    return Imported(**json.loads(done.stdout.strip().splitlines()[-1]))


def parse_peak(path: Path) -> tuple[int, float]:
    """Questions parsed and the parser's tracemalloc peak (MiB)."""
    from quizzes.formats.moodle_xml import parse_moodle_xml

    gc.collect()
    tracemalloc.start()
    with path.open("rb") as stream, parse_moodle_xml(stream) as result:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return len(result.questions), peak / 2**20


def checks_for(
    args: argparse.Namespace, small_n: int, runs: list[Imported], parse_mb: float
) -> list[Check]:
    first, again, bigger = runs
    return [
        Check(
            "small.xml imported",
            f"{first.created:,} questions, {first.images:,} images",
            f"{small_n:,}, {small_n:,}",
            first.ok and first.created == small_n == first.images,
        ),
        Check(
            "small.xml import time",
            f"{first.seconds:.1f} s",
            f"< {TARGET_SMALL_S:.0f} s",
            first.seconds < TARGET_SMALL_S,
        ),
        Check(
            "imported again: nothing changes",
            f"{again.unchanged:,} unchanged, {again.images} images",
            f"{small_n:,} unchanged, 0 images",
            again.ok and again.unchanged == small_n and not again.images,
        ),
        Check(
            f"{args.big_mb} MB import: peak RSS growth",
            f"{bigger.growth_mib:.0f} MiB ({bigger.created:,} questions)",
            f"< {TARGET_BIG_RSS_MB:.0f} MiB",
            bigger.ok and bigger.growth_mib < TARGET_BIG_RSS_MB,
        ),
        Check(
            f"{args.big_mb} MB parse: tracemalloc peak",
            f"{parse_mb:.1f} MiB",
            f"< {TARGET_PARSE_MB:.0f} MiB",
            parse_mb < TARGET_PARSE_MB,
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    common.ensure_django(__file__, argv)
    if args.child_import:
        return child_import(args.child_import)
    tmp = Path(tempfile.mkdtemp(prefix="zhusan-bench-"))
    try:
        common.configure_django_environment(
            tmp, settings_module="bench.settings", db_file="db.sqlite3", cache="locmem", extra={}
        )
        import django

        django.setup()
        from django.core.management import call_command

        info = common.machine()
        say(common.machine_line("Question import benchmark", info, "SQLite"))
        say(f"Temporary folder {tmp}; load average at start: {common.load_average() or '?'}")
        timings: dict[str, float] = {}
        with common.timed(timings, "migrate"):
            call_command("migrate", verbosity=0, interactive=False)
        small, big = tmp / "small.xml", tmp / "big.xml"
        with common.timed(timings, "write the files"):
            small_n = write_file(small, "Small", args.questions, None, 12, args.seed)
            big_n = write_file(big, "Big", None, args.big_mb * 1_000_000, 56, args.seed + 1)
        say(
            f"small.xml: {small_n:,} questions, {small.stat().st_size / 1e6:.1f} MB; "
            f"big.xml: {big_n:,} questions, {big.stat().st_size / 1e6:.1f} MB"
        )
        say(table([[k, f"{v:.1f}"] for k, v in timings.items()], ["step", "seconds"]))
        runs = [import_file(small), import_file(small), import_file(big)]
        parsed, parse_mb = parse_peak(big)
        names = ["small.xml", "small.xml again", "big.xml"]
        rows = [
            [
                name,
                f"{r.seconds:.1f}",
                f"{r.created / r.seconds:.0f}" if r.created else "-",
                f"{r.baseline_mib:.0f}",
                f"{r.peak_mib:.0f}",
                f"{r.growth_mib:.0f}",
                f"{r.created}/{r.updated}/{r.unchanged}",
                str(r.images),
                str(len(r.errors)),
            ]
            for name, r in zip(names, runs, strict=True)
        ]
        header = [
            "import (own process)",
            "seconds",
            "questions/s",
            "RSS before, MiB",
            "peak RSS, MiB",
            "growth, MiB",
            "created/updated/unchanged",
            "images stored",
            "errors",
        ]
        say("\n" + table(rows, header))
        say(f"parse_moodle_xml of big.xml alone: {parsed:,} questions, peak {parse_mb:.1f} MiB")
        for run in runs:
            for error in run.errors:
                say(f"  error: {error}")
        checks = checks_for(args, small_n, runs, parse_mb)
        say("\n" + common.checks_table(checks))
        say(f"Load average at the end: {common.load_average() or '?'}")
        return 1 if args.strict and not all(c.ok for c in checks) else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
