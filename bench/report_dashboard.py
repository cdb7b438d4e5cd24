#!/usr/bin/env python
"""The oversight dashboard at national scale, on PostgreSQL (issue #14, requirement 11).

Run from the project root (PostgreSQL on 127.0.0.1:5432, user postgres; Redis on 127.0.0.1:6379,
db 12 as the broker and db 13 as the cache; nothing is written outside a throwaway database, a
temporary folder and those two Redis databases):

    .venv/bin/python bench/report_dashboard.py                        # the full national load
    .venv/bin/python bench/report_dashboard.py --practitioners 5000   # a quick run

What it does:

1. Creates a throwaway database ``zhusan_bench_<pid>`` (``bench.settings_pg``), migrates it and
   runs ``load_initial_data`` (the shipped course and track, the demo accounts). The shipped
   curriculum has one course of 10 lessons, so 100,000 people could never make 2,000,000
   progress rows: it imports ``--extra-courses`` copies of it (3; new slugs, titles marked
   "synthetic copy", no quizzes) each with a certification track of its own.
2. ``generate_demo_people --practitioners N --no-rebuild`` (100,000 by default): about 20
   progress rows and 1.5 certificates per person with four courses; then ``VACUUM ANALYZE``.
3. Rebuilds the report facts (``reports.facts.facts_rebuild``), timed. Target < 60 s.
4. The dashboard, ``GET /en/dashboard/`` through ``django.test.Client``: as a Ministry user
   (national) and as a regional coordinator of ``--region``; the first request, then the median
   and 95th percentile of ``--repeat`` warm ones, beside ``/bench/bare/`` with the same session
   (the fixed cost of a signed-in request). Targets: national < 300 ms, region < 100 ms (median).
5. An export of the ``practitioners`` view as CSV, every practitioner (one row each), queued with
   ``reports.export_jobs.export_job_create`` to a real Celery worker (production settings),
   sampling the worker's memory from ``/proc``. Target: the worker's peak RSS < 150 MB.

Prints the figures and PASS/FAIL; exits 0 unless ``--strict`` and a check fails. The database
is dropped at the end, also on an error or Ctrl-C (``--keep-db`` keeps it). See
``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import BENCH_BROKER_URL, common
from bench.common import Check, say, table

TARGET_REBUILD_S = 60.0
TARGET_NATIONAL_MS = 300.0
TARGET_REGION_MS = 100.0
TARGET_WORKER_MB = 150.0
DASHBOARD = "/en/dashboard/"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/report_dashboard.py",
        description="Benchmark the oversight dashboard on PostgreSQL with synthetic practitioners.",
        epilog=(
            f"Targets: facts rebuilt < {TARGET_REBUILD_S:.0f} s; national dashboard warm median "
            f"< {TARGET_NATIONAL_MS:.0f} ms; one region < {TARGET_REGION_MS:.0f} ms; export "
            f"of every practitioner with the worker's peak RSS < {TARGET_WORKER_MB:.0f} MB."
        ),
    )
    parser.add_argument("--practitioners", type=int, default=100_000, metavar="N",
                        help="synthetic practitioners (default 100000)")  # fmt: skip
    parser.add_argument("--extra-courses", type=int, default=3, metavar="N",
                        help="copies of the shipped course, with a track each (3)")  # fmt: skip
    parser.add_argument("--region", default="KZ-75", help="the coordinator's region (KZ-75)")
    parser.add_argument("--repeat", type=int, default=20, metavar="N",
                        help="warm requests per page (default 20)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--worker-settings", default="curriculum.settings.production")
    parser.add_argument("--export-timeout", type=float, default=900.0, metavar="SECONDS")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a check fails")
    common.add_cache_option(parser, locmem="locmem")
    common.add_postgres_options(parser)
    args = parser.parse_args(argv)
    if args.practitioners < 1 or args.repeat < 1 or args.extra_courses < 0:
        parser.error("need --practitioners >= 1, --repeat >= 1, --extra-courses >= 0")
    return args


_SIGNALS: list[int] = []


def on_signal(signum: int, _frame: Any) -> None:
    _SIGNALS.append(signum)
    raise KeyboardInterrupt if signum == signal.SIGINT else SystemExit(128 + signum)


def configure(tmp: Path, cache: str, db: common.PostgresDatabase) -> None:
    common.configure_django_environment(
        tmp,
        settings_module="bench.settings_pg",
        db_file="unused.sqlite3",
        cache=cache,
        extra={
            "DB_CONN_MAX_AGE": "3600",
            "CELERY_BROKER_URL": BENCH_BROKER_URL,
            "REPORTS_EXPORT_ROOT": str(tmp / "exports"),
            **db.environment(),
        },
    )


def worker_environment(
    tmp: Path, cache: str, db: common.PostgresDatabase, settings_module: str
) -> dict[str, str]:
    """Production settings on the run's database and broker (as ``certificate_issuing``)."""
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
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "localhost",
        "SITE_URL": "https://academy.example.kz",
        "MEDIA_ROOT": str(tmp / "media"),
        "REPORTS_EXPORT_ROOT": str(tmp / "exports"),
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }
    if cache == "redis":
        env["REDIS_URL"] = common.BENCH_REDIS_URL
    return env


