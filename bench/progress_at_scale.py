#!/usr/bin/env python
"""Progress at scale: the cohort table, course-wide completion and the dashboard's summary tables
with 10,000 learners.

Run from the project root with one command (PostgreSQL on 127.0.0.1:5432, user postgres; nothing
is written outside a throwaway database, a temporary folder and db 13 of a local Redis):

    .venv/bin/python bench/progress_at_scale.py            # 30 to 50 s on an idle 2-core machine
    .venv/bin/python bench/progress_at_scale.py --help

What it does:

1. Creates a throwaway PostgreSQL database ``zhusan_bench_<pid>`` (settings
   ``bench.settings_pg``), migrates it, and generates the data: one course of ``--lessons``
   lessons (40 by default, in 4 modules) made with the page factories of ``tests/factories``;
   ``--learners`` learners (10,000) with profiles spread evenly over the 20 ISO 3166-2:KZ regions
   and the 10 specialties, every one enrolled in the course (a few left it); one
   ``LessonProgress`` row per lesson a learner completed, in course order (4 in 5 learners
   completed every lesson, the others a random number from 0 to all but one; one row per learner
   and lesson at most, so learners x lessons = 400,000 is the ceiling), written with PostgreSQL's
   ``COPY``; then ``VACUUM ANALYZE`` (the steady state autovacuum would reach). A trainer runs
   two cohorts with the course assigned and a due date two weeks ago: one of ``--cohort``
   members (500), drawn at random, and one of the first ``--small-cohort`` (50) of them. It
   reports how long each step took.
2. The cohort table page, ``GET /en/learn/cohorts/<id>/`` through ``django.test.Client`` signed
   in as the trainer, in this process: the first request (cold: the process has never rendered
   the page, the cache is empty) and the median of ``--repeat`` warm ones, with the CPU time of
   this process and its PostgreSQL backend and the time in Python's garbage collector; the SQL
   time of a warm one; and the selector ``cohort_table`` alone. Target: warm page < 300 ms.
3. Recomputing completion for every learner of the course the way completion works
   (``course_structures`` once, every ``LessonProgress`` row of the course grouped by user, the
   registered requirements looked up once, ``completion_from`` per learner); then the oversight
   dashboard's side of the same work, which replaced the per-course report ``course_report``
   (issue #14): rebuilding its summary tables for every learner,
   ``reports.facts.facts_rebuild()``, and the dashboard's figures for the course,
   ``reports.selectors.dashboard(scope=<national>, filters=<course>)`` (the shared cache emptied
   before each run, so every figure is counted). Each: time (first and median) and, in a
   separate run under ``tracemalloc``, peak Python memory. (``bench/report_dashboard.py``
   measures the dashboard page itself at national scale.)
4. SQL queries of the cohort table page (warm) with 50 and with 500 members: must be equal.

``--profile`` (and a missed page target) adds a cProfile breakdown of the warm 500-member page.
It also reports the CPUs other work on the machine used while it measured (``--wait-idle``
waits for an idle machine first); the cache is chosen as in ``bench/lesson_page.py``, with the
helpers both share (``bench/common.py``).
Prints the figures, the machine and the commit, and PASS/FAIL; exits 0 whatever the figures
unless ``--strict`` is given (then 1 when a check fails). The database is dropped at the end, also
on an error or Ctrl-C (``--keep-db`` keeps it). See ``docs/benchmarks.md``.
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
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

# Run as a script, Python puts bench/ on sys.path, not the project root that holds the package.
if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.common import Check, say, table

TARGET_PAGE_MS = 300.0
COMPLETE_SHARE = 0.8  # learners who completed every lesson; the others a random number
LEFT_EVERY = 50  # one in this many learners who did not complete the course left it
DUE_DAYS_AGO = 14

FIRST_NAMES = [
    "Айгерим", "Алия", "Арман", "Аружан", "Асель", "Бауыржан", "Гульнара", "Дана", "Данияр",
    "Ерлан", "Жанар", "Камила", "Марат", "Нурлан", "Сауле", "Тимур", "Улан", "Фарида", "Ержан",
    "Мадина", "Ainur", "Daniyar", "Olga", "Sergei",
]  # fmt: skip
LAST_NAMES = [
    "Абдрахманова", "Ахметов", "Бекова", "Жумабаев", "Исаева", "Касымов", "Калиева", "Мухамедов",
    "Нуртаева", "Оспанов", "Сарсенбаева", "Сейтказиев", "Тулегенова", "Утепов", "Шарипова",
    "Иванова", "Ким", "Nurlanova", "Petrov", "Serikbayev", "Tokhtarova", "Zhaksylykov",
]  # fmt: skip


# --------------------------------------------------------------------------------------------
# Command line


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/progress_at_scale.py",
        description=(
            "Benchmark progress at scale on PostgreSQL: a throwaway database with N learners, "
            "one course and their lesson progress; the trainer's cohort table page (500 "
            "members), recomputing completion for every learner of the course, rebuilding the "
            "dashboard's summary tables and the dashboard's figures for the course, and the "
            "cohort page's SQL queries with 50 vs 500 members. "
            "The database is dropped at the end, also on an error or Ctrl-C."
        ),
        epilog=(
            f"Targets: cohort table page (500 members, warm, median) < {TARGET_PAGE_MS:.0f} ms; "
            "the same number of SQL queries with 50 and 500 members. Recompute, rebuild and "
            "dashboard time and memory are reported without a target. Exit status is 0 unless "
            "--strict is given and a check fails."
        ),
    )
    parser.add_argument(
        "--learners", type=int, default=10_000, metavar="N", help="learners (default 10000)"
    )
    parser.add_argument(
        "--lessons", type=int, default=40, metavar="N", help="lessons in the course (default 40)"
    )
    parser.add_argument(
        "--modules", type=int, default=4, metavar="N", help="modules in the course (default 4)"
    )
    parser.add_argument(
        "--cohort", type=int, default=500, metavar="N", help="members of the cohort (default 500)"
    )
    parser.add_argument(
        "--small-cohort",
        type=int,
        default=50,
        metavar="N",
        help="members of the small cohort, for the query count (default 50)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=10,
        metavar="N",
        help="warm page requests and selector runs to take the median of (default 10)",
    )
    parser.add_argument(
        "--recompute-repeat",
        type=int,
        default=3,
        metavar="N",
        help="runs of the completion recompute, the facts rebuild and the dashboard (default 3)",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed for the data (default 1)")
    common.add_cache_option(parser, locmem="locmem")
    common.add_postgres_options(parser)
    common.add_report_options(
        parser,
        profile_n=5,
        profile_help="cProfile N warm 500-member page requests (default N=5) and print where the "
        "time goes; done anyway when the page target is missed",
        show_queries_help="print the SQL of the warm cohort page",
    )
    common.add_wait_idle_option(
        parser,
        help_text="after generating the data, wait up to SECONDS for the machine to be idle (under "
        "0.15 busy CPUs over 2 s) before measuring; for shared machines (default 0: do not wait)",
    )
    parser.add_argument(
        "--keep-db",
        action="store_true",
        help="keep the database at the end (and print how to drop it)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a check fails")
    args = parser.parse_args(argv)
    if not 1 <= args.small_cohort <= args.cohort <= args.learners:
        parser.error("need 1 <= --small-cohort <= --cohort <= --learners")
    if not 1 <= args.modules <= args.lessons:
        parser.error("need 1 <= --modules <= --lessons")
    if min(args.repeat, args.recompute_repeat) < 1:
        parser.error("--repeat and --recompute-repeat must be >= 1")
    return args


# --------------------------------------------------------------------------------------------
# Stopping: Ctrl-C and SIGTERM

#: Signals received. The handler raises at once, but an exception raised while a finalizer runs
#: (Python prints "Exception ignored in ...") is lost, so the script also checks between steps.
_SIGNALS: list[int] = []
_CLEANING: list[bool] = []  # set while dropping the database: a second Ctrl-C must not stop that


def on_signal(signum: int, _frame: Any) -> None:
    _SIGNALS.append(signum)
    if not _CLEANING:
        checkpoint()


def checkpoint() -> None:
    """Unwind (through the ``finally`` that drops the database) if a signal came."""
    if _SIGNALS:
        if _SIGNALS[0] == signal.SIGINT:
            raise KeyboardInterrupt
        raise SystemExit(128 + _SIGNALS[0])


# --------------------------------------------------------------------------------------------
# The throwaway database (common.PostgresDatabase)


def configure_environment(tmp: Path, cache: str, db: common.PostgresDatabase) -> None:
    """Point Django at the throwaway database, files in ``tmp`` and the chosen cache."""
    common.configure_django_environment(
        tmp,
        settings_module="bench.settings_pg",
        db_file="unused.sqlite3",
        cache=cache,
        extra={
            # One connection for the whole run, as a worker has in its steady state (production
            # reconnects every 60 s: one connect a minute), so the CPU of its PostgreSQL backend
            # can be read from /proc (see OtherWork).
            "DB_CONN_MAX_AGE": "3600",
            **db.environment(),
        },
    )


# --------------------------------------------------------------------------------------------
# Data


@dataclass
class Data:
    course: Any
    lesson_ids: list[int]
    trainer: Any
    big: Any  # the cohort of --cohort members
    small: Any  # the cohort of --small-cohort members
    learners: int
    enrolled: int  # enrolments not left
    progress_rows: int
    complete_users: set[int]
    big_complete: int
    small_complete: int
    timings: dict[str, float]


@contextlib.contextmanager
def timed(timings: dict[str, float], label: str) -> Iterator[None]:
    t = time.perf_counter()
    yield
    timings[label] = time.perf_counter() - t
    checkpoint()


def generate(args: argparse.Namespace) -> Data:
    """Migrate and fill the database (see the module docstring); time each step."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from psycopg import sql

    timings: dict[str, float] = {}
    with timed(timings, "migrate"):
        call_command("migrate", verbosity=0, interactive=False)

    from core.api import Specialty
    from learners.models import (
        Cohort,
        CohortCourse,
        CohortMembership,
        Enrollment,
        LessonProgress,
        Profile,
    )
    from learners.regions import REGION_CODES
    from tests.factories import CoursePageFactory, LessonPageFactory, ModulePageFactory

    rng = random.Random(args.seed)
    user_model = get_user_model()
    with timed(timings, "course (page factories)"):
        course = CoursePageFactory(
            title="Progress at scale", slug="progress-at-scale", version="1.0"
        )
        for m in range(args.modules):
            module = ModulePageFactory(parent=course, title=f"Module {m + 1}", slug=f"m{m + 1}")
            count = args.lessons // args.modules + (m < args.lessons % args.modules)
            for n in range(count):
                LessonPageFactory(
                    parent=module, title=f"Lesson {m + 1}.{n + 1}", slug=f"l{m + 1}-{n + 1}"
                )
        from courses.api import LessonPage

        lesson_ids = list(
            LessonPage.objects.descendant_of(course)
            .live()
            .order_by("path")
            .values_list("pk", flat=True)
        )
        assert len(lesson_ids) == args.lessons, lesson_ids

    regions = sorted(REGION_CODES)
    specialties = list(Specialty.values)
    languages = ["ru", "kk", "en"]
    with timed(timings, "learners, profiles, enrolments (bulk_create)"):
        users = user_model.objects.bulk_create(
            [
                user_model(
                    username=f"learner{i:05d}",
                    first_name=rng.choice(FIRST_NAMES),
                    last_name=rng.choice(LAST_NAMES),
                    email=f"learner{i:05d}@example.org",
                    password=UNUSABLE_PASSWORD_PREFIX,
                )
                for i in range(args.learners)
            ],
            batch_size=2000,
        )
        Profile.objects.bulk_create(
            [
                Profile(
                    user=u,
                    region=regions[i % len(regions)],
                    specialty=specialties[(i // len(regions)) % len(specialties)],
                    organisation=f"School No. {i % 300 + 1} (fictional)",
                    preferred_language=languages[i % len(languages)],
                )
                for i, u in enumerate(users)
            ],
            batch_size=2000,
        )
        # How many lessons each learner completed, in course order.
        done_counts = [
            args.lessons if rng.random() < COMPLETE_SHARE else rng.randrange(args.lessons)
            for _ in users
        ]
        members = rng.sample(range(args.learners), args.cohort)
        member_set = set(members)
        now = timezone.now()
        enrollments = []
        for i, u in enumerate(users):
            left = done_counts[i] < args.lessons and i % LEFT_EVERY == 0 and i not in member_set
            enrollments.append(
                Enrollment(
                    user=u,
                    course=course,
                    source=Enrollment.Source.COHORT if i in member_set else Enrollment.Source.SELF,
                    left_at=now - timedelta(days=rng.uniform(1, 30)) if left else None,
                )
            )
        Enrollment.objects.bulk_create(enrollments, batch_size=2000)

    with timed(timings, "lesson progress (COPY)"):
        rows: list[tuple[int, int, int, str, datetime]] = []
        for i, u in enumerate(users):
            k = done_counts[i]
            if not k:
                continue
            step = timedelta(hours=rng.uniform(2, 60))
            end = now - timedelta(hours=rng.uniform(1, 24 * 60))
            start = end - step * (k - 1)
            rows.extend((u.pk, lesson_ids[j], course.pk, "1.0", start + step * j) for j in range(k))
        meta = LessonProgress._meta
        column_of: dict[str, str] = {f.name: f.column for f in meta.concrete_fields}
        columns = [
            sql.Identifier(column_of[name])
            for name in ("user", "lesson", "course", "course_version", "completed_at")
        ]
        copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(meta.db_table), sql.SQL(", ").join(columns)
        )
        with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row(row)

    with timed(timings, "cohorts and trainer"):
        trainer = user_model.objects.create_user(
            "bench-trainer", "trainer@example.org", first_name="Bench", last_name="Trainer"
        )
        trainer.groups.add(Group.objects.get(name="Trainer"))
        due = timezone.localdate() - timedelta(days=DUE_DAYS_AGO)
        big = Cohort.objects.create(name=f"Bench cohort of {args.cohort}")
        small = Cohort.objects.create(name=f"Bench cohort of {args.small_cohort}")
        for cohort, indices in ((big, members), (small, members[: args.small_cohort])):
            cohort.trainers.add(trainer)
            CohortCourse.objects.create(cohort=cohort, course=course, due_date=due)
            CohortMembership.objects.bulk_create(
                [CohortMembership(cohort=cohort, user=users[i]) for i in indices]
            )

    # What autovacuum would do soon after: statistics for the planner, the visibility map set.
    with timed(timings, "VACUUM ANALYZE"), connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")

    complete_users = {u.pk for i, u in enumerate(users) if done_counts[i] == args.lessons}
    return Data(
        course=course,
        lesson_ids=lesson_ids,
        trainer=trainer,
        big=big,
        small=small,
        learners=args.learners,
        enrolled=sum(e.left_at is None for e in enrollments),
        progress_rows=len(rows),
        complete_users=complete_users,
        big_complete=sum(done_counts[i] == args.lessons for i in members),
        small_complete=sum(done_counts[i] == args.lessons for i in members[: args.small_cohort]),
        timings=timings,
    )


# --------------------------------------------------------------------------------------------
# Measurements


class OtherWork:
    """CPUs used by other work on the machine during a phase: the whole machine's busy time
    (/proc/stat) minus this process's, its PostgreSQL backend's and the local Redis's."""

    def __init__(self) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.pg_pid = int(cursor.fetchone()[0])
        self.redis: Any = None
        with contextlib.suppress(Exception):
            from django.conf import settings

            if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
                self.redis = common.RedisProbe()
        self.phases: dict[str, float] = {}

    def app_cpu(self) -> float:
        """CPU seconds so far of this process and its PostgreSQL backend."""
        return time.process_time() + common.process_cpu_seconds(self.pg_pid)

    def _ours(self) -> float:
        return self.app_cpu() + (self.redis.cpu_seconds() if self.redis else 0.0)

    @contextlib.contextmanager
    def phase(self, label: str) -> Iterator[None]:
        busy, ours, t = common.machine_busy_seconds(), self._ours(), time.perf_counter()
        yield
        wall = time.perf_counter() - t
        other = (common.machine_busy_seconds() - busy) - (self._ours() - ours)
        self.phases[label] = max(0.0, other / wall) if wall else 0.0
        checkpoint()

    def close(self) -> None:
        if self.redis:
            self.redis.close()


def ms(seconds: float) -> float:
    return seconds * 1000


def get_page(client: Any, url: str) -> tuple[float, Any]:
    checkpoint()
    t = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - t
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}; cannot benchmark it.")
    return elapsed, response


