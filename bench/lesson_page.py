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

import cProfile
import io
import json
import os
import pstats
import statistics
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import gunicorn

# Run as a script, Python puts bench/ on sys.path, not the project root that holds the package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.common import Check, say, table

COURSE = "trauma-informed-care"
MAX_QUERIES = 4  # per signed-in lesson, course and module page, warm worker

#: Each series: label, server ("on": as deployed; "off": no page cache), page, signed in, and the
#: target share of the requests/s of the bare view before it in the list (same server, same
#: cookie, same round); ``None`` for the bare views themselves.
SERIES: list[tuple[str, str, str, bool, float | None]] = [
    ("bare, signed in", "on", "bare", True, None),
    ("lesson, signed in", "on", "lesson", True, 0.30),
    ("course, signed in", "on", "course", True, 0.30),
    ("module, signed in", "on", "module", True, 0.30),
    ("My learning, signed in", "on", "learn", True, 0.20),
    ("bare, anonymous", "on", "bare", False, None),
    ("lesson, anonymous, page cache hit", "on", "lesson", False, 1.00),
    ("bare, anonymous, page cache off", "off", "bare", False, None),
    ("lesson, anonymous, page cache miss", "off", "lesson", False, 0.25),
]

PROFILE_N = {"nargs": "?", "const": 200, "metavar": "N"}  # --profile: 200 requests if no N
PAGES = ("lesson", "module", "course", "learn")
#: Where a signed-in request's time goes (:func:`profile`): label (indented under what it is part
#: of), file suffix, function.
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
    profile_save(
        user=user,
        specialty="psychologist",
        region="KZ-75",
        organisation="School No. 1 (fictional)",
        preferred_language="en",
    )
    enrollment_create(user=user, course=course)
    for done in lessons[: len(lessons) // 2]:
        lesson_progress_complete(user=user, lesson=done)
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    urls = {"lesson": lesson.url, "module": lesson.get_parent().url, "course": course.url}
    urls.update(learn="/en/learn/", bare="/bench/bare/")
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
    """Queries of one request on a warm worker (after 3 requests)."""
    for _ in range(3):
        wsgi_get(app, path, cookie)
    with common.queries() as sql:
        status, _body = wsgi_get(app, path, cookie)
    if not status.startswith("200"):
        raise RuntimeError(f"GET {path} answered {status} in process")
    return len(sql)


def warm_up(server: common.Gunicorn, path: str, cookie: str, name: str) -> None:
    """A few requests, each on a new connection: every one a 200, and signed in when ``cookie``
    (the page names the learner or offers "Log out")."""
    for _ in range(12):
        status, body = common.http_get(server.url + path, cookie)
        signed_in = name.encode() in body or b"Log out" in body
        if status != 200 or (cookie and path != "/bench/bare/" and not signed_in):
            raise RuntimeError(f"warm-up: GET {path} answered {status}, signed in: {signed_in}")


def profile(request: Any, n: int, what: str) -> str:
    """cProfile ``n`` calls of ``request``: the time per call in each of :data:`PROFILE_PARTS`,
    the top 30 functions by cumulative time and the top 15 by own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        request()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    cumulative = dict.fromkeys(PROFILE_PARTS, 0.0)
    for (filename, _line, func), (_cc, _nc, _tt, ct, _callers) in raw.items():
        for part in PROFILE_PARTS:
            if func == part[2] and filename.replace(os.sep, "/").endswith(part[1]):
                cumulative[part] += ct
    total = cumulative[PROFILE_PARTS[0]] or 1e-9
    rows = [[p[0], f"{t / n * 1000:.2f}", f"{t / total:.0%}"] for p, t in cumulative.items()]
    out.write(f"Breakdown of {n} {what} (cumulative, nested parts indented):\n")
    out.write(table(rows, ["part", "ms/request (profiled)", "share"]) + "\n\n")
    stats.strip_dirs().sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(15)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    args = common.arguments(
        __doc__,
        argv,
        ("--seconds", 8, "wrk's -d per series"),
        ("--rounds", 3, "alternating rounds"),
        ("--profile", 0, "instead of the load: cProfile N (200) warm requests", PROFILE_N),
        ("--page", "lesson", "the page --profile measures", {"choices": list(PAGES)}),
        ("--fresh", False, "rebuild the template database"),
        ("--json", None, "also write the figures here", {"type": Path, "metavar": "FILE"}),
    )
    redis = common.redis_db().info("server")["redis_version"]
    versions = f", Redis {redis}, gunicorn {gunicorn.__version__}"
    no_broker = {"CELERY_BROKER_URL": ""}  # tasks run in the request, as without a worker
    title = "Lesson page benchmark"
    with common.django_run(
        title, shipped=True, fresh=args.fresh, versions=versions, **no_broker
    ) as tmp:
        from django.core.wsgi import get_wsgi_application
        from django.test import override_settings

        cookie, name, urls = learner_and_pages()
        app = get_wsgi_application()
        say(f"Pages: {', '.join(f'{k} {v}' for k, v in urls.items())}")
        counts = {}
        for label, state, page, signed, target in SERIES:
            if target is not None:  # each page as its server has it: page cache on or off
                with override_settings(**({"PAGE_CACHE_SECONDS": 0} if state == "off" else {})):
                    counts[label] = queries(app, urls[page], cookie if signed else "")
        counted = "; ".join(f"{k} {v}" for k, v in counts.items())
        say(f"\nQueries per request, warm worker (in process): {counted}")
        if args.profile:
            for _ in range(20):
                wsgi_get(app, urls[args.page], cookie)
            what = f"warm signed-in {args.page} requests"
            say("\n" + profile(lambda: wsgi_get(app, urls[args.page], cookie), args.profile, what))
            return 0

        bare = {"BENCH_BARE_BYTES": str(len(wsgi_get(app, urls["lesson"], cookie)[1]))}
        with (
            common.Gunicorn(tmp / "gunicorn-on.log", **bare) as on,
            common.Gunicorn(tmp / "gunicorn-off.log", **bare, PAGE_CACHE_SECONDS="0") as off,
        ):
            servers = {"on": on, "off": off}
            for _label, state, page, signed, _target in SERIES:
                warm_up(servers[state], urls[page], cookie if signed else "", name)
            say(f"\nwrk -t2 -c8 -d{args.seconds}s per series, {args.rounds} alternating rounds ...")
            runs: dict[str, list[common.Load]] = {label: [] for label, *_ in SERIES}
            ratios: dict[str, list[float]] = {label: [] for label, *_ in SERIES}
            with common.Idle() as idle:
                for _ in range(args.rounds):
                    for label, state, page, signed, target in SERIES:
                        server, cpu = servers[state], servers[state].cpu_seconds()
                        url, signed_cookie = server.url + urls[page], cookie if signed else ""
                        load = common.wrk(url, seconds=args.seconds, cookie=signed_cookie)
                        used = server.cpu_seconds() - cpu
                        load.server_cpu_ms = used / max(load.requests, 1) * 1000
                        runs[label].append(load)
                        if target is None:
                            bare_load = load
                        else:
                            ratios[label].append(load.rps / bare_load.rps if bare_load.rps else 0.0)
            notes = {state: server.notes() for state, server in servers.items()}

        def medians(label: str) -> list[float]:
            fields = ("rps", "p50_ms", "p99_ms", "server_cpu_ms", "idle")
            return [statistics.median(getattr(r, f) for r in runs[label]) for f in fields]

        rows, checks = [], []
        for label, _state, _page, _signed, target in SERIES:
            ratio = statistics.median(ratios[label]) if target is not None else 0.0
            rps, p50, p99, cpu, idle_share = medians(label)
            share = f"{ratio:.0%}" if target else ""
            figures = [f"{rps:.0f}", f"{p50:.1f}", f"{p99:.1f}", share, f"{cpu:.1f}"]
            rows.append([label, *figures, str(counts.get(label, "")), f"{idle_share:.0%}"])
            if target is not None:
                checks.append(
                    Check(f"{label} / bare", f"{ratio:.0%}", f">= {target:.0%}", ratio >= target)
                )
        columns = ["series", "req/s", "p50 ms", "p99 ms", "/ bare", "server CPU ms", "queries"]
        say(table(rows, [*columns, "idle"]))
        for state, lines in notes.items():
            say(f"Server log, page cache {state}: " + "; ".join(lines))
        for page in ("lesson", "course", "module"):
            label = f"queries, signed-in {page} page (warm worker)"
            checks.append(Check.bound(label, counts[f"{page}, signed in"], "<=", MAX_QUERIES))
        loads = [r for rs in runs.values() for r in rs]
        bad: Counter[str] = Counter()
        for r in loads:
            for status, n in [*r.statuses.items(), ("socket errors", r.socket_errors)]:
                if status != 200 and n:
                    bad[str(status)] += n
        total = sum(r.requests for r in loads)
        others = f"{sum(bad.values())} of {total:,} {dict(bad) or ''}"
        checks.append(Check("responses other than 200 (and socket errors)", others, "0", not bad))
        hits = runs["lesson, anonymous, page cache hit"]
        hit, n = sum(r.hits for r in hits), sum(r.requests for r in hits)
        served, ok = f"{hit:,} of {n:,}", hit >= 0.99 * n
        checks.append(Check("anonymous lesson served from the page cache", served, ">= 99%", ok))
        if args.json:
            found = {
                "urls": urls,
                "queries": counts,
                "ratios": ratios,
                "runs": runs,
                "checks": checks,
            }
            args.json.write_text(json.dumps(found, indent=1, default=vars))
        return common.report(checks, idle, strict=args.strict)


if __name__ == "__main__":
    raise SystemExit(main())
