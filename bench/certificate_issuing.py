#!/usr/bin/env python
"""Certificate issuing: 10,000 certificates through a real Celery worker, and its memory.

Run from the project root with one command (PostgreSQL on 127.0.0.1:5432, user postgres, and a
Redis on 127.0.0.1:6379; nothing is written outside a throwaway database, a temporary folder,
db 12 of the Redis as the broker and db 13 as the cache):

    .venv/bin/python bench/certificate_issuing.py                  # 4 to 5 minutes, 2-core VM
    .venv/bin/python bench/certificate_issuing.py --learners 200   # a smoke run, under 30 s
    .venv/bin/python bench/certificate_issuing.py --eager          # no worker: SQLite, in process
    .venv/bin/python bench/certificate_issuing.py --help
    make bench-certs                                               # the first; BENCH_ARGS=...

What it does:

1. Creates a throwaway PostgreSQL database ``zhusan_bench_<pid>`` (``bench.settings_pg``),
   migrates it and builds the data with ``bulk_create`` (which sends no ``post_save``, so the
   certification signal queues nothing while building): one live course of ``--lessons`` lessons
   (9) in ``--modules`` modules (3), made with the page factories of ``tests/factories``; an
   active certification track that requires it; ``--learners`` learners (10,000), each with a
   profile, an enrolment and a ``LessonProgress`` row for every lesson, so every one is eligible;
   and a few more learners for the in-process measurements of step 5.
2. Empties db 12 of the local Redis and starts a Celery worker as production runs one,
   ``celery -A curriculum worker --pool=prefork --concurrency=2 --loglevel=info``
   (``--concurrency``), with ``curriculum.settings.production`` (``--worker-settings``) and
   ``DATABASE_URL`` and ``CELERY_BROKER_URL`` pointing at the run's database and at db 12 (also
   the result backend, as the base settings make it).
3. Queues ``certification.issue_for_user`` for every learner (``.delay``, what the signal
   does) and polls the number of certificates until all N exist: the wall time from the first
   enqueue, certificates per second (and in each tenth of the run), the PostgreSQL sessions
   opened, the CPU of this process, the worker's processes, the PostgreSQL server and Redis, and
   the peak memory of each worker process (``VmHWM``, and RSS and PSS sampled every 0.25 s from
   ``/proc``). Then waits for every task's result and checks the certificates: exactly one per
   learner, N distinct codes, every one sequence 1 and valid, every task SUCCESS with its
   learner's certificate id.
4. Queues the whole batch again: nothing new may be issued (the same N certificates and codes,
   every task returning the existing id); timed too.
5. In this process, on the same database: ``issue_for_user`` for 50 more eligible learners
   (``--probe``), one at a time under ``CaptureQueriesContext`` (statements and ms of each; the
   count must be the same for every learner), again for the same 50 (already issued), and for 50
   learners who lack one lesson (not eligible yet: what most of the signal's tasks find).

``--eager`` runs steps 3 to 5 without a worker: SQLite in a temporary folder (``bench.settings``),
Celery eager (no broker), each ``.delay`` running in this process; memory is this process's.
``--profile`` adds a cProfile breakdown of 200 in-process issues; ``--show-queries`` prints the
SQL of one issue. Prints the figures, the machine and the commit, and PASS/FAIL; exits 0 whatever
the figures unless ``--strict`` is given (then 1 when a check fails). The worker is stopped and
the database dropped at the end, also on an error, Ctrl-C or SIGTERM. See ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

# Run as a script, Python puts bench/ on sys.path, not the project root that holds the package.
if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import BENCH_BROKER_URL, common
from bench.common import Check, say, table, timed

#: Targets (see docs/benchmarks.md for why these).
TARGET_PER_SECOND = 50.0  # certificates per second, two worker processes on two cores
TARGET_PEAK_RSS_MIB = 250.0  # any one worker process
TARGET_GROWTH_MIB = 20.0  # any one worker process: highest RSS in the batch over its start
POLL_SECONDS = 0.25
MIB = 1024.0  # KiB in a MiB

#: Where an in-process issue spends its time, for ``--profile``: (label, file suffix, function).
PROFILE_PARTS = [
    ("issue_for_user (the task's body)", "certification/tasks.py", "issue_for_user"),
    ("  certificate_issue", "certification/services.py", "certificate_issue"),
    ("    track_courses", "certification/services.py", "track_courses"),
    ("    courses_completion", "learners/completion.py", "courses_completion"),
    ("      course_structures", "learners/completion.py", "course_structures"),
    ("      requirements_lookup (registered hooks)", "learners/completion.py",
     "requirements_lookup"),
    ("    new_code", "certification/services.py", "new_code"),
    ("    Model.save (the INSERT)", "django/db/models/base.py", "save"),
    ("ORM: evaluating querysets (SQL + rows)", "django/db/models/query.py", "_fetch_all"),
    ("SQL execution (cursor execute)", "django/db/backends/utils.py", "_execute"),
]  # fmt: skip


# --------------------------------------------------------------------------------------------
# Command line


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The options (see ``--help``)."""
    parser = argparse.ArgumentParser(
        prog="bench/certificate_issuing.py",
        description=(
            "Benchmark certificate issuing: N eligible learners, certification.issue_for_user "
            "queued for each to a real Celery worker (prefork pool) on Redis db 12, against a "
            "throwaway PostgreSQL database; certificates per second, the worker's peak memory, "
            "the statements of one issue, and the whole batch again (nothing new may be "
            "issued). --eager: in process on SQLite, no worker."
        ),
        epilog=(
            f"Targets: >= {TARGET_PER_SECOND:.0f} certificates/s with the worker; every worker "
            f"process under {TARGET_PEAK_RSS_MIB:.0f} MiB peak RSS and growing less than "
            f"{TARGET_GROWTH_MIB:.0f} MiB over the run; the same statements for every issue; "
            "exactly N certificates with N distinct codes, and none more the second time. Exit "
            "status is 0 unless --strict is given and a check fails."
        ),
    )
    parser.add_argument(
        "--learners", type=int, default=10_000, metavar="N", help="eligible learners (10000)"
    )
    parser.add_argument(
        "--lessons", type=int, default=9, metavar="N", help="lessons in the course (9)"
    )
    parser.add_argument(
        "--modules", type=int, default=3, metavar="N", help="modules in the course (3)"
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=2,
        metavar="N",
        help="worker processes of the prefork pool (2, the machine's cores)",
    )
    parser.add_argument(
        "--worker-settings",
        default="curriculum.settings.production",
        metavar="MODULE",
        help="the worker's DJANGO_SETTINGS_MODULE (curriculum.settings.production); a module "
        "outside the project can be found with PYTHONPATH",
    )
    parser.add_argument(
        "--probe",
        type=int,
        default=50,
        metavar="N",
        help="learners issued in this process one by one, for the statements and ms (50)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=1800,
        metavar="SECONDS",
        help="give up on a batch after SECONDS (1800)",
    )
    parser.add_argument(
        "--eager",
        action="store_true",
        help="no worker: SQLite in a temporary folder, each task run in this process",
    )
    common.add_postgres_options(parser)
    common.add_cache_option(parser, locmem="locmem (the worker's: its own per process)")
    common.add_report_options(
        parser,
        profile_n=200,
        profile_help="cProfile N more in-process issues (default N=200) and print where the "
        "time goes",
        show_queries_help="print the SQL of one issue, of one already issued and of one not "
        "eligible",
    )
    common.add_wait_idle_option(
        parser,
        help_text="before queuing, wait up to SECONDS for the machine to be idle (under 0.15 "
        "busy CPUs over 2 s); for shared machines (default 0: do not wait)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a check fails")
    args = parser.parse_args(argv)
    if min(args.learners, args.concurrency, args.probe) < 1:
        parser.error("--learners, --concurrency and --probe must be >= 1")
    if not 1 <= args.modules <= args.lessons:
        parser.error("need 1 <= --modules <= --lessons")
    return args


