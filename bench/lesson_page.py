#!/usr/bin/env python
"""Lesson page benchmark: what learners get from the site as the README deploys it.

    .venv/bin/python bench/lesson_page.py             # 4.5 minutes (the first run 4 more)
    .venv/bin/python bench/lesson_page.py --profile   # where a signed-in lesson request goes

Production settings (``bench.settings``) on a PostgreSQL database copied from a template of the
shipped curriculum, the Redis cache, and gunicorn with ``curriculum/gunicorn.conf.py``: one
server as deployed, one with ``PAGE_CACHE_SECONDS=0`` (every anonymous page rendered). wrk drives
each page beside ``/bench/bare/`` (the signed-in lesson page's size, the same middleware, the
same cookie) in three alternating rounds. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# Run as a script, Python puts bench/ on sys.path, not the project root that holds the package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.common import Check, say, table

COURSE = "trauma-informed-care"
MAX_QUERIES = 4  # per signed-in lesson page, warm worker

#: Each series: label, server ("on": as deployed; "off": no page cache), page, signed in, and the
#: target share of the requests/s of the bare view before it in the list (same server, same
#: cookie, same round); ``None`` for the bare views themselves.
SERIES: list[tuple[str, str, str, bool, float | None]] = [
    ("bare, signed in", "on", "bare", True, None),
    ("lesson, signed in", "on", "lesson", True, 0.30),
    ("course, signed in", "on", "course", True, 0.20),
    ("module, signed in", "on", "module", True, 0.20),
    ("My learning, signed in", "on", "learn", True, 0.20),
    ("bare, anonymous", "on", "bare", False, None),
    ("lesson, anonymous, page cache hit", "on", "lesson", False, 1.00),
    ("bare, anonymous, page cache off", "off", "bare", False, None),
    ("lesson, anonymous, page cache miss", "off", "lesson", False, 0.25),
]

#: Where a signed-in lesson request's time goes (common.profile_breakdown): label (indented
#: under what it is part of), file suffix, function.
PROFILE_PARTS = [
    ("whole request (Django's WSGI handler)", "django/core/handlers/wsgi.py", "__call__"),
    ("  session + user (auth.get_user)", "django/contrib/auth/__init__.py", "get_user"),
    ("    session load", "django/contrib/sessions/backends/db.py", "load"),
    ("  routing: page memo (routing._route_from_memo)", "courses/routing.py", "_route_from_memo"),
    ("  routing: Wagtail's route_for_request", "wagtail/models/pages.py", "route_for_request"),
    ("  view restrictions", "courses/models.py", "get_view_restrictions"),
    ("  get_context", "courses/models.py", "get_context"),
    ("  template render", "django/template/response.py", "rendered_content"),
    ("    panels (core.panels.render_panels)", "core/panels.py", "render_panels"),
    ("ORM: querysets evaluated (compile + run + rows)", "django/db/models/query.py", "_fetch_all"),
    ("  query compilation (as_sql)", "django/db/models/sql/compiler.py", "as_sql"),
    ("  query execution (cursor)", "django/db/backends/utils.py", "_execute"),
    ("page URLs (Page.get_url)", "wagtail/models/pages.py", "get_url"),
    ("named URLs (django.urls.reverse)", "django/urls/base.py", "reverse"),
]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/lesson_page.py", description=__doc__)
    parser.add_argument("--seconds", type=int, default=8, help="wrk's -d per series (8)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (3)")
    parser.add_argument(
        "--profile", type=int, nargs="?", const=200, default=0, metavar="N",
        help="instead of the load: cProfile N warm signed-in lesson requests in process (200)",
    )  # fmt: skip
    parser.add_argument(
        "--page", choices=["lesson", "module", "course", "learn"], default="lesson",
        help="the signed-in page --profile measures (lesson)",
    )  # fmt: skip
    parser.add_argument("--fresh", action="store_true", help="rebuild the template database")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures here")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    return parser.parse_args(argv)


def learner_and_pages() -> tuple[str, str, dict[str, str]]:
    """A practitioner with a profile, enrolled in the course with the first half of its lessons
    done, signed in: their session cookie, their name, and the URLs under test (the first lesson
    not done, in the middle of the course; its module; the course; My learning)."""
    from django.conf import settings
    from django.test import Client

    from accounts.api import Role, account_create
    from courses.api import CoursePage, LessonPage
    from learners.api import enrollment_create, lesson_progress_complete
    from learners.services import profile_save

    course = CoursePage.objects.live().get(slug=COURSE, locale__language_code="en")
    lessons = list(LessonPage.objects.live().descendant_of(course).order_by("path"))
    lesson = lessons[len(lessons) // 2]  # a previous and a next lesson
    user = account_create(email="aigul.bench@example.org", role=Role.PRACTITIONER)
    user.first_name, user.last_name = "Aigul", "Benchmarkova"
    user.save(update_fields=["first_name", "last_name"])
    profile_save(user=user, specialty="psychologist", region="KZ-75",
                 organisation="School No. 1 (fictional)", preferred_language="en")  # fmt: skip
    enrollment_create(user=user, course=course)
    for done in lessons[: len(lessons) // 2]:
        lesson_progress_complete(user=user, lesson=done)
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    urls = {"lesson": lesson.url, "module": lesson.get_parent().url, "course": course.url,
            "learn": "/en/learn/", "bare": "/bench/bare/"}  # fmt: skip
    return f"{name}={client.cookies[name].value}", user.get_full_name(), urls


def wsgi_get(app: Any, path: str, cookie: str = "") -> tuple[str, bytes]:
    """A GET through Django's WSGI handler in this process, no server: status and body."""
    from wsgiref.util import setup_testing_defaults

    environ: dict[str, Any] = {"PATH_INFO": path, "HTTP_HOST": "127.0.0.1", "HTTP_COOKIE": cookie}
    setup_testing_defaults(environ)
    status: list[str] = []
    chunks = app(environ, lambda s, headers, exc_info=None: status.append(s))
    try:
        return status[0], b"".join(chunks)
    finally:
        chunks.close()