def page_rows(response: Any) -> int:
    return response.content.decode().count('<th scope="row">')


class GcTimer:
    """Time Python's cyclic garbage collector spends while the block runs, and collections by
    generation: a full (generation 2) collection walks every object of the process."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.collections = [0, 0, 0]
        self._start = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._start
            self.collections[info["generation"]] += 1

    def __enter__(self) -> GcTimer:
        import gc

        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        import gc

        gc.callbacks.remove(self._callback)


def measure_page(client: Any, data: Data, repeat: int, cpu: Callable[[], float]) -> dict[str, Any]:
    """Cold then warm timings of the big cohort's page (wall time, and the CPU time of this
    process and its PostgreSQL backend, ``cpu()``), the SQL of one warm request, and the warm
    query count of both cohorts' pages."""
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    big_url = f"/en/learn/cohorts/{data.big.pk}/"
    small_url = f"/en/learn/cohorts/{data.small.pk}/"
    for cache in caches.all():
        cache.clear()
    cold, response = get_page(client, big_url)  # the process's first render of this page
    result: dict[str, Any] = {"cold_ms": ms(cold), "rows": page_rows(response)}
    cpu_before = cpu()
    with GcTimer() as gc_timer:
        warm = [ms(get_page(client, big_url)[0]) for _ in range(repeat)]
    result.update(
        warm_cpu_ms=ms(cpu() - cpu_before) / repeat,
        warm_gc_ms=ms(gc_timer.seconds),
        warm_gc_collections=gc_timer.collections,
        warm_ms=warm,
        warm_median_ms=statistics.median(warm),
        warm_min_ms=min(warm),
        warm_max_ms=max(warm),
    )
    result["bytes"] = len(response.content)
    # Queries of a warm request: the count, and the time the database took (the debug cursor
    # this needs adds a little, which is why the timed requests above run without it).
    for label, url in (("big", big_url), ("small", small_url)):
        get_page(client, url)
        with CaptureQueriesContext(connection) as ctx:
            elapsed, response = get_page(client, url)
        result[f"{label}_queries"] = len(ctx.captured_queries)
        result[f"{label}_sql"] = [q["sql"] for q in ctx.captured_queries]
        result[f"{label}_sql_ms"] = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
        result[f"{label}_captured_ms"] = ms(elapsed)
        result[f"{label}_rows"] = page_rows(response)
    small_warm = [ms(get_page(client, small_url)[0]) for _ in range(repeat)]
    result["small_warm_median_ms"] = statistics.median(small_warm)
    return result