# --------------------------------------------------------------------------------------------
# The environment: this process and the worker


def configure(tmp: Path, cache: str, db: common.PostgresDatabase | None) -> None:
    """Point Django in this process at the throwaway database (or SQLite in ``tmp``), the cache,
    and with a database, at the broker: queuing goes to Redis, not in process."""
    extra = {"DB_CONN_MAX_AGE": "3600"}  # one connection for the whole run
    if db:
        # The bench reads every task's result; the project keeps none unless asked to.
        extra |= {
            "CELERY_BROKER_URL": BENCH_BROKER_URL,
            "CELERY_RESULT_BACKEND": BENCH_BROKER_URL,
            **db.environment(),
        }
    common.configure_django_environment(
        tmp,
        settings_module="bench.settings_pg" if db else "bench.settings",
        db_file="db.sqlite3",
        cache=cache,
        extra=extra,
    )


def worker_environment(
    tmp: Path, cache: str, db: common.PostgresDatabase, settings_module: str
) -> dict[str, str]:
    """The worker's environment: production settings on the run's database and broker.

    ``DB_CONN_MAX_AGE`` is left to the settings (60 s, as deployed), and the cache is the
    benchmark's Redis db 13 when it uses Redis (as production's ``REDIS_URL``)."""
    p = db.params
    password = f":{quote(p['password'], safe='')}" if p["password"] else ""
    url = f"postgres://{quote(p['user'], safe='')}{password}@{p['host']}:{p['port']}/{db.name}"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("BENCH_") and k not in ("DB_CONN_MAX_AGE", "REDIS_URL")
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": BENCH_BROKER_URL,
        "CELERY_RESULT_BACKEND": BENCH_BROKER_URL,  # the bench reads the results
        "SECRET_KEY": secrets.token_urlsafe(50),  # production refuses to start without one
        "ALLOWED_HOSTS": "localhost",
        "MEDIA_ROOT": str(tmp / "media"),
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }
    if cache == "redis":
        env["REDIS_URL"] = common.BENCH_REDIS_URL
    return env


# --------------------------------------------------------------------------------------------
# Data


@dataclass
class Data:
    """What was built: the track, the learners queued and those kept for step 5."""

    track: Any
    course: Any
    learners: list[int]  # eligible, queued to the worker
    probe: list[int]  # eligible, issued in this process (after one more, to warm up)
    profile: list[int]  # eligible, for --profile
    not_eligible: list[int]  # every lesson but the last
    progress_rows: int
    timings: dict[str, float]


