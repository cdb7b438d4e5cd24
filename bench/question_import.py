#!/usr/bin/env python
"""Importing Moodle XML with embedded images: 5,000 questions, then a 50 MB file.

``make bench-import``. Writes *small* (5,000 questions of the eight types, each with its own
12x12 PNG) and *big* (50 MB of questions with 56x56 PNGs of random pixels, so nothing is
deduplicated); imports *small*, *small* again (nothing may change) and *big*, each with
``questions_import`` in a process of its own, for its peak RSS; then parses *big* alone under
tracemalloc. Production settings on PostgreSQL; see docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.common import Check, say

MAX_BIG_RSS_MIB = 150.0  # peak RSS growth of the 50 MB import
MAX_PARSE_MIB = 20.0  # the parser's tracemalloc peak on the 50 MB file
MAX_SMALL_S = 300.0  # the 5,000-question import (about 60 ms a question with its image)
#: A question of each type the importer reads, after its text: (type, answers and the rest).
TYPES = [
    ("multichoice", '<answer fraction="100"><text>Yes</text></answer><answer fraction="0"><text>No'
     "</text></answer><single>true</single>"),
    ("multichoice", '<single>false</single><answer fraction="50"><text>A</text></answer><answer '
     'fraction="50"><text>B</text></answer><answer fraction="-100"><text>C</text></answer>'),
    ("truefalse", '<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>'
     "false</text></answer>"),
    ("shortanswer", '<answer fraction="100"><text>trust</text></answer>'),
    ("numerical", '<answer fraction="100"><text>42</text><tolerance>0.5</tolerance></answer>'),
    ("match", "<subquestion><text>Listen</text><answer><text>Hear</text></answer></subquestion>"
     "<subquestion><text>Ask</text><answer><text>Question</text></answer></subquestion>"),
    ("essay", "<graderinfo><text>Look for empathy</text></graderinfo>"),
    ("description", ""),
]  # fmt: skip


def write_file(path: Path, category: str, side: int, *, count: int = 0, size: int = 0) -> int:
    """``count`` questions, or as many as make ``size`` bytes, each with a distinct PNG of
    ``side`` x ``side`` random pixels; written question by question. Returns the count."""
    from PIL import Image

    rng, n = random.Random(side), 0
    with path.open("w", encoding="utf-8") as out:
        out.write(
            f'<?xml version="1.0"?>\n<quiz><question type="category"><category><text>'
            f"$course$/top/{category}</text></category></question>\n"
        )
        while n < count or out.tell() < size:
            png = io.BytesIO()
            Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3)).save(png, "PNG")
            kind, body = TYPES[n % len(TYPES)]
            out.write(
                f'<question type="{kind}"><name><text>Question {n}</text></name><questiontext '
                f'format="html"><text><![CDATA[<p>Question {n}: read the chart. <img '
                f'src="@@PLUGINFILE@@/chart-{n}.png" alt="Chart {n}"></p>]]></text><file '
                f'name="chart-{n}.png" path="/" encoding="base64">'
                f"{base64.b64encode(png.getvalue()).decode()}</file></questiontext>{body}</question>\n"
            )
            n += 1
        out.write("</quiz>\n")
    return n


def child_import(path: Path) -> None:
    """In a process of its own: the RSS once Django has started, then the import's peak."""
    import django

    django.setup()
    from quizzes.importing import questions_import

    before = common.status_kib()["VmRSS"]
    common.rss_reset()
    t = time.perf_counter()
    with path.open("rb") as stream:
        report = questions_import(text=stream, fmt="xml", filename=path.name, publish=True)
    growth = (common.status_kib()["VmHWM"] - before) / 1024
    print(json.dumps({
        "seconds": time.perf_counter() - t, "RSS MiB": before / 1024, "growth MiB": growth,
        "created": len(report.created), "unchanged": len(report.unchanged),
        "images": len(report.images_created), "errors": [str(e) for e in report.errors[:5]],
    }))  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--questions", type=int, default=5000, help="in the small file (5000)")
    parser.add_argument("--big-mb", type=int, default=50, help="size of the big file (50)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a check fails")
    parser.add_argument("--child-import", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_import:
        return child_import(args.child_import) or 0
    with common.django_run("Question import") as tmp:
        from quizzes.formats.moodle_xml import parse_moodle_xml

        small, big = tmp / "small.xml", tmp / "big.xml"
        small_n = write_file(small, "Small", 12, count=args.questions)
        big_n = write_file(big, "Big", 56, size=args.big_mb * 1_000_000)
        runs = {}
        with common.Idle() as idle:
            for label, path in (("small", small), ("small again", small), ("big", big)):
                command = [sys.executable, __file__, "--child-import", str(path)]
                done = subprocess.run(command, capture_output=True, text=True, check=True)
                runs[label] = json.loads(done.stdout.splitlines()[-1])

        def parse() -> None:
            with big.open("rb") as stream, parse_moodle_xml(stream) as result:
                assert len(result.questions) == big_n

        parse_mib = common.memory_of(parse)["peak_mib"]
        rows = [
            [label, *(len(v) if k == "errors" else v for k, v in r.items())]
            for label, r in runs.items()
        ]
        say(common.table(rows, ["import, own process", *runs["big"]]))
        say(f"small: {small_n:,} questions; big: {big_n:,} questions, {args.big_mb} MB")
        first, again, bigger = runs.values()
        checks = [
            Check.equal("small: questions and images created", [first["created"], first["images"]],
                        [small_n, small_n]),
            Check.below("small: seconds", first["seconds"], MAX_SMALL_S),
            Check.equal("small again: unchanged, images", [again["unchanged"], again["images"]],
                        [small_n, 0]),
            Check.equal("big: created", bigger["created"], big_n),
            Check.below("big: peak RSS growth", bigger["growth MiB"], MAX_BIG_RSS_MIB, "MiB"),
            Check.below("big: the parser's peak", parse_mib, MAX_PARSE_MIB, "MiB"),
        ]  # fmt: skip
        return common.report(checks, idle, strict=args.strict)


if __name__ == "__main__":
    raise SystemExit(main())
