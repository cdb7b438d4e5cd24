#!/usr/bin/env python
"""Quiz grading: 1,000 submitted attempts of a 30-question quiz, and the quiz pages' queries.

Run from the project root with one command (nothing is written outside a temporary folder, a
throwaway database and db 13 of a local Redis):

    .venv/bin/python bench/quiz_grading.py          # SQLite: 3 to 4 minutes on an idle 2-core VM
    .venv/bin/python bench/quiz_grading.py --pg     # PostgreSQL on 127.0.0.1:5432, user postgres
    .venv/bin/python bench/quiz_grading.py --help   # options (--profile, --wait-idle, --json ...)
    make bench-quiz                                 # the first; BENCH_ARGS=--pg for the second

What it does:

1. Creates a throwaway database (SQLite in a temporary folder with ``bench.settings``, or with
   ``--pg`` a PostgreSQL database ``zhusan_bench_<pid>`` with ``bench.settings_pg``), migrates it
   and builds a fixed quiz of ``--questions`` questions (30) cycling through the eight question
   types, made with ``tests/factories/quizzes.py`` and placed on a module of a course.
2. Creates ``--learners`` learners (1,000). Each starts an attempt (``attempt_start``: snapshots,
   shuffled options) and saves answers (``attempt_save``, what autosave calls): a learner has an
   ability drawn from a beta distribution; each answer is right with that probability, else
   partly right (for the types that give partial credit, 70% of the time) or wrong, and 3% are
   left blank. Right, partial and wrong answers take the shapes learners type: "Tolerance" for
   "tolerance", "526,0" for 526.
3. Grades every attempt through ``quizzes.services.attempt_submit`` (the final submit: stores
   nothing new, grades from the snapshots, updates the learner's ``QuizResult``), one at a time
   as the submits of a cohort would arrive, timing each and counting its SQL queries. Reports
   the total, attempts per second, milliseconds per attempt (median, p95, max) and queries per
   attempt. Checks every score and every answer's status against what was generated.
4. Puts the attempts back in progress and grades them again under ``tracemalloc``: peak Python
   memory for all of them, and the same scores again.
5. The attempt page (``GET /en/learn/quizzes/attempts/<id>/``, ``django.test.Client``, signed in
   as a practitioner with every question answered) for quizzes of 5, 10, 30 and 60 questions
   (``--page-sizes``): SQL queries of a warm request, and of the summary and review pages; the
   60/5 ratio must be 1.0. Then the median time of ``--repeat`` requests of the 30-question page.

``--profile`` adds a cProfile breakdown of 200 more submits; ``--show-queries`` prints the SQL of
a submit and of the largest attempt page. It also reports the CPUs other work on the machine used
while grading (``--wait-idle`` waits for an idle machine first), with helpers shared by the other
benchmarks (``bench/common.py``).

Prints the figures, the machine and the commit, and PASS/FAIL; exits 0 whatever the figures unless
``--strict`` is given (then 1 when a check fails). See ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

# Run as a script, Python puts bench/ on sys.path, not the project root that holds the package.
if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.common import Check, say, table

#: What a generated answer is meant to be, and the credit it earns with the factories' questions
#: (every question is worth one mark; a partial answer is half right for each type that has one).
EXPECTED_FRACTION = {
    "right": Decimal(1),
    "partial": Decimal("0.5"),
    "wrong": Decimal(0),
    "blank": Decimal(0),
}
EXPECTED_STATUS = {
    "right": "correct",
    "partial": "partial",
    "wrong": "incorrect",
    "blank": "unanswered",
}
PARTIAL_KINDS = {"multiple_response", "matching", "ordering"}
BLANK_SHARE = 0.03
#: Of the answers not right to a question that gives partial credit, those partly right.
PARTIAL_SHARE = 0.7
ABILITY = (4.0, 1.5)  # beta distribution of the chance to answer right: mean 0.73


# --------------------------------------------------------------------------------------------
# Command line


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/quiz_grading.py",
        description=(
            "Benchmark quiz grading: N learners each submit an attempt at a quiz of Q questions "
            "of all eight types, graded one by one through quizzes.services.attempt_submit; and "
            "the SQL queries of the attempt, summary and review pages for quizzes of several "
            "sizes. SQLite in a temporary folder, or PostgreSQL with --pg (a throwaway "
            "database, dropped at the end)."
        ),
        epilog=(
            "Checks: every score and answer status as generated; the same number of queries for "
            "every submit; the same scores when graded again; the same number of queries on the "
            "attempt, summary and review pages whatever the number of questions (ratio 1.0). "
            "Times and memory are reported without a target. Exit status is 0 unless --strict "
            "is given and a check fails."
        ),
    )
    parser.add_argument(
        "--learners", type=int, default=1000, metavar="N", help="attempts to grade (1000)"
    )
    parser.add_argument(
        "--questions", type=int, default=30, metavar="N", help="questions in the quiz (30)"
    )
    parser.add_argument(
        "--page-sizes",
        default="5,10,30,60",
        metavar="N,N,...",
        help="quiz sizes whose pages' queries are counted; the first and the last are compared "
        "(5,10,30,60)",
    )
    parser.add_argument(
        "--page-timed",
        type=int,
        default=30,
        metavar="N",
        help="the quiz size whose attempt page is timed (30)",
    )
    parser.add_argument(
        "--repeat", type=int, default=30, metavar="N", help="timed page requests (30)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed for the answers (1)")
    parser.add_argument(
        "--pg", action="store_true", help="run on PostgreSQL (a throwaway database)"
    )
    common.add_postgres_options(parser)
    common.add_cache_option(parser, locmem="locmem")
    common.add_report_options(
        parser,
        profile_n=200,
        profile_help="cProfile N more submits (default N=200) and print where the time goes",
        show_queries_help="print the SQL of one submit and of the largest attempt page",
    )
    common.add_wait_idle_option(
        parser,
        help_text="after building the data, wait up to SECONDS for the machine to be idle (under "
        "0.15 busy CPUs over 2 s) before grading; for shared machines (default 0: do not wait)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a check fails")
    args = parser.parse_args(argv)
    try:
        args.sizes = sorted({int(n) for n in args.page_sizes.split(",")})
    except ValueError:
        parser.error("--page-sizes: numbers separated by commas")
    if min(args.learners, args.questions, args.repeat, *args.sizes) < 1:
        parser.error("--learners, --questions, --repeat and the page sizes must be >= 1")
    if len(args.sizes) < 2:
        parser.error("--page-sizes: at least two sizes, to compare")
    if args.page_timed not in args.sizes:
        args.sizes = sorted({*args.sizes, args.page_timed})
    return args


# --------------------------------------------------------------------------------------------
# The database


def configure(tmp: Path, cache: str, db: common.PostgresDatabase | None) -> None:
    """Point Django at SQLite in ``tmp`` or at the throwaway PostgreSQL database."""
    common.configure_django_environment(
        tmp,
        settings_module="bench.settings_pg" if db else "bench.settings",
        db_file="db.sqlite3",
        cache=cache,
        # One connection for the whole run, as a worker keeps between requests.
        extra={"DB_CONN_MAX_AGE": "3600", **(db.environment() if db else {})},
    )


# --------------------------------------------------------------------------------------------
# Data: quizzes, learners, attempts and their answers


def make_quiz(questions: int, module_title: str, course: Any) -> Any:
    """A fixed quiz of ``questions`` questions cycling through the eight types, placed on a new
    module of ``course`` (a learner may only open a quiz placed on a live page)."""
    from quizzes.models import QuestionCategory, QuestionType
    from tests.factories import ModulePageFactory
    from tests.factories.quizzes import make_question, place_on_module
    from tests.factories.quizzes import make_quiz as factory_quiz

    kinds = list(QuestionType.values)
    category, _created = QuestionCategory.objects.get_or_create(name=f"Bench/{module_title}")
    bank = [make_question(kinds[i % len(kinds)], category=category) for i in range(questions)]
    quiz = factory_quiz(bank, title=f"{module_title}: {questions} questions", pass_mark=80)
    place_on_module(quiz, ModulePageFactory(parent=course, title=module_title))
    return quiz


def response_for(snapshot: dict[str, Any], layout: dict[str, Any], meant: str) -> Any:
    """A response to one question that is ``meant`` to be right, partly right, wrong or blank,
    in the shape the attempt form posts (see ``services.responses_from_post``)."""
    if meant == "blank":
        return None
    right = meant == "right"
    kind, options = snapshot["kind"], snapshot["options"]
    weight = {o["id"]: Decimal(o["weight"]) for o in options}
    if kind in ("single_choice", "scenario"):
        wanted = [oid for oid in layout["options"] if (weight[oid] == 100) == right]
        return {"choice": wanted[0]}
    if kind == "multiple_response":
        positive = [oid for oid in layout["options"] if weight[oid] > 0]
        negative = [oid for oid in layout["options"] if weight[oid] <= 0]
        choices = {"right": positive, "partial": positive[:1], "wrong": negative}[meant]
        return {"choices": choices}
    if kind == "true_false":
        answer = snapshot["correct"] if right else not snapshot["correct"]
        return {"choice": "true" if answer else "false"}
    if kind == "short_answer":
        accepted = next(o["text"] for o in options if weight[o["id"]] == 100)
        return {"text": f" {accepted.capitalize()}" if right else "patience"}
    if kind == "numeric":
        value = Decimal(next(o["value"] for o in options if weight[o["id"]] == 100))
        return {"text": f"{value:f},0" if right else f"{value + 36:f}"}
    if kind == "matching":
        prompts = [o for o in options if o["text"]]
        offered = layout["answers"]

        def other(match: str) -> str:
            return next(text for text in offered if text != match)

        keep = {"right": len(prompts), "partial": 1, "wrong": 0}[meant]
        return {
            "matches": {
                o["id"]: o["match"] if i < keep else other(o["match"])
                for i, o in enumerate(prompts)
            }
        }
    if kind == "ordering":
        order = [o["id"] for o in options]  # the snapshot lists the items in the right order
        return {"order": {"right": order, "partial": order[1:] + order[:1], "wrong": order[::-1]}[
            meant
        ]}  # fmt: skip
    raise ValueError(kind)


def meant_answers(kinds: list[str], rng: random.Random) -> list[str]:
    """What one learner's answers are meant to be, by the learner's ability."""
    ability = rng.betavariate(*ABILITY)
    meant = []
    for kind in kinds:
        if rng.random() < BLANK_SHARE:
            meant.append("blank")
        elif rng.random() < ability:
            meant.append("right")
        elif kind in PARTIAL_KINDS and rng.random() < PARTIAL_SHARE:
            meant.append("partial")
        else:
            meant.append("wrong")
    return meant


def expected_score(meant: list[str]) -> Decimal:
    """The percentage the answers should earn (every question is worth one mark)."""
    points = sum((EXPECTED_FRACTION[m] for m in meant), Decimal(0))
    return (points * 100 / len(meant)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass
class Data:
    quiz: Any
    course: Any
    meant: dict[int, list[str]]  # attempt id -> what each answer is meant to be
    timings: dict[str, float] = field(default_factory=dict)
    start_ms: list[float] = field(default_factory=list)
    start_queries: list[int] = field(default_factory=list)
    save_ms: list[float] = field(default_factory=list)
    save_queries: list[int] = field(default_factory=list)


class QueryCounter:
    """Counts the SQL queries run through Django's connection (``connection.execute_wrapper``);
    costs a function call per query, unlike the debug cursor that keeps every statement."""

    def __init__(self) -> None:
        self.count = 0
        self.statements: list[str] | None = None  # set to a list to keep the SQL

    def __call__(self, execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        self.count += 1
        if self.statements is not None:
            self.statements.append(sql)
        return execute(sql, *args)

    @contextlib.contextmanager
    def installed(self) -> Iterator[QueryCounter]:
        from django.db import connection

        with connection.execute_wrapper(self):
            yield self


@contextlib.contextmanager
def timed(timings: dict[str, float], label: str) -> Iterator[None]:
    t = time.perf_counter()
    yield
    timings[label] = time.perf_counter() - t


def build(args: argparse.Namespace) -> Data:
    """Migrate; the quiz; the learners; an attempt each with its answers saved."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
    from django.core.management import call_command

    timings: dict[str, float] = {}
    with timed(timings, "migrate"):
        call_command("migrate", verbosity=0, interactive=False)

    from quizzes.models import AttemptAnswer
    from quizzes.services import attempt_save, attempt_start
    from tests.factories import CoursePageFactory

    with timed(timings, f"course and the {args.questions}-question quiz (factories)"):
        course = CoursePageFactory(title="Quiz grading", slug="quiz-grading")
        quiz = make_quiz(args.questions, "Graded module", course)

    user_model = get_user_model()
    with timed(timings, f"{args.learners} learners (bulk_create)"):
        users = user_model.objects.bulk_create(
            [
                user_model(
                    username=f"learner{i:05d}",
                    email=f"learner{i:05d}@example.org",
                    password=UNUSABLE_PASSWORD_PREFIX,
                )
                for i in range(args.learners)
            ],
            batch_size=2000,
        )

    rng = random.Random(args.seed)
    data = Data(quiz=quiz, course=course, meant={}, timings=timings)
    counter = QueryCounter()
    with timed(timings, "attempt_start and attempt_save, each learner"), counter.installed():
        for user in users:
            before, t = counter.count, time.perf_counter()
            attempt = attempt_start(user=user, quiz=quiz, rng=rng)
            data.start_ms.append((time.perf_counter() - t) * 1000)
            data.start_queries.append(counter.count - before)
            answers = list(AttemptAnswer.objects.filter(attempt=attempt).order_by("position"))
            meant = meant_answers([a.snapshot["kind"] for a in answers], rng)
            responses = {
                a.position: response_for(a.snapshot, a.layout, m)
                for a, m in zip(answers, meant, strict=True)
            }
            before, t = counter.count, time.perf_counter()
            attempt_save(attempt=attempt, responses=responses)
            data.save_ms.append((time.perf_counter() - t) * 1000)
            data.save_queries.append(counter.count - before)
            data.meant[attempt.pk] = meant
    if args.pg:
        from django.db import connection

        with timed(timings, "VACUUM ANALYZE"), connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return data