def measure_selector(data: Data, repeat: int, cpu: Callable[[], float]) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from learners.models import Cohort
    from learners.selectors import cohort_table

    cohort = Cohort.objects.get(pk=data.big.pk)
    cohort_table(cohort=cohort)
    times = []
    cpu_before = cpu()
    for _ in range(repeat):
        t = time.perf_counter()
        table = cohort_table(cohort=cohort)
        times.append(ms(time.perf_counter() - t))
    cpu_ms = ms(cpu() - cpu_before) / repeat
    with CaptureQueriesContext(connection) as ctx:
        table = cohort_table(cohort=cohort)
    return {
        "median_ms": statistics.median(times),
        "cpu_ms": cpu_ms,
        "min_ms": min(times),
        "max_ms": max(times),
        "queries": len(ctx.captured_queries),
        "sql_ms": sum(float(q["time"]) for q in ctx.captured_queries) * 1000,
        "rows": len(table.rows),
        "complete": sum(1 for row in table.rows if row.cells and row.cells[0].complete),
    }


def learners_of(course: Any) -> list[int]:
    """The learners of ``course``: everyone with an enrolment (left or not)."""
    from learners.models import Enrollment

    return list(Enrollment.objects.filter(course=course).values_list("user_id", flat=True))


def recompute_all(course: Any) -> tuple[dict[int, Any], dict[str, float]]:
    """Completion of ``course`` for every learner enrolled in it, the way completion works (as
    the cohort table and the facts rebuild apply it): the structure once, every progress row of
    the course grouped by user, the registered requirements looked up once for the batch
    (``requirements_lookup``), then ``completion_from`` per learner (learners with no row get an
    empty set)."""
    from learners.completion import completion_from, course_structures, requirements_lookup
    from learners.models import LessonProgress

    parts: dict[str, float] = {}
    t = time.perf_counter()
    structure = course_structures([course])[course.pk]
    learners = learners_of(course)
    done: dict[int, set[int]] = defaultdict(set)
    for user_id, lesson_id in LessonProgress.objects.filter(course=course).values_list(
        "user_id", "lesson_id"
    ):
        done[user_id].add(lesson_id)
    requirements = requirements_lookup(
        users=learners, courses=[course], structures={course.pk: structure}
    )
    parts["fetch"] = time.perf_counter() - t
    t = time.perf_counter()
    empty: set[int] = set()
    results = {
        user_id: completion_from(
            user=user_id,
            course=course,
            structure=structure,
            done_ids=done.get(user_id, empty),
            requirements=requirements,
        )
        for user_id in learners
    }
    parts["rules"] = time.perf_counter() - t
    return results, parts