def extra_courses(tmp: Path, count: int) -> Path:
    """``count`` copies of the shipped course (no quizzes) and a track for each, in a folder."""
    source = common.ROOT / "content" / "trauma-informed-care"
    folder = tmp / "extra-courses"
    folder.mkdir()
    tracks = []
    for k in range(2, count + 2):
        slug = f"trauma-informed-care-copy-{k}"
        target = folder / slug
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("quizzes"))
        course = target / "course.md"
        text = course.read_text()
        text = re.sub(r"^slug: .*$", f"slug: {slug}", text, count=1, flags=re.M)
        text = re.sub(
            r"^title: (.*)$", rf"title: \1 (synthetic copy {k})", text, count=1, flags=re.M
        )
        course.write_text(text)
        tracks.append(
            f"- slug: demo-track-{k}\n  name: Demo track {k} (synthetic)\n"
            f"  issuing_body: Zhusan Academy\n  description: A synthetic track for the benchmark.\n"
            f"  validity_months: 24\n  renewal_window_days: 90\n  renewal_rule: repass\n"
            f"  courses:\n    - {slug}\n"
        )
    (folder / "certification-tracks.yaml").write_text("".join(tracks))
    return folder


def get(client: Any, url: str) -> tuple[float, int]:
    t = time.perf_counter()
    response = client.get(url)
    return (time.perf_counter() - t) * 1000, response.status_code