# --------------------------------------------------------------------------------------------
# Grading


def in_progress(quiz: Any) -> list[Any]:
    from quizzes.models import Attempt, AttemptState

    return list(Attempt.objects.filter(quiz=quiz, state=AttemptState.IN_PROGRESS).order_by("pk"))


def grade_all(attempts: list[Any], counter: QueryCounter | None = None) -> dict[str, Any]:
    """Submit every attempt, one at a time; times (ms) and queries of each."""
    from quizzes.services import attempt_submit

    times: list[float] = []
    queries: list[int] = []
    graded = 0
    counter = counter or QueryCounter()
    with counter.installed():
        started = time.perf_counter()
        for attempt in attempts:
            before, t = counter.count, time.perf_counter()
            _attempt, did_grade = attempt_submit(attempt=attempt)
            times.append((time.perf_counter() - t) * 1000)
            queries.append(counter.count - before)
            graded += did_grade
        total = time.perf_counter() - started
    return {"total_s": total, "ms": times, "queries": queries, "graded": graded}


def reopen(quiz: Any) -> None:
    """Put every attempt of ``quiz`` back in progress and forget the results, to grade again."""
    from quizzes.models import Attempt, AttemptAnswer, AttemptState, QuizResult

    Attempt.objects.filter(quiz=quiz).update(
        state=AttemptState.IN_PROGRESS,
        finished_at=None,
        points=None,
        max_points=0,
        score=None,
        passed=None,
        closed_at_deadline=False,
    )
    AttemptAnswer.objects.filter(attempt__quiz=quiz).update(fraction=None, status="")
    QuizResult.objects.filter(quiz=quiz).delete()