def build(args: argparse.Namespace) -> Data:
    """Migrate; the course and the track; the learners and their progress (``bulk_create``)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    timings: dict[str, float] = {}
    with timed(timings, "migrate"):
        call_command("migrate", verbosity=0, interactive=False)

    from certification.models import CertificationTrack, TrackRequirement
    from courses.api import LessonPage
    from learners.models import Enrollment, LessonProgress, Profile
    from tests.factories import CoursePageFactory, LessonPageFactory, ModulePageFactory

    with timed(timings, f"course of {args.lessons} lessons and the track (factories)"):
        course = CoursePageFactory(
            title="Certificate issuing", slug="certificate-issuing", version="1.0"
        )
        for m in range(args.modules):
            module = ModulePageFactory(parent=course, title=f"Module {m + 1}", slug=f"m{m + 1}")
            for n in range(args.lessons // args.modules + (m < args.lessons % args.modules)):
                LessonPageFactory(
                    parent=module, title=f"Lesson {m + 1}.{n + 1}", slug=f"l{m + 1}-{n + 1}"
                )
        lesson_ids = list(
            LessonPage.objects.descendant_of(course)
            .live()
            .order_by("path")
            .values_list("pk", flat=True)
        )
        assert len(lesson_ids) == args.lessons, lesson_ids
        track = CertificationTrack.objects.create(
            name="Psychosocial support for returnee families (bench)",
            slug="bench-psychosocial",
            validity_months=24,
        )
        TrackRequirement.objects.create(track=track, course=course, specialty="", sort_order=0)

    profile_n = args.profile or 0
    extra = 1 + args.probe + profile_n + args.probe  # warm-up, probe, profile, not eligible
    total = args.learners + extra
    user_model = get_user_model()
    with timed(timings, f"{total:,} learners, profiles, enrolments (bulk_create)"):
        users = user_model.objects.bulk_create(
            [
                user_model(
                    username=f"learner{i:05d}",
                    first_name="Learner",
                    last_name=f"No. {i + 1}",
                    email=f"learner{i:05d}@example.org",
                    password=UNUSABLE_PASSWORD_PREFIX,
                )
                for i in range(total)
            ],
            batch_size=2000,
        )
        Profile.objects.bulk_create(
            [
                Profile(
                    user=u,
                    specialty="psychologist",
                    region="KZ-75",
                    organisation=f"School No. {i % 300 + 1} (fictional)",
                )
                for i, u in enumerate(users)
            ],
            batch_size=2000,
        )
        Enrollment.objects.bulk_create(
            [Enrollment(user=u, course=course) for u in users], batch_size=2000
        )

    ids = [u.pk for u in users]
    learners, rest = ids[: args.learners], ids[args.learners :]
    probe = rest[: 1 + args.probe]
    profile = rest[1 + args.probe : 1 + args.probe + profile_n]
    not_eligible = rest[1 + args.probe + profile_n :]
    now = timezone.now()
    short = set(not_eligible)
    with timed(timings, "lesson progress (bulk_create)"):
        rows = [
            LessonProgress(
                user_id=user_id,
                lesson_id=lesson_id,
                course=course,
                course_version="1.0",
                completed_at=now - timedelta(hours=len(lesson_ids) - j),
            )
            for user_id in ids
            for j, lesson_id in enumerate(lesson_ids[:-1] if user_id in short else lesson_ids)
        ]
        LessonProgress.objects.bulk_create(rows, batch_size=5000)
    if connection.vendor == "postgresql":
        # What autovacuum would do soon after: statistics for the planner.
        with timed(timings, "VACUUM ANALYZE"), connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return Data(
        track=track,
        course=course,
        learners=learners,
        probe=probe,
        profile=profile,
        not_eligible=not_eligible,
        progress_rows=len(rows),
        timings=timings,
    )


# --------------------------------------------------------------------------------------------
# Issuing a batch


@dataclass
class Batch:
    """One batch: ``issue_for_user`` queued for every learner, and what came of it."""

    tasks: int
    enqueue_s: float = 0.0
    certificates_s: float = 0.0  # until every new certificate existed (0 when none were due)
    results_s: float = 0.0  # until every task's result was stored
    new_certificates: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    results: dict[int, Any] = field(default_factory=dict)  # learner id: the task's return
    this_cpu_s: float = 0.0  # this process: queuing and polling
    machine_busy_s: float = 0.0
    redis_cpu_s: float = 0.0
    postgres_cpu_s: float = 0.0  # the local PostgreSQL server, any database (none with --eager)
    postgres_sessions: int = 0  # connections opened to the run's database
    started_at: datetime | None = None
    queued_at: datetime | None = None  # when the last task was queued


def certificate_count(track: Any) -> int:
    from certification.models import Certificate

    return Certificate.objects.filter(track=track).count()


def batch_on_worker(
    learners: list[int], track: Any, worker: common.CeleryWorker, timeout: float, due: int
) -> Batch:
    """Queue ``issue_for_user`` for every learner; wait for ``due`` new certificates, then for
    every task's result (read from the result backend, Redis db 12)."""
    from django.utils import timezone

    from certification.tasks import issue_for_user

    backend = issue_for_user.backend
    batch = Batch(tasks=len(learners))
    before = certificate_count(track)
    probe = common.RedisProbe()
    sessions = common.postgres_sessions()
    try:
        postgres = common.PostgresServerCpu()
        busy, cpu, redis_cpu = (
            common.machine_busy_seconds(),
            time.process_time(),
            probe.cpu_seconds(),
        )
        batch.started_at = timezone.now()
        t = time.perf_counter()
        task_ids = [issue_for_user.delay(user_id).id for user_id in learners]
        batch.enqueue_s = time.perf_counter() - t
        batch.queued_at = timezone.now()
        keys = [backend.get_key_for_task(task_id) for task_id in task_ids]
        done_certificates = due == 0
        while True:
            elapsed = time.perf_counter() - t
            if not done_certificates and certificate_count(track) - before >= due:
                batch.certificates_s, done_certificates = elapsed, True
            if done_certificates and results_stored(backend.client, keys) == len(keys):
                batch.results_s = elapsed
                break
            if not worker.alive():
                raise RuntimeError(f"the Celery worker died:\n{worker.log_tail()}")
            if elapsed > timeout:
                raise TimeoutError(
                    f"after {timeout:.0f} s: {certificate_count(track) - before} of {due} "
                    f"certificates, {results_stored(backend.client, keys)} of {len(keys)} "
                    f"results\n{worker.log_tail()}"
                )
            time.sleep(POLL_SECONDS)
        batch.this_cpu_s = time.process_time() - cpu
        batch.machine_busy_s = common.machine_busy_seconds() - busy
        batch.redis_cpu_s = probe.cpu_seconds() - redis_cpu
        batch.postgres_cpu_s = postgres.seconds()
    finally:
        probe.close()
    time.sleep(0.5)  # a session is counted when it ends: let the last ones end
    batch.postgres_sessions = common.postgres_sessions() - sessions
    batch.new_certificates = certificate_count(track) - before
    statuses: Counter[str] = Counter()
    for user_id, meta in zip(learners, results_of(backend.client, keys), strict=True):
        statuses[meta.get("status", "MISSING")] += 1
        batch.results[user_id] = meta.get("result")
    batch.statuses = dict(statuses)
    return batch