def measure(client: Any, url: str, repeat: int) -> dict[str, float]:
    first, status = get(client, url)
    if status != 200:
        raise RuntimeError(f"GET {url} answered {status}")
    times = sorted(get(client, url)[0] for _ in range(repeat))
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return {"first": first, "median": statistics.median(times), "p95": p95}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    common.ensure_django(__file__, argv)
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="zhusan-bench-"))
    db = common.PostgresDatabase(args)
    worker: common.CeleryWorker | None = None
    cache = ""
    try:
        cache, why = common.choose_cache(args.cache)
        if cache == "redis":
            common.flush_redis()
        common.flush_redis(BENCH_BROKER_URL)
        pg_version = db.create_or_exit()
        configure(tmp, cache, db)
        import django

        django.setup()
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        say(
            common.machine_line("Dashboard benchmark", common.machine(), f"PostgreSQL {pg_version}")
        )
        say(f"Database {db.name}; cache {cache} ({why}); load average {common.load_average()}")

        timings: dict[str, float] = {}
        with common.timed(timings, "migrate"):
            call_command("migrate", verbosity=0, interactive=False)
        with common.timed(timings, "load_initial_data"):
            call_command("load_initial_data", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        if args.extra_courses:
            with common.timed(timings, f"{args.extra_courses} extra courses and tracks"):
                folder = extra_courses(tmp, args.extra_courses)
                call_command("import_curriculum", str(folder), verbosity=0)
                call_command("import_tracks", str(folder / "certification-tracks.yaml"),
                             verbosity=0)  # fmt: skip
        say(f"\nGenerating {args.practitioners:,} synthetic practitioners ...")
        with common.timed(timings, "generate_demo_people"):
            call_command("generate_demo_people", practitioners=args.practitioners,
                         seed=args.seed, no_rebuild=True, verbosity=1)  # fmt: skip
        with common.timed(timings, "VACUUM ANALYZE"), connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        from certification.models import Certificate
        from learners.models import CoordinatorRegion, LessonProgress

        counts = {
            "practitioners": args.practitioners,
            "LessonProgress rows": LessonProgress.objects.count(),
            "certificates": Certificate.objects.count(),
        }
        say(table([[k, f"{v:.1f}"] for k, v in timings.items()], ["step", "seconds"]))
        say("; ".join(f"{k}: {v:,}" for k, v in counts.items()))

        say("\nRebuilding the report facts ...")
        from reports.facts import facts_rebuild

        t = time.perf_counter()
        facts_rebuild()
        rebuild_s = time.perf_counter() - t
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        say(f"  {rebuild_s:.1f} s")

        user_model = get_user_model()
        ministry = user_model.objects.create_user("bench-ministry", email="m@example.invalid")
        ministry.groups.add(Group.objects.get(name="Ministry"))
        # The practitioners view lists names: the exporting analyst may see them.
        from django.contrib.auth.models import Permission

        ministry.user_permissions.add(
            Permission.objects.get(codename="view_names", content_type__app_label="reports")
        )
        coordinator = user_model.objects.create_user("bench-coord", email="c@example.invalid")
        coordinator.groups.add(Group.objects.get(name="Regional coordinator"))
        CoordinatorRegion.objects.create(user=coordinator, region=args.region)
        results: dict[str, dict[str, float]] = {}
        for label, user in (("national (Ministry)", ministry),
                            (f"region {args.region} (coordinator)", coordinator)):  # fmt: skip
            client = Client()
            client.force_login(user)
            results[label] = measure(client, DASHBOARD, args.repeat)
            results[f"  bare view, same session ({label.split()[0]})"] = measure(
                client, "/bench/bare/", args.repeat
            )
        say(f"\nDashboard {DASHBOARD} (django.test.Client; {args.repeat} warm requests)")
        say(
            table(
                [[k, f"{v['first']:.0f}", f"{v['median']:.1f}", f"{v['p95']:.1f}"]
                 for k, v in results.items()],
                ["page", "first ms", "median ms", "p95 ms"],
            )
        )  # fmt: skip

        say("\nExport: the practitioners view as CSV through a Celery worker ...")
        worker = common.CeleryWorker(
            concurrency=1,
            env=worker_environment(tmp, cache, db, args.worker_settings),
            log=tmp / "worker.log",
            hostname=f"bench-dashboard-{os.getpid()}@localhost",
        )
        say(f"  worker ready in {worker.start():.1f} s ({args.worker_settings})")
        from reports.export_jobs import export_job_create
        from reports.models import ExportJob

        with worker.measure():
            t = time.perf_counter()
            job = export_job_create(
                user=ministry, view="people", format="csv", query="", language="en"
            )
            while time.perf_counter() - t < args.export_timeout:
                job = ExportJob.objects.get(pk=job.pk)
                if job.finished or not worker.alive():
                    break
                time.sleep(0.5)
            export_s = time.perf_counter() - t
        peak_kib = max((p.peak_rss_kib for p in worker.processes.values()), default=0)
        child_kib = max(
            (p.peak_rss_kib for p in worker.processes.values() if p.role == "child"), default=0
        )
        say(
            f"  {job.status} in {export_s:.1f} s: {job.done:,} of {job.total:,} rows, "
            f"{job.file_size:,} bytes; worker peak RSS {peak_kib / 1024:.0f} MiB "
            f"(the child running the task {child_kib / 1024:.0f} MiB)"
            + (f"; error: {job.error}" if job.error else "")
        )
        if job.status != ExportJob.Status.DONE:
            say(worker.log_tail())

        national = results["national (Ministry)"]
        region = results[f"region {args.region} (coordinator)"]
        checks = [
            Check("report facts rebuilt", f"{rebuild_s:.1f} s", f"< {TARGET_REBUILD_S:.0f} s",
                  rebuild_s < TARGET_REBUILD_S),
            Check("national dashboard, warm median", f"{national['median']:.0f} ms",
                  f"< {TARGET_NATIONAL_MS:.0f} ms", national["median"] < TARGET_NATIONAL_MS),
            Check(f"region {args.region}, warm median", f"{region['median']:.0f} ms",
                  f"< {TARGET_REGION_MS:.0f} ms", region["median"] < TARGET_REGION_MS),
            Check(f"export of {args.practitioners:,} rows, worker peak RSS",
                  f"{peak_kib / 1024:.0f} MiB", f"< {TARGET_WORKER_MB:.0f} MB",
                  job.status == ExportJob.Status.DONE
                  and peak_kib * 1024 < TARGET_WORKER_MB * 1_000_000),
            Check("sanity: export rows", f"{job.done:,}", f">= {args.practitioners:,}",
                  job.done >= args.practitioners),
        ]  # fmt: skip
        say("\nTargets")
        say(common.checks_table(checks))
        say(f"\nDone in {time.perf_counter() - started:.0f} s.")
        return 1 if args.strict and not all(c.ok for c in checks) else 0
    finally:
        if worker is not None:
            worker.stop()
        if args.keep_db and db.created:
            say(f"Kept database {db.name}.")
        else:
            with contextlib.suppress(Exception):
                db.drop()
        with contextlib.suppress(Exception):
            common.flush_redis(BENCH_BROKER_URL)
            if cache == "redis":
                common.flush_redis()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