def verify(data: Data) -> dict[str, Any]:
    """Compare the grades with what the answers were meant to earn."""
    from quizzes.models import Attempt, AttemptAnswer, QuizResult

    scores = dict(Attempt.objects.filter(quiz=data.quiz).values_list("pk", "score"))
    passed = dict(Attempt.objects.filter(quiz=data.quiz).values_list("pk", "passed"))
    wrong_scores = [
        pk for pk, meant in data.meant.items() if scores.get(pk) != expected_score(meant)
    ]
    wrong_passed = [
        pk for pk, meant in data.meant.items() if passed.get(pk) != (expected_score(meant) >= 80)
    ]
    statuses = list(
        AttemptAnswer.objects.filter(attempt__quiz=data.quiz).values_list(
            "attempt_id", "position", "status"
        )
    )
    wrong_statuses = [
        (attempt_id, position, status)
        for attempt_id, position, status in statuses
        if status != EXPECTED_STATUS[data.meant[attempt_id][position - 1]]
    ]
    results = list(QuizResult.objects.filter(quiz=data.quiz).values_list("user_id", "grade"))
    by_user = dict(Attempt.objects.filter(quiz=data.quiz).values_list("user_id", "score"))
    meant_all = Counter(m for meant in data.meant.values() for m in meant)
    graded = [s for s in scores.values() if s is not None]
    return {
        "scores": scores,
        "wrong_scores": wrong_scores,
        "wrong_passed": wrong_passed,
        "answers": len(statuses),
        "wrong_statuses": wrong_statuses,
        "results": len(results),
        "results_match": all(by_user.get(user_id) == grade for user_id, grade in results),
        "meant": dict(meant_all),
        "passed": sum(1 for p in passed.values() if p),
        "mean_score": float(statistics.fmean(graded)) if graded else 0.0,
    }