def results_stored(client: Any, keys: list[bytes]) -> int:
    """How many of the tasks' results the backend holds (``EXISTS``, 1,000 keys at a time)."""
    return sum(int(client.exists(*keys[i : i + 1000])) for i in range(0, len(keys), 1000))


def results_of(client: Any, keys: list[bytes]) -> list[dict[str, Any]]:
    """The stored results (``{"status": ..., "result": ...}``), in the order of ``keys``."""
    metas: list[dict[str, Any]] = []
    for i in range(0, len(keys), 1000):
        metas.extend(json.loads(raw) if raw else {} for raw in client.mget(keys[i : i + 1000]))
    return metas


def batch_eager(learners: list[int], track: Any) -> Batch:
    """``issue_for_user.delay`` for every learner with Celery eager: each runs here and now."""
    from django.utils import timezone

    from certification.tasks import issue_for_user

    batch = Batch(tasks=len(learners))
    before = certificate_count(track)
    statuses: Counter[str] = Counter()
    busy, cpu = common.machine_busy_seconds(), time.process_time()
    batch.started_at = timezone.now()
    t = time.perf_counter()
    for user_id in learners:
        result = issue_for_user.delay(user_id)
        statuses[result.status] += 1
        batch.results[user_id] = result.result
    batch.results_s = batch.enqueue_s = time.perf_counter() - t
    batch.this_cpu_s = time.process_time() - cpu
    batch.machine_busy_s = common.machine_busy_seconds() - busy
    batch.new_certificates = certificate_count(track) - before
    batch.certificates_s = batch.results_s if batch.new_certificates else 0.0
    batch.statuses = dict(statuses)
    return batch


