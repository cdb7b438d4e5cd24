#!/usr/bin/env python
"""Importing Moodle XML with embedded images: 5,000 questions, then a 50 MB file.

``make bench-import``. Imports *small* (5,000 questions of the eight types, each with its own PNG
of random pixels), *small* again (nothing may change) and *big* (50 MB), each with
``questions_import`` in a process of its own, for its peak RSS; then parses *big* alone under
tracemalloc. See docs/benchmarks.md.
"""

import base64
import io
import multiprocessing
import random
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.common import Check, say

MAX_BIG_RSS_MIB = 150.0  # peak RSS growth of the 50 MB import
MAX_PARSE_MIB = 20.0  # the parser's tracemalloc peak on the 50 MB file
MAX_SMALL_S = 300.0  # the 5,000-question import (about 60 ms a question with its image)
#: A question of each type the importer reads, after its text: (type, answers and the rest).
ANSWER = '<answer fraction="{}"><text>{}</text></answer>'
SUBQUESTION = "<subquestion><text>{}</text><answer><text>{}</text></answer></subquestion>"
PARTLY = "".join(ANSWER.format(*answer) for answer in ((50, "A"), (50, "B"), (-100, "C")))
TYPES = [
    ("multichoice", ANSWER.format(100, "Yes") + ANSWER.format(0, "No") + "<single>true</single>"),
    ("multichoice", "<single>false</single>" + PARTLY),
    ("truefalse", ANSWER.format(100, "true") + ANSWER.format(0, "false")),
    ("shortanswer", ANSWER.format(100, "trust")),
    ("numerical", '<answer fraction="100"><text>42</text><tolerance>0.5</tolerance></answer>'),
    ("match", SUBQUESTION.format("Listen", "Hear") + SUBQUESTION.format("Ask", "Question")),
    ("essay", "<graderinfo><text>Look for empathy</text></graderinfo>"),
    ("description", ""),
]


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


def own_process_import(path: Path) -> dict[str, Any]:
    """In a process of its own: the RSS once Django has started, then the import's peak."""
    import django

    django.setup()
    from quizzes.importing import questions_import

    reports = []

    def run() -> None:
        with path.open("rb") as text:
            reports.append(questions_import(text=text, fmt="xml", filename=path.name, publish=True))

    memory, done = common.memory_of(run, trace=False), reports[0]
    return {
        "seconds": memory["seconds"],
        "RSS MiB": memory["before_mib"],
        "growth MiB": memory["rss_mib"],
        "created": len(done.created),
        "unchanged": len(done.unchanged),
        "images": len(done.images_created),
        "errors": [str(e) for e in done.errors[:5]],
    }


def main(argv: list[str] | None = None) -> int:
    args = common.arguments(
        __doc__,
        argv,
        ("--questions", 5000, "in the small file"),
        ("--big-mb", 50, "size of the big file"),
    )
    with common.django_run("Question import") as tmp:
        from quizzes.formats.moodle_xml import parse_moodle_xml

        small, big = tmp / "small.xml", tmp / "big.xml"
        small_n = write_file(small, "Small", 12, count=args.questions)
        big_n = write_file(big, "Big", 56, size=args.big_mb * 1_000_000)
        runs = {}
        with common.Idle() as idle:
            for label, path in (("small", small), ("small again", small), ("big", big)):
                fresh = multiprocessing.get_context("spawn")  # a new interpreter, as before
                with ProcessPoolExecutor(1, mp_context=fresh) as process:
                    runs[label] = process.submit(own_process_import, path).result()

        def parse() -> None:
            with big.open("rb") as stream, parse_moodle_xml(stream) as result:
                assert len(result.questions) == big_n

        parse_mib = common.memory_of(parse)["peak_mib"]
        rows = [
            [k, *(len(v) if f == "errors" else v for f, v in r.items())] for k, r in runs.items()
        ]
        say(common.table(rows, ["import, own process", *runs["big"]]))
        say(f"small: {small_n:,} questions; big: {big_n:,} questions, {args.big_mb} MB")
        first, again, bigger = runs.values()
        created = [first["created"], first["images"]]
        unchanged = [again["unchanged"], again["images"]]
        checks = [
            Check.equal("small: questions and images created", created, [small_n, small_n]),
            Check.below("small: seconds", first["seconds"], MAX_SMALL_S),
            Check.equal("small again: unchanged, images", unchanged, [small_n, 0]),
            Check.equal("big: created", bigger["created"], big_n),
            Check.below("big: peak RSS growth", bigger["growth MiB"], MAX_BIG_RSS_MIB, "MiB"),
            Check.below("big: the parser's peak", parse_mib, MAX_PARSE_MIB, "MiB"),
        ]
        return common.report(checks, idle, strict=args.strict)


if __name__ == "__main__":
    raise SystemExit(main())