def one_row_writes(quiz: Any, n: int = 200) -> float:
    """Median ms of a write transaction of one row (an UPDATE of an attempt, autocommit): the
    floor of any submit on this database, which writes in one transaction."""
    from django.utils import timezone

    from quizzes.models import Attempt

    pk = Attempt.objects.filter(quiz=quiz).order_by("pk").values_list("pk", flat=True)[0]
    times = []
    for _ in range(n):
        t = time.perf_counter()
        Attempt.objects.filter(pk=pk).update(saved_at=timezone.now())
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


#: Where a submit spends its time, for ``--profile``: (label, file suffix, function name).
PROFILE_PARTS = [
    ("attempt_submit (the whole submit)", "quizzes/services.py", "attempt_submit"),
    ("  _finish: grade and store", "quizzes/services.py", "_finish"),
    ("    score (one call per answer)", "quizzes/scoring.py", "score"),
    ("    bulk_update of the answers", "django/db/models/query.py", "bulk_update"),
    ("    update_result (QuizResult)", "quizzes/services.py", "update_result"),
    ("  refresh_from_db", "django/db/models/base.py", "refresh_from_db"),
    ("ORM: evaluating querysets (SQL + rows)", "django/db/models/query.py", "_fetch_all"),
    ("  JSON of snapshots and responses (json.loads)", "json/__init__.py", "loads"),
    ("SQL execution (cursor execute)", "django/db/backends/utils.py", "_execute"),
    ("commit", "django/db/backends/base/base.py", "commit"),
]


