#!/usr/bin/env python
"""The oversight dashboard at national scale: 100,000 synthetic practitioners on PostgreSQL.

``make bench-dashboard`` (``BENCH_ARGS="--practitioners 5000"`` for a quick run). The shipped
curriculum and ``generate_demo_people``; the report facts rebuilt; ``GET /en/dashboard/`` for a
Ministry user and a regional coordinator, each beside ``/bench/bare/`` in the same session; a CSV
export of every practitioner through a Celery worker. See docs/benchmarks.md.
"""

import io
import statistics
import sys
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.common import Check, say

MAX_REBUILD_S = 60.0
MAX_NATIONAL_MS = 300.0
MAX_REGION_MS = 100.0
MAX_WORKER_MB = 150.0  # peak RSS of the worker's processes during the export, in MB (10**6)
REGION = "KZ-75"


def main(argv: list[str] | None = None) -> int:
    args = common.arguments(__doc__, argv, ("--practitioners", 100_000, "practitioners"))
    with common.django_run("Oversight dashboard", shipped=True) as tmp:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group, Permission
        from django.core.management import call_command
        from django.db import connection

        from learners.models import CoordinatorRegion
        from reports.export_jobs import export_job_create
        from reports.facts import facts_rebuild
        from reports.models import ExportJob

        options = {"practitioners": args.practitioners, "no_rebuild": True, "verbosity": 0}
        generate = partial(call_command, "generate_demo_people", stdout=io.StringIO(), **options)
        people = common.repeat(generate, 1)
        common.analyze()
        with common.Idle() as idle:
            rebuild = common.repeat(facts_rebuild, 1)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            user = get_user_model()
            ministry = user.objects.create_user("bench-ministry", email="m@example.invalid")
            ministry.groups.add(Group.objects.get(name="Ministry"))
            ministry.user_permissions.add(Permission.objects.get(codename="view_names"))
            coordinator = user.objects.create_user("bench-coordinator", email="c@example.invalid")
            coordinator.groups.add(Group.objects.get(name="Regional coordinator"))
            CoordinatorRegion.objects.create(user=coordinator, region=REGION)
            pages = {}
            for label, reader in (("national", ministry), (REGION, coordinator)):
                client = common.signed_in(reader)
                pages[label] = common.repeat(partial(client.get, "/en/dashboard/"), 16)
                assert client.get("/en/dashboard/").status_code == 200
                pages[f"{label}: bare view"] = common.repeat(
                    partial(client.get, "/bench/bare/"), 16
                )
        rows = [[label, ms[0], *common.spread(ms[1:])] for label, ms in pages.items()]
        say(common.table(rows, ["GET /en/dashboard/", "first ms", "median", "p95", "max"]))
        steps = {"generate_demo_people": people[0] / 1000, "facts_rebuild()": rebuild[0] / 1000}

        worker = common.CeleryWorker(tmp / "worker.log", concurrency=1)
        with worker, worker.measure() as memory:
            job = export_job_create(
                user=ministry, view="people", format="csv", query="", language="en"
            )
            t = time.perf_counter()
            while not job.finished and worker.alive() and time.perf_counter() - t < 900:
                time.sleep(0.5)
                job = ExportJob.objects.get(pk=job.pk)
            export_s = time.perf_counter() - t
        peak_mb = max(rss[2] for rss in memory.values()) * 1024 / 1e6
        say(
            f"Export: {job.status}, {job.done:,} rows in {export_s:.1f} s; worker peak RSS "
            f"{peak_mb:.0f} MB; {', '.join(f'{k} {v:.1f} s' for k, v in steps.items())}"
        )

        national, region = (statistics.median(pages[k][1:]) for k in ("national", REGION))
        exported = [str(job.status), job.done >= args.practitioners]
        checks = [
            Check.below("report facts rebuilt", steps["facts_rebuild()"], MAX_REBUILD_S, "s"),
            Check.below("national dashboard, warm median", national, MAX_NATIONAL_MS, "ms"),
            Check.below(f"region {REGION}, warm median", region, MAX_REGION_MS, "ms"),
            Check.below("export: the worker's peak RSS", peak_mb, MAX_WORKER_MB, "MB"),
            Check.equal("export: state, every row", exported, ["done", True]),
        ]
        return common.report(checks, idle, strict=args.strict)


if __name__ == "__main__":
    raise SystemExit(main())