def measure_recompute(data: Data, repeat: int) -> dict[str, Any]:
    """``repeat`` runs of the recompute (``recompute_all``), then one under tracemalloc."""
    from learners.completion import _REQUIREMENTS

    course = data.course
    runs, fetch, rules = [], [], []
    results: dict[int, Any] = {}
    for _ in range(repeat):
        results = {}  # free the previous run's results before timing the next
        t = time.perf_counter()
        results, parts = recompute_all(course)
        runs.append(time.perf_counter() - t)
        fetch.append(parts["fetch"])
        rules.append(parts["rules"])
        checkpoint()
    complete = {user_id for user_id, c in results.items() if c.complete}
    del results
    return {
        "learners": len(learners_of(course)),
        "first_s": runs[0],
        "median_s": statistics.median(runs),
        "fetch_median_s": statistics.median(fetch),
        "rules_median_s": statistics.median(rules),
        "complete": complete,
        "memory": common.memory_of(lambda: recompute_all(course)),
        "requirement_hooks": len(_REQUIREMENTS),
    }


def course_dashboard(course_id: int) -> Any:
    """The dashboard's figures for one course, national scope (a Ministry reader's view), with
    the shared cache emptied first: the period's figures, which the page keeps there a few
    minutes, are counted as well."""
    from dataclasses import replace

    from django.core.cache import caches

    from learners.regions import REGION_CODES
    from reports.filters import Filters, Scope
    from reports.selectors import dashboard

    for cache in caches.all():
        cache.clear()
    return dashboard(
        scope=Scope(regions=REGION_CODES, national=True),
        filters=replace(Filters.default(), course=course_id),
    )