def profile_submits(quiz: Any, n: int) -> str:
    """cProfile ``n`` submits (the quiz's attempts put back in progress first)."""
    from quizzes.services import attempt_submit

    reopen(quiz)
    pending = iter(in_progress(quiz)[:n])
    return common.profile_breakdown(
        lambda: attempt_submit(attempt=next(pending)),
        n,
        PROFILE_PARTS,
        what="submits",
        ms_digits=2,
        top_tottime=20,
    )


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of ``values`` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


class OtherCpu:
    """CPUs the rest of the machine used while a block ran: the machine's busy time
    (``/proc/stat``) less this process's (and with PostgreSQL, its backend's)."""

    def __init__(self, pg: bool) -> None:
        self.backend = 0
        if pg:
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.backend = int(cursor.fetchone()[0])
        self.cpus = 0.0
        self.app_seconds = 0.0

    def _app(self) -> float:
        backend = common.process_cpu_seconds(self.backend) if self.backend else 0.0
        return time.process_time() + backend

    @contextlib.contextmanager
    def watch(self) -> Iterator[None]:
        busy, app, t = common.machine_busy_seconds(), self._app(), time.perf_counter()
        yield
        wall = time.perf_counter() - t
        self.app_seconds = self._app() - app
        other = (common.machine_busy_seconds() - busy) - self.app_seconds
        self.cpus = max(0.0, other / wall) if wall else 0.0


# --------------------------------------------------------------------------------------------
# The quiz pages