def queries(app: Any, path: str, cookie: str = "") -> int:
    """Queries of one request on a warm worker (after 3 requests), counted on the connection:
    Django's request_started signal empties ``connection.queries``."""
    from django.db import connection

    for _ in range(3):
        wsgi_get(app, path, cookie)
    count = 0

    def counted(execute: Any, *args: Any) -> Any:
        nonlocal count
        count += 1
        return execute(*args)

    with connection.execute_wrapper(counted):
        status, _body = wsgi_get(app, path, cookie)
    if not status.startswith("200"):
        raise RuntimeError(f"GET {path} answered {status} in process")
    return count


def warm_up(server: common.Gunicorn, path: str, cookie: str, name: str) -> None:
    """A few requests, each on a new connection: every one a 200, and signed in when ``cookie``
    (the page names the learner or offers "Log out")."""
    for _ in range(12):
        status, body = common.http_get(server.url + path, cookie)
        signed_in = name.encode() in body or b"Log out" in body
        if status != 200 or (cookie and path != "/bench/bare/" and not signed_in):
            raise RuntimeError(f"warm-up: GET {path} answered {status}, signed in: {signed_in}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    common.exit_cleanly_on_signals()
    tmp = Path(tempfile.mkdtemp(prefix="zhusan-bench-lesson-"))
    db = common.PostgresDatabase()
    servers: dict[str, common.Gunicorn] = {}
    try:
        env = common.production_environment(tmp, db)
        common.flush_redis()
        log = tmp / "setup.log"
        t = time.perf_counter()
        built = common.shipped_site(db, env, log, fresh=args.fresh)
        collected = common.collect_static(env, log, fresh=args.fresh)
        say(f"Set-up {time.perf_counter() - t:.0f} s (template database "
            f"{'built' if built else 'reused'}, static files "
            f"{'collected' if collected else 'reused'})")  # fmt: skip
        import django
        import gunicorn

        django.setup()
        from django.core.wsgi import get_wsgi_application
        from django.db import connection
        from django.test import override_settings

        cookie, name, urls = learner_and_pages()
        app = get_wsgi_application()
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            postgres = cursor.fetchone()[0]
        redis = common.redis_db().info("server")["redis_version"]
        versions = f"PostgreSQL {postgres}, Redis {redis}, gunicorn {gunicorn.__version__}"
        common.header("Lesson page benchmark", versions)
        say(f"Pages: {', '.join(f'{k} {v}' for k, v in urls.items())}")

        counts = {}
        for label, state, page, signed, target in SERIES:
            if target is not None:  # each page as its server has it: page cache on or off
                with override_settings(**({"PAGE_CACHE_SECONDS": 0} if state == "off" else {})):
                    counts[label] = queries(app, urls[page], cookie if signed else "")
        say("\nQueries per request, warm worker (in process): "
            + "; ".join(f"{k} {v}" for k, v in counts.items()))  # fmt: skip
        if args.profile:
            for _ in range(20):
                wsgi_get(app, urls[args.page], cookie)
            say("\n" + common.profile_breakdown(
                lambda: wsgi_get(app, urls[args.page], cookie), args.profile, PROFILE_PARTS,
                what=f"warm signed-in {args.page} requests", ms_digits=2, top_tottime=15,
            ))  # fmt: skip
            return 0

        size = len(wsgi_get(app, urls["lesson"], cookie)[1])
        for state in ("on", "off"):
            extra = {"BENCH_BARE_BYTES": str(size)}
            if state == "off":
                extra["PAGE_CACHE_SECONDS"] = "0"
            servers[state] = common.Gunicorn({**env, **extra}, tmp / f"gunicorn-{state}.log")
            servers[state].start()
        for _label, state, page, signed, _target in SERIES:
            warm_up(servers[state], urls[page], cookie if signed else "", name)

        say(f"\nwrk -t2 -c8 -d{args.seconds}s per series, {args.rounds} alternating rounds ...")
        runs: dict[str, list[common.Load]] = {label: [] for label, *_ in SERIES}
        ratios: dict[str, list[float]] = {label: [] for label, *_ in SERIES}
        with common.Idle() as idle:
            for _ in range(args.rounds):
                for label, state, page, signed, target in SERIES:
                    server, cpu = servers[state], servers[state].cpu_seconds()
                    load = common.wrk(server.url + urls[page], seconds=args.seconds,
                                      cookie=cookie if signed else "")  # fmt: skip
                    load.server_cpu_ms = (server.cpu_seconds() - cpu) / max(load.requests, 1) * 1000
                    runs[label].append(load)
                    if target is None:
                        bare = load
                    else:
                        ratios[label].append(load.rps / bare.rps if bare.rps else 0.0)
        notes = {state: server.notes() for state, server in servers.items()}
        for server in servers.values():
            server.stop()

        def median(label: str, field: str) -> float:
            return statistics.median(getattr(r, field) for r in runs[label])

        rows, checks = [], []
        for label, _state, _page, _signed, target in SERIES:
            ratio = statistics.median(ratios[label]) if target is not None else 0.0
            rows.append([label, f"{median(label, 'rps'):.0f}", f"{median(label, 'p50_ms'):.1f}",
                         f"{median(label, 'p99_ms'):.1f}", f"{ratio:.0%}" if target else "",
                         f"{median(label, 'server_cpu_ms'):.1f}", str(counts.get(label, "")),
                         f"{median(label, 'idle'):.0%}"])  # fmt: skip
            if target is not None:
                checks.append(Check(f"{label} / bare", f"{ratio:.0%}", f">= {target:.0%}",
                                    ratio >= target))  # fmt: skip
        say(table(rows, ["series", "req/s", "p50 ms", "p99 ms", "/ bare", "server CPU ms",
                         "queries", "idle"]))  # fmt: skip
        for state, lines in notes.items():
            say(f"Server log, page cache {state}: " + "; ".join(lines))
        lesson_queries = counts["lesson, signed in"]
        checks.append(Check("queries, signed-in lesson page (warm worker)", str(lesson_queries),
                            f"<= {MAX_QUERIES}", lesson_queries <= MAX_QUERIES))  # fmt: skip
        total = sum(r.requests for rs in runs.values() for r in rs)
        bad: dict[str, int] = {}
        for r in (r for rs in runs.values() for r in rs):
            for status, n in [*r.statuses.items(), ("socket errors", r.socket_errors)]:
                if status != 200 and n:
                    bad[str(status)] = bad.get(str(status), 0) + n
        checks.append(Check("responses other than 200 (and socket errors)",
                            f"{sum(bad.values())} of {total:,} {bad or ''}", "0",
                            not bad))  # fmt: skip
        hits = runs["lesson, anonymous, page cache hit"]
        served = sum(r.hits for r in hits), sum(r.requests for r in hits)
        checks.append(Check("anonymous lesson served from the page cache",
                            f"{served[0]:,} of {served[1]:,}", ">= 99%",
                            served[0] >= 0.99 * served[1]))  # fmt: skip
        if args.json:
            args.json.write_text(json.dumps({
                "urls": urls, "queries": counts, "ratios": ratios,
                "runs": {k: [vars(r) for r in v] for k, v in runs.items()},
                "checks": [vars(c) for c in checks],
            }, indent=1))  # fmt: skip
        return common.report(checks, idle, strict=args.strict)
    finally:
        for server in servers.values():
            server.stop()
        with contextlib.suppress(Exception):
            db.drop()
        with contextlib.suppress(Exception):
            common.flush_redis()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # cleaned up on the way out
        sys.exit(130)