def measure_dashboard(data: Data, repeat: int) -> dict[str, Any]:
    """The oversight dashboard's side of course-wide completion, which replaced the per-course
    report (issue #14): ``facts_rebuild()`` for every learner, ``repeat`` runs and one under
    tracemalloc; then ``ANALYZE`` (as the nightly rebuild leaves the tables to autovacuum) and
    the dashboard's figures for the course, ``repeat`` runs and one under tracemalloc."""
    from django.db import connection

    from reports.facts import facts_rebuild

    rebuild_runs: list[float] = []
    facts = 0
    for _ in range(repeat):
        t = time.perf_counter()
        facts = facts_rebuild()
        rebuild_runs.append(time.perf_counter() - t)
        checkpoint()
    rebuild_memory = common.memory_of(facts_rebuild)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    board_runs: list[float] = []
    board: Any = None
    for _ in range(repeat):
        board = None
        t = time.perf_counter()
        board = course_dashboard(data.course.pk)
        board_runs.append(time.perf_counter() - t)
        checkpoint()
    totals = {
        measure: board.totals[measure].count.value
        for measure in ("practitioners", "enrolled", "completed")
    }
    return {
        "facts": facts,
        "rebuild_first_s": rebuild_runs[0],
        "rebuild_median_s": statistics.median(rebuild_runs),
        "rebuild_memory": rebuild_memory,
        "dashboard_first_s": board_runs[0],
        "dashboard_median_s": statistics.median(board_runs),
        "dashboard_memory": common.memory_of(lambda: course_dashboard(data.course.pk)),
        "dashboard_regions": len(board.regions),
        # None: hidden by the small-cell rule (never for these sizes).
        "dashboard_practitioners": totals["practitioners"],
        "dashboard_enrolled": totals["enrolled"],
        "dashboard_completed": totals["completed"],
    }


