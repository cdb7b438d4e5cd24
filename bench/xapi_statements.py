#!/usr/bin/env python
"""xAPI statements: how many a second the store takes through its view, one at a time and ten
to a request, on PostgreSQL.

Run from the project root with one command (PostgreSQL on 127.0.0.1:5432, user postgres;
nothing is written outside a throwaway database, a temporary folder and db 13 of a local Redis):

    .venv/bin/python bench/xapi_statements.py                  # about a minute, 2-core VM
    .venv/bin/python bench/xapi_statements.py --statements 200 # a smoke run, a few seconds
    .venv/bin/python bench/xapi_statements.py --sqlite         # no PostgreSQL: SQLite, in a folder
    .venv/bin/python bench/xapi_statements.py --help

What it does:

1. Creates a throwaway PostgreSQL database ``zhusan_bench_<pid>`` (``bench.settings_pg``: the
   test settings with ``DEBUG`` off and the cache as production runs it), migrates it, and makes
   one practitioner (with a profile, as a learner playing an activity has).
2. Signs the practitioner in on ``django.test.Client(enforce_csrf_checks=True)``, which sends
   each request through the whole middleware stack to the real view, as the lesson page's script
   does: ``POST /xapi/statements`` with the session, the ``X-CSRFToken`` header and
   ``X-Experience-API-Version: 1.0.3``. Every installed listener runs (``activities`` derives
   completion from ``completed`` statements), as in production.
3. For each batch size (``--batches``, 1 and 10): posts ``--statements`` statements (2,000), in
   requests of that many statements, shaped as H5P sends them (an ``answered`` or
   ``interacted`` statement with a result and context activities, one in ten ``completed`` with a
   score), after ``--warm-up`` requests (20) not counted. Reports statements and requests a
   second, milliseconds per request (median, p95, max), the SQL queries of a request (the
   store's are the same whatever the batch size; a request holding a ``completed`` statement
   costs the ``activities`` listener one more), and checks that every request answered 200 and
   that every statement is stored once.
4. Times ``GET /xapi/statements`` (a page of 100, newest first) and with a verb filter, over
   the statements stored.

Prints the figures, the machine and the commit; exits 0 whatever the figures unless ``--strict``
is given (then 1 when a check fails). The database is dropped at the end, also on an error,
Ctrl-C or SIGTERM. See ``docs/xapi.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import signal
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# Run as a script, Python puts bench/ on sys.path, not the project root that holds the package.
if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.common import Check, say, table

ACTIVITY = "/h5p/activities/bench-activity"
VERBS = {
    "answered": "http://adlnet.gov/expapi/verbs/answered",
    "interacted": "http://adlnet.gov/expapi/verbs/interacted",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
}
HEADERS = {"HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}
LIBRARY = "http://h5p.org/libraries/H5P.MultiChoice-1.16"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/xapi_statements.py",
        description=(
            "Benchmark the xAPI statement store: statements per second through POST "
            "/xapi/statements (session, CSRF, the whole middleware stack, the listeners), one "
            "statement per request and several, on a throwaway PostgreSQL database."
        ),
        epilog=(
            "Checks: every request answered 200; every statement stored once; the same largest "
            "number of SQL queries per request whatever the batch size. Times are reported "
            "without a target. Exit status is 0 unless --strict is given and a check fails."
        ),
    )
    parser.add_argument(
        "--statements",
        type=int,
        default=2000,
        metavar="N",
        help="statements posted for each batch size (2000)",
    )
    parser.add_argument(
        "--batches",
        default="1,10",
        metavar="N,N,...",
        help="statements per request, one run each (1,10)",
    )
    parser.add_argument(
        "--warm-up", type=int, default=20, metavar="N", help="requests not counted (20)"
    )
    parser.add_argument(
        "--sqlite", action="store_true", help="SQLite in a temporary folder, not PostgreSQL"
    )
    common.add_postgres_options(parser)
    common.add_cache_option(parser, locmem="locmem")
    parser.add_argument(
        "--json", type=Path, metavar="FILE", help="also write the figures to FILE as JSON"
    )
    common.add_wait_idle_option(
        parser,
        help_text="before posting, wait up to SECONDS for the machine to be idle (default 0)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a check fails")
    args = parser.parse_args(argv)
    try:
        args.batch_sizes = [int(n) for n in args.batches.split(",") if n.strip()]
    except ValueError:
        parser.error("--batches takes whole numbers separated by commas")
    if min([args.statements, *args.batch_sizes]) < 1 or args.warm_up < 0:
        parser.error("--statements and --batches must be >= 1, --warm-up >= 0")
    return args


def configure(tmp: Path, cache: str, db: common.PostgresDatabase | None) -> None:
    """Point Django at the throwaway PostgreSQL database (or SQLite in ``tmp``)."""
    common.configure_django_environment(
        tmp,
        settings_module="bench.settings_pg" if db else "bench.settings",
        db_file="db.sqlite3",
        cache=cache,
        # One connection for the whole run, as a worker keeps between requests.
        extra={"DB_CONN_MAX_AGE": "3600", **(db.environment() if db else {})},
    )


# --------------------------------------------------------------------------------------------
# The learner, the client and the statements


def signed_in_client() -> tuple[Any, Any, str]:
    """A practitioner, a client signed in as them with CSRF checks on, and the token."""
    from django.test import Client
    from django.utils.crypto import get_random_string

    from tests.factories import practitioner

    user = practitioner(first_name="Aigul", last_name="Bench")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    token = get_random_string(32)
    client.cookies["csrftoken"] = token  # the cookie's value goes in X-CSRFToken
    return user, client, token


def statement(user: Any, n: int, site: str) -> dict[str, Any]:
    """The n-th statement of a learner playing an H5P activity: mostly answers and
    interactions, one in ten ``completed`` with a score."""
    from xapi.api import actor_for

    kind = "completed" if n % 10 == 9 else ("answered" if n % 2 else "interacted")
    activity = f"{site}{ACTIVITY}"
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": actor_for(user),
        "verb": {"id": VERBS[kind], "display": {"en-US": kind}},
        "object": {
            "objectType": "Activity",
            "id": activity if kind == "completed" else f"{activity}?subContentId={n % 7}",
            "definition": {
                "name": {"en-US": "Crossing the river"},
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                "interactionType": "choice",
                "correctResponsesPattern": ["1"],
                "choices": [
                    {"id": str(i), "description": {"en-US": f"Option {i}"}} for i in range(4)
                ],
            },
        },
        "context": {
            "contextActivities": {
                "parent": [{"id": activity, "objectType": "Activity"}],
                "category": [{"id": LIBRARY, "objectType": "Activity"}],
            },
            "extensions": {"http://h5p.org/x-api/h5p-local-content-id": 1},
        },
        "result": {
            "score": {"min": 0, "max": 4, "raw": n % 5, "scaled": (n % 5) / 4},
            "completion": True,
            "success": n % 5 >= 3,
            "duration": f"PT{n % 60}.{n % 100:02d}S",
            "response": "1",
        },
        "timestamp": "2024-05-01T10:30:00.000Z",
    }
    return body


@dataclass
class Run:
    """One batch size: its requests' times, statuses and queries."""

    batch: int
    statements: int
    requests: int = 0
    seconds: float = 0.0
    ms: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    queries: list[int] = field(default_factory=list)
    stored: int = 0

    @property
    def per_second(self) -> float:
        return self.statements / self.seconds if self.seconds else 0.0


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of ``values`` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def post_batches(client: Any, token: str, user: Any, batch: int, total: int, warm: int) -> Run:
    """Post ``total`` statements in requests of ``batch`` (after ``warm`` requests); count the
    SQL queries of the first ten timed requests (counting costs time: only those)."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xapi.models import Statement

    site = settings.SITE_URL
    counter = iter(range(10**9))

    def body(size: int) -> str:
        return json.dumps([statement(user, next(counter), site) for _ in range(size)])

    def send(payload: str) -> int:
        response = client.post(
            "/xapi/statements", payload, content_type="application/json",
            HTTP_X_CSRFTOKEN=token, **HEADERS,
        )  # fmt: skip
        return int(response.status_code)

    for _ in range(warm):
        send(body(batch))
    before = Statement.objects.count()
    run = Run(batch=batch, statements=0)
    payloads = []
    remaining = total
    while remaining > 0:
        size = min(batch, remaining)
        payloads.append(body(size))  # built before the clock starts
        remaining -= size
    for index, payload in enumerate(payloads[:10]):
        with CaptureQueriesContext(connection) as context:
            status = send(payload)
        run.queries.append(len(context.captured_queries))
        run.statuses[str(status)] = run.statuses.get(str(status), 0) + 1
        payloads[index] = ""
    start = time.perf_counter()
    for payload in payloads[10:]:
        t = time.perf_counter()
        status = send(payload)
        run.ms.append((time.perf_counter() - t) * 1000)
        run.statuses[str(status)] = run.statuses.get(str(status), 0) + 1
    run.seconds = time.perf_counter() - start
    timed = len(payloads) - min(10, len(payloads))
    run.requests = timed
    run.statements = max(0, total - min(10, len(payloads)) * batch)
    run.stored = Statement.objects.count() - before
    return run


def time_gets(client: Any, repeat: int = 30) -> dict[str, float]:
    """Median ms of a GET of the newest 100, and of the same with a verb filter."""
    figures = {}
    for label, query in (
        ("GET newest 100", {}),
        ("GET verb=completed (100)", {"verb": VERBS["completed"]}),
    ):
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            response = client.get("/xapi/statements", query, **HEADERS)
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, response.content[:300]
        figures[label] = statistics.median(times)
    return figures


# --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    common.ensure_django(__file__, argv)
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="zhusan-bench-"))
    db = None if args.sqlite else common.PostgresDatabase(args)
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
        from django.core.management import call_command

        if not db:
            engine = f"SQLite {sqlite3.sqlite_version}"
        info = common.machine()
        say(common.machine_line("xAPI statements benchmark", info, engine))
        where = f"database {db.name} (dropped at the end)" if db else f"temporary folder {tmp}"
        say(f"{where.capitalize()}; load average at start: {common.load_average() or 'unknown'}")
        backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[1]
        say(f"Cache: {backend} ({why}" + (f"; db 13 flushed, {flushed} keys)" if flushed else ")"))

        say("\nMigrating and signing a practitioner in ...")
        t = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        user, client, token = signed_in_client()
        say(f"  {time.perf_counter() - t:.1f} s")
        from xapi import listeners

        say(
            "Statement listeners: "
            + (", ".join(f"{f.__module__}.{f.__qualname__}" for f in listeners._LISTENERS)
               or "none")
        )  # fmt: skip
        if args.wait_idle:
            common.wait_for_idle_verbosely(args.wait_idle, blank_line=True)

        runs = []
        for batch in args.batch_sizes:
            say(
                f"\nPosting {args.statements:,} statements, {batch} a request "
                f"(after {args.warm_up} requests to warm up) ..."
            )
            runs.append(post_batches(client, token, user, batch, args.statements, args.warm_up))
        rows = [
            [
                f"{run.batch} a request",
                f"{run.per_second:,.0f}",
                f"{run.requests / run.seconds if run.seconds else 0:,.0f}",
                f"{statistics.median(run.ms):.2f}" if run.ms else "-",
                f"{percentile(run.ms, 0.95):.2f}" if run.ms else "-",
                f"{max(run.ms):.2f}" if run.ms else "-",
                f"{min(run.queries)} to {max(run.queries)}" if run.queries else "-",
            ]
            for run in runs
        ]
        say(
            table(
                rows,
                ["batch", "statements/s", "requests/s", "ms median", "ms p95", "ms max",
                 "queries"],
            )
        )  # fmt: skip
        gets = time_gets(client)
        say(table([[k, f"{v:.2f}"] for k, v in gets.items()], ["read", "ms, median of 30"]))

        # The store's own queries do not depend on the batch; the listeners' may depend on what
        # a batch holds (a ``completed`` statement), so compare the largest of each size.
        queries = {max(run.queries) for run in runs if run.queries}
        checks = [
            Check(
                "every request answered 200",
                ", ".join(f"{run.batch}: {run.statuses}" for run in runs),
                "200 only",
                all(set(run.statuses) == {"200"} for run in runs),
            ),
            Check(
                "every statement stored once",
                ", ".join(f"{run.batch}: {run.stored:,}" for run in runs),
                f"{args.statements:,} each",
                all(run.stored == args.statements for run in runs),
            ),
            Check(
                "most queries of a request, whatever the batch size",
                ", ".join(f"{run.batch}: {max(run.queries)}" for run in runs if run.queries),
                "the same",
                len(queries) == 1,
            ),
        ]
        say("\nChecks")
        say(common.checks_table(checks))
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
                        "runs": [asdict(run) | {"per_second": run.per_second} for run in runs],
                        "gets_ms": gets,
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