def timeline(track: Any, batch: Batch) -> dict[str, Any]:
    """When the batch's certificates were made (their ``created_at``, from the first enqueue):
    the first one, certificates per second in each tenth of the batch and, with a worker, how
    many were made while tasks were still being queued, and the rate after the last was."""
    from certification.models import Certificate

    if batch.started_at is None:
        return {}
    times = sorted(
        (created - batch.started_at).total_seconds()
        for created in Certificate.objects.filter(track=track).values_list("created_at", flat=True)
    )
    n = len(times)
    if n < 10:
        return {}
    rates, previous = [], 0.0
    for k in range(1, 11):
        end = times[k * n // 10 - 1]
        count = k * n // 10 - (k - 1) * n // 10
        rates.append(count / max(end - previous, 1e-6))
        previous = end
    figures: dict[str, Any] = {"first_s": times[0], "tenths": rates}
    if batch.queued_at is not None:
        queued = (batch.queued_at - batch.started_at).total_seconds()
        after = [x for x in times if x > queued]
        figures["while_queuing"] = n - len(after)
        figures["after_queuing_per_second"] = len(after) / (times[-1] - queued) if after else 0.0
    return figures


def certificate_facts(track: Any, learners: list[int]) -> dict[str, Any]:
    """What the database holds for the track: counts, distinct codes and learners, sequences."""
    from django.db.models import Count

    from certification.models import Certificate, CertificateStatus

    certificates = Certificate.objects.filter(track=track)
    codes = dict(certificates.values_list("user_id", "code"))
    return {
        "count": certificates.count(),
        "learners": len(codes),
        "queued_learners_with_one": len(set(codes) & set(learners)),
        "codes": len(set(codes.values())),
        "by_sequence": dict(
            certificates.values_list("sequence")
            .annotate(n=Count("pk"))
            .values_list("sequence", "n")
        ),
        "not_valid": certificates.exclude(status=CertificateStatus.VALID).count(),
        "ids": dict(certificates.values_list("user_id", "pk")),
        "code_by_user": codes,
    }


# --------------------------------------------------------------------------------------------
# In this process: statements and time of one issue


def probe_issues(user_ids: list[int], keep_sql: bool = False) -> dict[str, Any]:
    """``issue_for_user`` for each learner, one at a time, under ``CaptureQueriesContext``:
    the statements and milliseconds of each, and what each returned."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from certification.tasks import issue_for_user

    statements: list[int] = []
    ms: list[float] = []
    returned: list[Any] = []
    sql: list[str] = []
    for user_id in user_ids:
        with CaptureQueriesContext(connection) as captured:
            t = time.perf_counter()
            returned.append(issue_for_user(user_id))
            ms.append((time.perf_counter() - t) * 1000)
        statements.append(len(captured.captured_queries))
        if keep_sql and not sql:
            sql = [q["sql"] for q in captured.captured_queries]
    return {"statements": statements, "ms": ms, "returned": returned, "sql": sql}


def profile_issues(user_ids: list[int]) -> str:
    """cProfile ``issue_for_user`` for each learner (in process)."""
    from certification.tasks import issue_for_user

    pending = iter(user_ids)
    return common.profile_breakdown(
        lambda: issue_for_user(next(pending)),
        len(user_ids),
        PROFILE_PARTS,
        what="in-process issues",
        ms_digits=2,
        top_tottime=20,
    )


# --------------------------------------------------------------------------------------------
# Reporting


def cpu_figures(
    batch: Batch, worker_cpu: float | None, cpus: int
) -> tuple[list[list[str]], dict[str, float]]:
    """Who used the CPU during a batch (CPU-seconds, and ms per task), as table rows; and the
    figures: the other work's CPUs (on average), and the CPU of issuing per task in all, with
    the rate the machine's CPUs would allow if nothing else ran. ``worker_cpu`` is None with
    ``--eager``."""
    ours = batch.this_cpu_s + (worker_cpu or 0.0) + batch.postgres_cpu_s + batch.redis_cpu_s
    other = max(0.0, batch.machine_busy_s - ours)
    this = "issuing (eager .delay)" if worker_cpu is None else "queuing (.delay) and polling"
    parts = [(f"this process: {this}", batch.this_cpu_s)]
    if worker_cpu is not None:
        parts += [
            ("the worker's processes", worker_cpu),
            ("PostgreSQL server (any database)", batch.postgres_cpu_s),
            ("Redis: broker and results", batch.redis_cpu_s),
        ]
    parts += [
        ("issuing, in all", ours),
        ("other work on the machine", other),
        (f"the whole machine ({cpus} CPUs), busy", batch.machine_busy_s),
    ]
    rows = [[label, f"{s:.1f}", f"{s / batch.tasks * 1000:.2f}"] for label, s in parts]
    ours_ms = ours / batch.tasks * 1000
    return rows, {
        "this_s": batch.this_cpu_s,
        "worker_s": worker_cpu or 0.0,
        "postgres_s": batch.postgres_cpu_s,
        "redis_s": batch.redis_cpu_s,
        "ours_ms": ours_ms,
        "other_cpus": other / batch.results_s if batch.results_s else 0.0,
        # Eager, one process uses one CPU at most.
        "ceiling": (1 if worker_cpu is None else cpus) * 1000 / ours_ms if ours_ms else 0.0,
    }


def mib(kib: float) -> str:
    return f"{kib / MIB:.1f}"


def batch_rows(label: str, batch: Batch, eager: bool) -> list[list[str]]:
    """Table rows for one batch (with ``eager``, queuing a task is running it)."""
    rate = batch.tasks / batch.results_s if batch.results_s else 0.0
    rows = []
    if not eager:
        rows.append(
            [f"{label}: queue {batch.tasks:,} tasks (.delay)", f"{batch.enqueue_s:.2f} s",
             f"{batch.tasks / batch.enqueue_s:.0f} a second" if batch.enqueue_s else ""]
        )  # fmt: skip
    if batch.new_certificates:
        rows.append(
            [f"{label}: until all {batch.new_certificates:,} certificates existed",
             f"{batch.certificates_s:.2f} s",
             f"{batch.new_certificates / batch.certificates_s:.1f} certificates a second"]
        )  # fmt: skip
    done = "every task had returned" if eager else "every task's result was stored"
    rows.append(
        [f"{label}: until {done}", f"{batch.results_s:.2f} s", f"{rate:.1f} tasks a second"]
    )
    if batch.postgres_sessions:
        rows.append(
            [f"{label}: PostgreSQL sessions opened", f"{batch.postgres_sessions:,}",
             f"{batch.postgres_sessions / batch.tasks:.2f} a task"]
        )  # fmt: skip
    return rows


def memory_rows(processes: list[common.WorkerProcess], peak_total_pss_kib: int) -> list[list[str]]:
    """Per worker process: RSS at the start of the batch, the highest RSS during it, the peak
    since start-up (``VmHWM``), the highest PSS, and the CPU during the batch."""
    rows = []
    ordered = sorted(processes, key=lambda p: (p.role != "main", p.pid))
    for p in ordered:
        rows.append(
            [f"{p.role} (pid {p.pid})", mib(p.rss_start_kib), mib(p.peak_rss_run_kib),
             mib(p.peak_rss_run_kib - p.rss_start_kib), mib(p.peak_rss_kib),
             mib(p.peak_pss_kib), f"{p.cpu_seconds:.1f}"]
        )  # fmt: skip
    rows.append(
        ["all processes", mib(sum(p.rss_start_kib for p in ordered)),
         mib(sum(p.peak_rss_run_kib for p in ordered)), "",
         mib(sum(p.peak_rss_kib for p in ordered)),
         f"{mib(peak_total_pss_kib)} together",
         f"{sum(p.cpu_seconds for p in ordered):.1f}"]
    )  # fmt: skip
    return rows


# --------------------------------------------------------------------------------------------
# Main


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (see the module docstring); the exit status."""
    args = parse_args(argv)
    common.ensure_django(__file__, argv)
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="zhusan-bench-"))
    db = None if args.eager else common.PostgresDatabase(args)
    worker: common.CeleryWorker | None = None
    cache = ""
    broker_flushed: int | None = None
    try:
        cache, why = common.choose_cache(args.cache)
        flushed = common.flush_redis() if cache == "redis" else 0
        engine = "SQLite"
        if db:
            try:
                broker_flushed = common.flush_redis(BENCH_BROKER_URL)
            except Exception as exc:  # noqa: BLE001 - redis-py missing, refused, timed out ...
                raise SystemExit(f"No Redis answered on {BENCH_BROKER_URL}: {exc}") from None
            engine = f"PostgreSQL {db.create_or_exit()}"
        configure(tmp, cache, db)
        import django

        django.setup()
        import sqlite3

        import celery
        from django.conf import settings

        import certification.tasks  # noqa: F401 - fail now, not after building the data

        if not db:
            engine = f"SQLite {sqlite3.sqlite_version}"
        info = common.machine()
        mode = (
            f"Celery {celery.__version__} eager (no worker)"
            if args.eager
            else f"Celery {celery.__version__}, worker --pool=prefork "
            f"--concurrency={args.concurrency}"
        )
        say(common.machine_line("Certificate issuing benchmark", info, f"{engine}; {mode}"))
        where = f"database {db.name} (dropped at the end)" if db else f"temporary folder {tmp}"
        say(f"{where.capitalize()}; load average at start: {common.load_average() or 'unknown'}")
        backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[1]
        say(f"Cache: {backend} ({why}" + (f"; db 13 flushed, {flushed} keys)" if flushed else ")"))
        if db:
            say(f"Broker and result backend: {BENCH_BROKER_URL} (flushed, {broker_flushed} keys)")

        # 1. Data.
        say(
            f"\nBuilding: 1 course of {args.lessons} lessons in {args.modules} modules, an "
            f"active track requiring it, {args.learners:,} eligible learners ..."
        )
        data = build(args)
        say(table([[k, f"{v:.1f}"] for k, v in data.timings.items()], ["step", "seconds"]))
        say(
            f"{len(data.learners):,} learners queued, {data.progress_rows:,} LessonProgress rows; "
            f"{len(data.probe) + len(data.profile) + len(data.not_eligible)} more for the "
            f"in-process figures; certificates before: {certificate_count(data.track)}"
        )

        # 2. The worker.
        if db:
            worker = common.CeleryWorker(
                concurrency=args.concurrency,
                env=worker_environment(tmp, cache, db, args.worker_settings),
                log=tmp / "worker.log",
                hostname=f"bench-certs-{os.getpid()}@localhost",
            )
            say(f"\nStarting the worker: {' '.join(worker.command[1:])} ...")
            startup = worker.start()
            say(f"  ready in {startup:.1f} s ({args.worker_settings})")
        if args.wait_idle:
            common.wait_for_idle_verbosely(args.wait_idle, blank_line=True)
        other_before = common.idle_cpus()

        # 3. The batch.
        where_run = "to the worker" if worker else "in this process (eager)"
        say(f"\nIssuing: issue_for_user queued for {len(data.learners):,} learners {where_run} ...")
        own_rss_before = common.rss_kib("VmRSS")
        own_reset = common.rss_reset()
        if worker:
            with worker.measure():
                first = batch_on_worker(
                    data.learners, data.track, worker, args.timeout, due=len(data.learners)
                )
        else:
            first = batch_eager(data.learners, data.track)
        own_peak = common.rss_kib("VmHWM") if own_reset else 0
        # The worker's figures for this batch (measure() starts afresh for the next one).
        memory = [replace(p) for p in worker.processes.values()] if worker else []
        peak_total_pss = worker.peak_total_pss_kib if worker else 0
        facts = certificate_facts(data.track, data.learners)
        made = timeline(data.track, first)
        say(table(batch_rows("first", first, args.eager), ["measure", "figure", "detail"]))
        if made:
            say(
                f"First certificate after {made['first_s']:.2f} s. Certificates a second in "
                "each tenth of the batch: " + ", ".join(f"{r:.0f}" for r in made["tenths"])
            )
        if "while_queuing" in made:
            say(
                f"{made['while_queuing']:,} made while this process was still queuing; "
                f"{made['after_queuing_per_second']:.1f} a second after the last was queued"
            )
        worker_cpu = sum(p.cpu_seconds for p in memory) if worker else None
        rows, first_cpu = cpu_figures(first, worker_cpu, info["cpus"])
        say(table(rows, ["CPU during the first batch", "CPU-seconds", "ms per task"]))
        say(
            f"Other work on the machine: {other_before:.2f} CPUs just before, "
            f"{first_cpu['other_cpus']:.2f} during the batch. Issuing used "
            f"{first_cpu['ours_ms']:.1f} ms of CPU per certificate in all: CPU-bound, at most "
            f"{first_cpu['ceiling']:.0f} a second "
            + (f"on {info['cpus']} otherwise idle CPUs" if worker else "in one process")
        )
        if worker:
            say("\nWorker memory during the first batch (MiB; sampled every 0.25 s)")
            say(
                table(
                    memory_rows(memory, peak_total_pss),
                    ["process", "RSS at start", "highest RSS", "growth", "peak RSS (VmHWM)",
                     "highest PSS", "CPU s"],
                )
            )  # fmt: skip
        else:
            say(
                f"This process: RSS {mib(own_rss_before)} MiB before, peak "
                f"{mib(own_peak)} MiB during the batch"
            )
        say(
            f"Certificates: {facts['count']:,}, of {facts['learners']:,} learners; "
            f"{facts['codes']:,} distinct codes; by sequence {facts['by_sequence']}; "
            f"not valid: {facts['not_valid']}; tasks {first.statuses}"
        )
        right_ids = sum(
            1
            for user_id in data.learners
            if first.results.get(user_id) == [facts["ids"].get(user_id)]
        )

        # 4. The batch again.
        say(f"\nThe same {len(data.learners):,} tasks again (all already issued) ...")
        if worker:
            with worker.measure():
                second = batch_on_worker(data.learners, data.track, worker, args.timeout, due=0)
        else:
            second = batch_eager(data.learners, data.track)
        facts_again = certificate_facts(data.track, data.learners)
        say(table(batch_rows("again", second, args.eager), ["measure", "figure", "detail"]))
        same_ids = sum(
            1
            for user_id in data.learners
            if second.results.get(user_id) == [facts["ids"].get(user_id)]
        )
        say(
            f"New certificates: {second.new_certificates}; codes unchanged: "
            f"{facts_again['code_by_user'] == facts['code_by_user']}; tasks {second.statuses}; "
            f"{same_ids:,} returned the existing certificate's id"
        )
        worker_cpu_again = sum(p.cpu_seconds for p in worker.processes.values()) if worker else None
        rows, again_cpu = cpu_figures(second, worker_cpu_again, info["cpus"])
        say(table(rows, ["CPU during the batch again", "CPU-seconds", "ms per task"]))
        say(f"Other work on the machine: {again_cpu['other_cpus']:.2f} CPUs during the batch")
        if worker:
            worker.stop()

        # 5. In this process.
        say(
            f"\nIn this process, one at a time under CaptureQueriesContext: {args.probe} eligible "
            f"learners (after one to warm up), the same again, {args.probe} not eligible ..."
        )
        probe_issues(data.probe[:1])
        fresh = probe_issues(data.probe[1:], keep_sql=args.show_queries)
        repeat = probe_issues(data.probe[1:], keep_sql=args.show_queries)
        waiting = probe_issues(data.not_eligible, keep_sql=args.show_queries)
        probe_rows = []
        for label, figures in (
            ("eligible: issues the certificate", fresh),
            ("already issued", repeat),
            ("not eligible yet (one lesson left)", waiting),
        ):
            st = figures["statements"]
            probe_rows.append(
                [label, f"{min(st)}" + (f" to {max(st)}" if max(st) != min(st) else ""),
                 f"{statistics.median(figures['ms']):.2f}", f"{max(figures['ms']):.2f}"]
            )  # fmt: skip
        say(table(probe_rows, ["issue_for_user", "statements", "ms, median", "ms, max"]))
        if args.show_queries:
            for label, figures in (
                ("an issue", fresh),
                ("an already issued", repeat),
                ("a not eligible", waiting),
            ):
                say(f"\nSQL of {label} ({len(figures['sql'])} statements):")
                for i, sql_text in enumerate(figures["sql"], 1):
                    say(f"  {i:2d}. {sql_text[:300]}")

        # Checks.
        n = len(data.learners)
        issued_per_second = n / first.certificates_s if first.certificates_s else 0.0
        checks = [
            Check(
                "certificates: one per queued learner",
                f"{facts['count']:,} of {facts['queued_learners_with_one']:,} learners",
                f"{n:,} of {n:,}",
                facts["count"] == facts["learners"] == facts["queued_learners_with_one"] == n,
            ),
            Check(
                "distinct verification codes",
                f"{facts['codes']:,}",
                f"{n:,}",
                facts["codes"] == n,
            ),
            Check(
                "every certificate sequence 1 and valid",
                f"{facts['by_sequence']}, {facts['not_valid']} not valid",
                f"{{1: {n}}}, 0",
                facts["by_sequence"] == {1: n} and facts["not_valid"] == 0,
            ),
            Check(
                "every task succeeded with its learner's certificate",
                f"{first.statuses.get('SUCCESS', 0):,} succeeded, {right_ids:,} right ids",
                f"{n:,}",
                first.statuses == {"SUCCESS": n} and right_ids == n,
            ),
            Check(
                "again: nothing new, the same codes and ids",
                f"{second.new_certificates} new, "
                f"{'same' if facts_again['code_by_user'] == facts['code_by_user'] else 'changed'}"
                f" codes, {same_ids:,} same ids",
                f"0, same, {n:,}",
                second.new_certificates == 0
                and facts_again["code_by_user"] == facts["code_by_user"]
                and second.statuses == {"SUCCESS": n}
                and same_ids == n,
            ),
            Check(
                "statements per issue (in process)",
                f"{min(fresh['statements'])} to {max(fresh['statements'])}",
                "the same for every learner",
                min(fresh["statements"]) == max(fresh["statements"])
                and all(r for r in fresh["returned"]),
            ),
        ]
        if worker:
            peak = max(p.peak_rss_kib for p in [*memory, *worker.processes.values()])
            growth = max(p.peak_rss_run_kib - p.rss_start_kib for p in memory)
            checks += [
                Check(
                    f"certificates a second, {args.concurrency} worker processes",
                    f"{issued_per_second:.1f}",
                    f">= {TARGET_PER_SECOND:.0f}",
                    issued_per_second >= TARGET_PER_SECOND,
                ),
                Check(
                    "peak RSS of any worker process",
                    f"{mib(peak)} MiB",
                    f"< {TARGET_PEAK_RSS_MIB:.0f} MiB",
                    peak / MIB < TARGET_PEAK_RSS_MIB,
                ),
                Check(
                    "RSS growth of any worker process over the first batch",
                    f"{mib(growth)} MiB",
                    f"< {TARGET_GROWTH_MIB:.0f} MiB",
                    growth / MIB < TARGET_GROWTH_MIB,
                ),
            ]
        if first_cpu["other_cpus"] > 0.25:
            say(
                f"\nWARNING: other work used {first_cpu['other_cpus']:.2f} CPUs during the first "
                "batch; the times are longer than on an idle machine. Run again when it is idle "
                "(--wait-idle)."
            )
        say("\nChecks")
        say(common.checks_table(checks))
        profile = ""
        if args.profile:
            say(f"\nProfiling {len(data.profile)} in-process issues (cProfile) ...")
            profile = profile_issues(data.profile)
            say(profile)
        elapsed = time.perf_counter() - started
        say(f"\nDone in {elapsed:.0f} s.")

        if args.json:
            args.json.write_text(
                json.dumps(
                    {
                        "machine": info,
                        "database": engine,
                        "mode": mode,
                        "cache": backend,
                        "args": {k: str(v) for k, v in vars(args).items()},
                        "setup": data.timings,
                        "first": {k: v for k, v in asdict(first).items() if k != "results"}
                        | {"per_second": issued_per_second, "timeline": made, "cpu": first_cpu},
                        "again": {k: v for k, v in asdict(second).items() if k != "results"}
                        | {"cpu": again_cpu},
                        "worker_processes": [asdict(p) for p in memory],
                        "worker_peak_total_pss_kib": peak_total_pss,
                        "worker_processes_again": [
                            asdict(p) for p in (worker.processes.values() if worker else [])
                        ],
                        "this_process_rss_kib": {"before": own_rss_before, "peak": own_peak},
                        "other_cpus_before": other_before,
                        "in_process": {
                            name: {k: v for k, v in figures.items() if k != "returned"}
                            for name, figures in (
                                ("issue", fresh),
                                ("already_issued", repeat),
                                ("not_eligible", waiting),
                            )
                        },
                        "checks": [asdict(c) for c in checks],
                        "seconds": elapsed,
                    },
                    indent=2,
                    default=str,
                )
            )
        return 1 if args.strict and not all(c.ok for c in checks) else 0
    finally:
        if worker:
            try:
                worker.stop()
            except Exception as exc:  # noqa: BLE001 - report, and still clean up the rest
                say(f"Could not stop the worker (pid {worker.proc.pid if worker.proc else '?'}): "
                    f"{exc}")  # fmt: skip
        if db:
            try:
                db.drop()
            except Exception as exc:  # noqa: BLE001 - report, and still clean up the rest
                say(f"Could not drop database {db.name}: {exc}")
        if broker_flushed is not None:
            with contextlib.suppress(Exception):
                common.flush_redis(BENCH_BROKER_URL)
        if cache == "redis":
            with contextlib.suppress(Exception):
                common.flush_redis()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    # A SIGTERM unwinds through the finally block (the worker stopped, the database dropped), as
    # Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