#: Where a cohort page request spends its time: (label, file suffix, function name).
PROFILE_PARTS = [
    ("whole request (test client, middleware included)", "django/test/client.py", "request"),
    ("  view cohort_detail", "learners/views.py", "cohort_detail"),
    ("    cohort_table selector", "learners/selectors.py", "cohort_table"),
    ("      course_structures", "learners/completion.py", "course_structures"),
    ("      completion_from (one call per member)", "learners/completion.py", "completion_from"),
    ("    template rendering (render)", "django/shortcuts.py", "render"),
    ("      {% url %}: reverse", "django/urls/base.py", "reverse"),
    ("      Profile.region_name", "learners/models.py", "region_name"),
    ("      get_specialty_display", "django/db/models/base.py", "_get_FIELD_display"),
    ("      User.get_full_name", "django/contrib/auth/models.py", "get_full_name"),
    ("      {% translate %}", "django/templatetags/i18n.py", "render"),
    ("      |date filter", "django/template/defaultfilters.py", "date"),
    ("      CohortCell.overdue", "learners/selectors.py", "overdue"),
    ("      CohortRow.last_activity", "learners/selectors.py", "last_activity"),
    ("      variable lookups (Variable.resolve)", "django/template/base.py", "_resolve_lookup"),
    ("ORM: evaluating querysets (SQL + rows)", "django/db/models/query.py", "_fetch_all"),
    ("  model instances from rows (Model.from_db)", "django/db/models/base.py", "from_db"),
    ("  SQL execution (cursor execute)", "django/db/backends/utils.py", "_execute"),
]  # fmt: skip


def profile_page(client: Any, url: str, n: int) -> str:
    """cProfile ``n`` warm page requests: a breakdown by part, then the top functions.

    The profiler slows Python code roughly 2x (the ORM and templates most); read the shares.
    """
    get_page(client, url)
    return common.profile_breakdown(
        lambda: get_page(client, url),
        n,
        PROFILE_PARTS,
        what="warm cohort page requests",
        ms_digits=1,
        top_tottime=20,
    )