def page_figures(args: argparse.Namespace, course: Any, rng: random.Random) -> dict[str, Any]:
    """Warm query counts of the attempt, summary and review pages for each quiz size, and the
    timed attempt page."""
    from django.test import Client
    from django.urls import reverse
    from django.utils import translation

    from quizzes.models import AttemptAnswer
    from quizzes.services import attempt_save, attempt_start, attempt_submit
    from tests.factories import practitioner

    learner = practitioner(username="bench-page-learner")
    client = Client()
    client.force_login(learner)
    counter = QueryCounter()
    result: dict[str, Any] = {"sizes": {}, "sql": []}

    def get(url: str, keep_sql: bool = False) -> tuple[int, float, int]:
        """Queries, seconds and bytes of a GET (which must answer 200)."""
        counter.statements = [] if keep_sql else None
        before, t = counter.count, time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - t
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}; cannot benchmark it.")
        if keep_sql:
            result["sql"] = counter.statements or []
        return counter.count - before, elapsed, len(response.content)

    with counter.installed(), translation.override("en"):
        for size in args.sizes:
            quiz = make_quiz(size, f"Page module {size}", course)
            attempt = attempt_start(user=learner, quiz=quiz, rng=rng)
            answers = list(AttemptAnswer.objects.filter(attempt=attempt).order_by("position"))
            # Every question answered, right or partly right: checked options, filled fields.
            attempt_save(
                attempt=attempt,
                responses={
                    a.position: response_for(
                        a.snapshot,
                        a.layout,
                        "partial" if a.snapshot["kind"] in PARTIAL_KINDS else "right",
                    )
                    for a in answers
                },
            )
            urls = {
                name: reverse(f"quizzes:{name}", args=[attempt.pk])
                for name in ("attempt", "summary", "review")
            }
            figures: dict[str, Any] = {}
            for name in ("attempt", "summary"):
                get(urls[name])  # warm: this process has rendered the page once
                figures[name], _s, figures[f"{name}_bytes"] = get(
                    urls[name], keep_sql=name == "attempt" and size == max(args.sizes)
                )
            if size == args.page_timed:
                times = [get(urls["attempt"])[1] * 1000 for _ in range(args.repeat)]
                result["timed"] = {
                    "size": size,
                    "median_ms": statistics.median(times),
                    "min_ms": min(times),
                    "p95_ms": percentile(times, 0.95),
                    "bytes": figures["attempt_bytes"],
                }
            attempt_submit(attempt=attempt)
            get(urls["review"])
            figures["review"], _s, figures["review_bytes"] = get(urls["review"])
            result["sizes"][size] = figures
    return result