# --------------------------------------------------------------------------------------------
# Main


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    common.ensure_django(__file__, argv)
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="zhusan-bench-"))
    db = common.PostgresDatabase(args)
    cache = ""
    try:
        cache, why = common.choose_cache(args.cache)
        flushed = common.flush_redis() if cache == "redis" else 0
        pg_version = db.create_or_exit()
        configure_environment(tmp, cache, db)
        import django

        django.setup()
        from django.conf import settings

        info = common.machine()
        loadavg = common.load_average()
        say(common.machine_line("Progress at scale benchmark", info, f"PostgreSQL {pg_version}"))
        say(
            f"Database {db.name} on {args.pg_host}:{args.pg_port} "
            f"({'kept: --keep-db' if args.keep_db else 'dropped at the end'}); "
            f"load average at start: {loadavg or 'unknown'}"
        )
        backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[1]
        say(
            f"Cache: {backend} ({why}"
            + (f"; db 13 flushed at start, {flushed} keys, and at the end)" if flushed else ")")
        )

        # 1. Data.
        say(
            f"\nGenerating: {args.learners} learners, 1 course of {args.lessons} lessons in "
            f"{args.modules} modules, cohorts of {args.cohort} and {args.small_cohort} ..."
        )
        t = time.perf_counter()
        data = generate(args)
        generation = time.perf_counter() - t
        say(
            table(
                [[k, f"{v:.1f}"] for k, v in data.timings.items()]
                + [["total (migrate included)", f"{generation:.1f}"]],
                ["step", "seconds"],
            )
        )
        say(
            f"{data.learners} learners enrolled, {data.progress_rows:,} LessonProgress rows "
            f"({data.progress_rows / data.learners:.1f} per learner, "
            f"{data.progress_rows / (data.learners * args.lessons):.0%} of learners x lessons); "
            f"{len(data.complete_users)} learners completed the course; "
            f"{data.big_complete} of the {args.cohort} cohort members"
        )

        # 2. The cohort table page and the selector.
        from django.contrib.auth import get_user_model
        from django.test import Client

        if args.wait_idle:
            common.wait_for_idle_verbosely(args.wait_idle, blank_line=True)
        client = Client()
        client.force_login(get_user_model().objects.get(pk=data.trainer.pk))
        other = OtherWork()
        say(f"\nCohort table page ({args.cohort} members x 1 course; django.test.Client) ...")
        with other.phase("cohort page and selector"):
            page = measure_page(client, data, args.repeat, other.app_cpu)
            selector = measure_selector(data, args.repeat, other.app_cpu)
        say(
            table(
                [
                    ["page, first request (cold: never rendered, cache empty)",
                     f"{page['cold_ms']:.0f}", ""],
                    [f"page, warm (median of {args.repeat})", f"{page['warm_median_ms']:.0f}",
                     f"min {page['warm_min_ms']:.0f}, max {page['warm_max_ms']:.0f}; "
                     f"CPU {page['warm_cpu_ms']:.0f} per request"],
                    ["  garbage collection, all warm requests together",
                     f"{page['warm_gc_ms']:.0f}",
                     f"collections by generation (0/1/2): "
                     f"{'/'.join(map(str, page['warm_gc_collections']))}"],
                    ["  of which SQL (one warm request, debug cursor)",
                     f"{page['big_sql_ms']:.1f}",
                     f"{page['big_queries']} queries; that request {page['big_captured_ms']:.0f}"],
                    [f"selector cohort_table alone (median of {args.repeat})",
                     f"{selector['median_ms']:.0f}",
                     f"min {selector['min_ms']:.0f}, max {selector['max_ms']:.0f}; "
                     f"CPU {selector['cpu_ms']:.0f}; "
                     f"{selector['queries']} queries, SQL {selector['sql_ms']:.1f} ms"],
                    [f"page with {args.small_cohort} members, warm (median of {args.repeat})",
                     f"{page['small_warm_median_ms']:.0f}", ""],
                ],
                ["measure", "ms", "detail"],
            )
        )  # fmt: skip
        say(
            "CPU: of this process and its PostgreSQL backend. "
            f"Page: {page['bytes']:,} bytes, {page['rows']} member rows; "
            f"{selector['complete']} members complete in the table"
        )
        if args.show_queries:
            for label in ("big", "small"):
                say(f"\nWarm cohort page, {label} cohort ({page[f'{label}_queries']} queries):")
                for i, sql_text in enumerate(page[f"{label}_sql"], 1):
                    say(f"  {i:2d}. {sql_text[:300]}")

        # 3. Completion for every learner of the course; the dashboard's tables and figures.
        say(
            f"\nRecomputing completion for every learner of the course, rebuilding the "
            f"dashboard's summary tables and counting its figures for the course "
            f"({args.recompute_repeat} runs each, then 1 under tracemalloc) ..."
        )
        with other.phase("recompute, facts rebuild and dashboard"):
            rc = measure_recompute(data, args.recompute_repeat)
            db_ = measure_dashboard(data, args.recompute_repeat)
        other.close()
        mem, fmem, dmem = rc["memory"], db_["rebuild_memory"], db_["dashboard_memory"]
        say(
            table(
                [
                    ["recompute all (course_structures + rows + completion_from)",
                     f"{rc['first_s']:.2f}", f"{rc['median_s']:.2f}",
                     f"{mem['tracemalloc_peak_mib']:.0f}",
                     f"{mem['rss_peak_over_before_mib']:.0f}"],
                    ["  fetch and group the rows, look up requirements", "",
                     f"{rc['fetch_median_s']:.2f}", "", ""],
                    ["  completion_from per learner", "", f"{rc['rules_median_s']:.2f}", "", ""],
                    ["reports.facts.facts_rebuild() (every learner)",
                     f"{db_['rebuild_first_s']:.2f}", f"{db_['rebuild_median_s']:.2f}",
                     f"{fmem['tracemalloc_peak_mib']:.0f}",
                     f"{fmem['rss_peak_over_before_mib']:.0f}"],
                    ["dashboard(national scope, course filter), cache emptied",
                     f"{db_['dashboard_first_s']:.2f}", f"{db_['dashboard_median_s']:.2f}",
                     f"{dmem['tracemalloc_peak_mib']:.0f}",
                     f"{dmem['rss_peak_over_before_mib']:.0f}"],
                ],
                ["step", "first s", "median s", "peak MiB (tracemalloc)",
                 "peak RSS over before, MiB"],
            )
        )  # fmt: skip
        say(
            f"Recompute: {rc['learners']} learners, {len(rc['complete'])} complete; "
            f"{rc['requirement_hooks']} requirement hooks registered. Facts rebuilt for "
            f"{db_['facts']} practitioners. Dashboard, the course's national totals: "
            f"{db_['dashboard_practitioners']} practitioners, {db_['dashboard_enrolled']} "
            f"enrolled, {db_['dashboard_completed']} completed ({db_['dashboard_regions']} "
            f"regions). Under tracemalloc: recompute {mem['seconds_under_tracemalloc']:.1f} s, "
            f"rebuild {fmem['seconds_under_tracemalloc']:.1f} s, dashboard "
            f"{dmem['seconds_under_tracemalloc']:.1f} s."
        )

        # 4. Checks.
        checks = [
            Check(
                f"cohort table page, {args.cohort} members, warm median",
                f"{page['warm_median_ms']:.0f} ms",
                f"< {TARGET_PAGE_MS:.0f} ms",
                page["warm_median_ms"] < TARGET_PAGE_MS,
            ),
            Check(
                f"SQL queries of the cohort page, {args.small_cohort} vs {args.cohort} members",
                f"{page['small_queries']} vs {page['big_queries']}",
                "equal",
                page["small_queries"] == page["big_queries"],
            ),
            Check(
                "sanity: member rows on the pages",
                f"{page['small_rows']} and {page['big_rows']}",
                f"{args.small_cohort} and {args.cohort}",
                page["small_rows"] == args.small_cohort and page["big_rows"] == args.cohort,
            ),
            Check(
                "sanity: completions as generated (cohort table, recompute, dashboard)",
                f"{selector['complete']}, {len(rc['complete'])}, {db_['dashboard_completed']}",
                f"{data.big_complete}, {len(data.complete_users)}, {len(data.complete_users)}",
                selector["complete"] == data.big_complete
                and rc["complete"] == data.complete_users
                and db_["dashboard_completed"] == len(data.complete_users),
            ),
            Check(
                "sanity: the dashboard's practitioners and enrolled (national, the course)",
                f"{db_['dashboard_practitioners']} and {db_['dashboard_enrolled']}",
                f"{data.learners} and {data.enrolled}",
                db_["facts"] == data.learners
                and db_["dashboard_practitioners"] == data.learners
                and db_["dashboard_enrolled"] == data.enrolled,
            ),
        ]
        say(
            "Other work on the machine (CPUs, beyond this process, its PostgreSQL backend and "
            "Redis): " + "; ".join(f"{k} {v:.2f}" for k, v in other.phases.items())
        )
        if max(other.phases.values()) > 0.25:
            say(
                "WARNING: other work used more than 0.25 CPUs while measuring; the times are "
                "higher than on an idle machine. Run again when it is idle (--wait-idle)."
            )
        say("\nTargets")
        say(common.checks_table(checks))
        profile = ""
        if args.profile or not checks[0].ok:
            n = args.profile or 5
            say(f"\nProfiling {n} warm requests of the {args.cohort}-member page (cProfile) ...")
            profile = profile_page(client, f"/en/learn/cohorts/{data.big.pk}/", n)
            say(profile)
        elapsed = time.perf_counter() - started
        say(f"\nDone in {elapsed:.0f} s (data generation {generation:.0f} s).")

        if args.json:
            args.json.write_text(
                json.dumps(
                    {
                        "machine": info,
                        "postgres": pg_version,
                        "args": {k: str(v) for k, v in vars(args).items()},
                        "cache": backend,
                        "generation": {**data.timings, "total": generation},
                        "progress_rows": data.progress_rows,
                        "complete_learners": len(data.complete_users),
                        "page": {k: v for k, v in page.items() if not k.endswith("_sql")},
                        "selector": selector,
                        "recompute": {k: v for k, v in rc.items() if k != "complete"},
                        "dashboard": db_,
                        "other_cpus": other.phases,
                        "checks": [asdict(c) for c in checks],
                        "seconds": elapsed,
                    },
                    indent=2,
                )
            )
        return 1 if args.strict and not all(c.ok for c in checks) else 0
    finally:
        _CLEANING.append(True)
        if args.keep_db and db.created:
            say(
                f"Kept database {db.name}; drop it with: psql -h {args.pg_host} -p "
                f"{args.pg_port} -U {args.pg_user} -d postgres -c 'DROP DATABASE {db.name}'"
            )
        else:
            try:
                db.drop()
            except Exception as exc:  # noqa: BLE001 - report, and still clean up the rest
                say(f"Could not drop database {db.name}: {exc}")
        if cache == "redis":
            with contextlib.suppress(Exception):
                common.flush_redis()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    # Ctrl-C or a SIGTERM: unwind through the finally block so the database is dropped.
    signal.signal(signal.SIGINT, on_signal)  # even if started in the background
    signal.signal(signal.SIGTERM, on_signal)
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