# --------------------------------------------------------------------------------------------
# Main


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    common.ensure_django(__file__, argv)
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="zhusan-bench-"))
    db = common.PostgresDatabase(args) if args.pg else None
    cache = ""
    try:
        cache, why = common.choose_cache(args.cache)
        flushed = common.flush_redis() if cache == "redis" else 0
        engine = "SQLite"
        if db:
            engine = f"PostgreSQL {db.create_or_exit()}"
        configure(tmp, cache, db)
        import django

        django.setup()
        import sqlite3

        from django.conf import settings

        if not db:
            engine = f"SQLite {sqlite3.sqlite_version}"
        info = common.machine()
        say(common.machine_line("Quiz grading benchmark", info, engine))
        where = f"database {db.name} (dropped at the end)" if db else f"temporary folder {tmp}"
        say(f"{where.capitalize()}; load average at start: {common.load_average() or 'unknown'}")
        backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[1]
        say(f"Cache: {backend} ({why}" + (f"; db 13 flushed, {flushed} keys)" if flushed else ")"))

        # 1 and 2. Data.
        say(
            f"\nBuilding: a quiz of {args.questions} questions (all eight types), "
            f"{args.learners} learners, an attempt each with its answers saved ..."
        )
        data = build(args)
        say(table([[k, f"{v:.1f}"] for k, v in data.timings.items()], ["step", "seconds"]))
        say(
            f"attempt_start: median {statistics.median(data.start_ms):.1f} ms, "
            f"{statistics.median(data.start_queries):.0f} queries; attempt_save of "
            f"{args.questions} answers: median {statistics.median(data.save_ms):.1f} ms, "
            f"{statistics.median(data.save_queries):.0f} queries"
        )
        if args.wait_idle:
            common.wait_for_idle_verbosely(args.wait_idle, blank_line=True)

        # 3. Grading.
        say(f"\nGrading {args.learners} attempts, one attempt_submit each ...")
        attempts = in_progress(data.quiz)
        other = OtherCpu(args.pg)
        sample = QueryCounter()
        with other.watch():
            grading = grade_all(attempts, sample)
        check = verify(data)
        floor_ms = one_row_writes(data.quiz)
        n = len(grading["ms"])
        queries = grading["queries"]
        say(
            table(
                [
                    ["total", f"{grading['total_s']:.2f} s", ""],
                    ["attempts per second", f"{n / grading['total_s']:.0f}", ""],
                    ["ms per attempt, median", f"{statistics.median(grading['ms']):.2f}",
                     f"min {min(grading['ms']):.2f}"],
                    ["ms per attempt, p95", f"{percentile(grading['ms'], 0.95):.2f}",
                     f"max {max(grading['ms']):.2f}"],
                    ["queries per attempt", f"{statistics.median(queries):.0f}",
                     f"min {min(queries)}, max {max(queries)}"],
                    ["reference: one-row write transaction, ms", f"{floor_ms:.2f}",
                     "median of 200 (the floor of a submit)"],
                    ["CPU of this process" + (" and its PostgreSQL backend" if args.pg else ""),
                     f"{other.app_seconds:.2f} s",
                     f"{other.app_seconds / grading['total_s']:.0%} of the wall time"],
                ],
                ["measure", "figure", "detail"],
            )
        )  # fmt: skip
        meant = check["meant"]
        total_answers = sum(meant.values())
        say(
            f"Answers as generated: {total_answers:,} ("
            + ", ".join(f"{k} {meant.get(k, 0) / total_answers:.0%}" for k in EXPECTED_STATUS)
            + f"); {check['passed']} of {n} attempts passed (pass mark 80%), mean score "
            f"{check['mean_score']:.1f}%; {check['results']} quiz results"
        )
        if args.show_queries:
            one = QueryCounter()
            one.statements = []
            reopen(data.quiz)
            grade_all(in_progress(data.quiz)[:1], one)
            say(f"\nSQL of one submit ({len(one.statements)} queries):")
            for i, sql_text in enumerate(one.statements, 1):
                say(f"  {i:2d}. {sql_text[:300]}")
            grade_all(in_progress(data.quiz))

        # 4. Again, under tracemalloc.
        say(f"\nGrading the {n} attempts again under tracemalloc (slower: for the memory) ...")
        reopen(data.quiz)
        attempts = in_progress(data.quiz)
        memory = common.memory_of(lambda: grade_all(attempts))
        again = verify(data)
        say(
            f"Peak Python memory (tracemalloc): {memory['tracemalloc_peak_mib']:.1f} MiB; "
            f"peak RSS over before: {memory['rss_peak_over_before_mib']:.1f} MiB; "
            f"{memory['seconds_under_tracemalloc']:.1f} s under tracemalloc"
        )

        # 5. Pages.
        say(f"\nQuiz pages (django.test.Client, signed in; warm); sizes {args.sizes} ...")
        pages = page_figures(args, data.course, random.Random(args.seed))
        sizes = pages["sizes"]
        smallest, largest = min(sizes), max(sizes)
        say(
            table(
                [
                    [f"{size} questions", str(f["attempt"]), str(f["summary"]), str(f["review"]),
                     f"{f['attempt_bytes']:,}"]
                    for size, f in sizes.items()
                ]
                + [
                    [f"ratio {largest}/{smallest}",
                     *(f"{sizes[largest][k] / sizes[smallest][k]:.2f}"
                       for k in ("attempt", "summary", "review")), ""]
                ],
                ["quiz", "attempt page", "summary", "review", "attempt page bytes"],
            )
        )  # fmt: skip
        timed_page = pages["timed"]
        say(
            f"Attempt page, {timed_page['size']} questions: median {timed_page['median_ms']:.1f} "
            f"ms of {args.repeat} (min {timed_page['min_ms']:.1f}, p95 "
            f"{timed_page['p95_ms']:.1f}), {timed_page['bytes']:,} bytes"
        )
        if args.show_queries:
            say(f"\nSQL of the {largest}-question attempt page ({len(pages['sql'])} queries):")
            for i, sql_text in enumerate(pages["sql"], 1):
                say(f"  {i:2d}. {sql_text[:300]}")

        # Checks.
        ratio = sizes[largest]["attempt"] / sizes[smallest]["attempt"]
        checks = [
            Check(
                "every attempt graded once",
                f"{grading['graded']} of {n}",
                f"{args.learners} of {args.learners}",
                grading["graded"] == n == args.learners,
            ),
            Check(
                "scores and pass/fail as the answers were meant",
                f"{n - len(check['wrong_scores'])} right, {len(check['wrong_passed'])} pass/fail "
                "wrong",
                f"{n} right, 0 wrong",
                not check["wrong_scores"] and not check["wrong_passed"],
            ),
            Check(
                "answer statuses as meant",
                f"{check['answers'] - len(check['wrong_statuses']):,} of {check['answers']:,}",
                f"{args.learners * args.questions:,}",
                not check["wrong_statuses"] and check["answers"] == args.learners * args.questions,
            ),
            Check(
                "quiz results: one per learner, grade = score",
                f"{check['results']}, {'equal' if check['results_match'] else 'differ'}",
                f"{n}, equal",
                check["results"] == n and check["results_match"],
            ),
            Check(
                "queries per submit",
                f"{min(queries)} to {max(queries)}",
                "the same for every attempt",
                min(queries) == max(queries),
            ),
            Check(
                "graded again: the same scores",
                "same" if again["scores"] == check["scores"] else "different",
                "same",
                again["scores"] == check["scores"],
            ),
            Check(
                f"attempt page queries, {largest} / {smallest} questions",
                f"{sizes[largest]['attempt']} / {sizes[smallest]['attempt']} = {ratio:.2f}",
                "1.00",
                ratio == 1.0,
            ),
            Check(
                "summary and review page queries, whatever the size",
                ", ".join(f"{f['summary']}/{f['review']}" for f in sizes.values()),
                "equal",
                len({f["summary"] for f in sizes.values()}) == 1
                and len({f["review"] for f in sizes.values()}) == 1,
            ),
        ]
        for label in ("wrong_scores", "wrong_passed", "wrong_statuses"):
            if check[label]:
                wrong = check[label]
                say(f"{label.replace('_', ' ')} (first 5 of {len(wrong)}): {wrong[:5]}")
        say(f"\nOther work on the machine while grading: {other.cpus:.2f} CPUs")
        if other.cpus > 0.25:
            say(
                "WARNING: other work used more than 0.25 CPUs while grading; the times are "
                "higher than on an idle machine. Run again when it is idle (--wait-idle)."
            )
        say("\nChecks")
        say(common.checks_table(checks))
        profile = ""
        if args.profile:
            n_profiled = min(args.profile, n)
            say(f"\nProfiling {n_profiled} submits (cProfile) ...")
            profile = profile_submits(data.quiz, n_profiled)
            say(profile)
        elapsed = time.perf_counter() - started
        say(f"\nDone in {elapsed:.0f} s.")

        if args.json:
            args.json.write_text(
                json.dumps(
                    {
                        "machine": info,
                        "database": engine,
                        "cache": backend,
                        "args": {k: str(v) for k, v in vars(args).items()},
                        "setup": data.timings,
                        "start_median_ms": statistics.median(data.start_ms),
                        "save_median_ms": statistics.median(data.save_ms),
                        "grading": {
                            "attempts": n,
                            "total_s": grading["total_s"],
                            "per_second": n / grading["total_s"],
                            "median_ms": statistics.median(grading["ms"]),
                            "p95_ms": percentile(grading["ms"], 0.95),
                            "max_ms": max(grading["ms"]),
                            "queries": statistics.median(queries),
                            "one_row_write_ms": floor_ms,
                            "cpu_s": other.app_seconds,
                            "other_cpus": other.cpus,
                        },
                        "answers": check["meant"],
                        "passed": check["passed"],
                        "mean_score": check["mean_score"],
                        "memory": memory,
                        "pages": {str(k): v for k, v in sizes.items()},
                        "timed_page": timed_page,
                        "checks": [asdict(c) for c in checks],
                        "seconds": elapsed,
                    },
                    indent=2,
                )
            )
        return 1 if args.strict and not all(c.ok for c in checks) else 0
    finally:
        if db:
            try:
                db.drop()
            except Exception as exc:  # noqa: BLE001 - report, and still clean up the rest
                say(f"Could not drop database {db.name}: {exc}")
        if cache == "redis":
            with contextlib.suppress(Exception):
                common.flush_redis()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    # A SIGTERM unwinds through the finally block (the database is dropped), as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
