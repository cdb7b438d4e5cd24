#!/usr/bin/env python
"""Lesson page benchmark: throughput and latency against a bare view, and SQL queries per page.

Run from the project root with one command (no other set-up; nothing outside a temporary folder
and db 13 of a local Redis is written):

    .venv/bin/python bench/lesson_page.py            # about 45 s on 2 cores
    .venv/bin/python bench/lesson_page.py --help

It measures the configuration production runs: the shared Redis cache, on
``redis://127.0.0.1:6379/13`` when a Redis answers there (that database only, flushed at the
start and at the end), else the local-memory cache (one per process: not production-like with
several workers); and the whole-page cache for anonymous readers on (``PAGE_CACHE_SECONDS``,
600 s by default; see ``core/page_cache.py``).

What it does:

1. Creates a throwaway SQLite database and media folder in a temporary folder, migrates it and
   imports ``content/`` (the shipped course), plus two synthetic courses: a small one (1 module,
   2 lessons) and a large one (8 modules, 40 lessons), each with a 3-block and a 60-block lesson.
2. Counts SQL queries per lesson page in this process (``django.test.Client`` and
   ``CaptureQueriesContext``, anonymous) with the page cache off, so it counts what rendering the
   page costs, in three states: ``first`` (as a fresh worker's first request: cache and
   content-type cache empty), ``cold`` (cache emptied) and ``warm``, for the shipped lesson and
   the four synthetic ones, to show the count does not grow with the number of lessons in the
   course or of blocks in the lesson. Then, with the page cache on, counts a page cache miss
   (the cache emptied) and a hit (the same request again): a hit must run no query.
3. Times the lesson page and ``/bench/bare/`` (static HTML of the same byte size, see
   ``bench/urls.py``) in this process through Django's WSGI handler, without a server, with the
   page cache on and off; ``--profile`` adds a cProfile breakdown of a rendered lesson request.
4. Starts two gunicorn servers (sync workers) on 127.0.0.1 on free ports, one with the page cache
   on and one with ``PAGE_CACHE_SECONDS=0`` (the body fragment cache only: what signed-in readers
   get), warms them up, and drives a bounded number of requests per URL and server from a small
   pool of http.client threads, one server and URL at a time in alternating rounds; reports
   requests/s, p50/p95/p99 latency, the server's CPU per request, the CPU used by the client and
   by anything else on the machine, and the lesson/bare ratios.
5. Prints the figures and PASS/FAIL against the targets: anonymous lesson page throughput (page
   cache on) >= 50% of the bare view's, <= 10 queries per rendered lesson page, the same count for
   small and large courses/lessons, and no query on a page cache hit.

Exits 0 whatever the figures, unless ``--strict`` is given (then 1 when a target is missed).
The servers are stopped on exit, on error and on Ctrl-C. See ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import http.client
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# Run as a script, Python puts bench/ on sys.path, not the project root that holds the package.
if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.common import ROOT, Check, say, table

LESSON_URL = "/en/courses/trauma-informed-care/understanding-trauma-and-return/coming-home/"
BARE_URL = "/bench/bare/"
SYNTH_COURSES = {"small": ("bench-small-course", 1, 2), "large": ("bench-large-course", 8, 5)}
LONG_BLOCKS = 60
SHORT_BLOCKS = 3

TARGET_RATIO = 0.50
TARGET_QUERIES = 10
DEFAULT_PAGE_CACHE_SECONDS = 600
PAGE_CACHE_HEADER = "X-Page-Cache"  # core.page_cache.HIT_HEADER: "hit" or "miss"

#: The four measured series: label -> (server, URL kind). "on"/"off": the page cache.
SERIES = {
    "lesson": ("on", "lesson"),
    "bare": ("on", "bare"),
    "lesson, page cache off": ("off", "lesson"),
    "bare, page cache off": ("off", "bare"),
}


# --------------------------------------------------------------------------------------------
# Command line


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/lesson_page.py",
        description=(
            "Benchmark the lesson page: requests/s and latency under gunicorn against a bare "
            "view of the same size, with the anonymous page cache on (as in production) and "
            "off, and SQL queries per page (cold and warm, small and large courses). Uses a "
            "throwaway SQLite database in a temporary folder and, when a Redis answers on "
            "127.0.0.1:6379, its db 13 as the cache (flushed at start and end)."
        ),
        epilog=(
            f"Targets: anonymous lesson requests/s (page cache on) >= {TARGET_RATIO:.0%} of "
            f"bare; <= {TARGET_QUERIES} queries per rendered lesson page, the same for 2 or 40 "
            "lessons and 3 or 60 blocks; 0 queries on a page cache hit. "
            "Exit status is 0 unless --strict is given and a target is missed."
        ),
    )
    parser.add_argument(
        "-n",
        "--requests",
        type=int,
        default=2000,
        metavar="N",
        help="measured requests per URL and server (default 2000)",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=100,
        metavar="N",
        help="warm-up requests per URL and server before measuring (default 100)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=4,
        help="split the measured requests into this many rounds, alternating lesson and bare "
        "on each server (default 4)",
    )
    parser.add_argument(
        "-c",
        "--concurrency",
        type=int,
        default=4,
        metavar="C",
        help="client threads, one connection each (default 4)",
    )
    parser.add_argument(
        "-w",
        "--workers",
        type=int,
        default=2,
        help="gunicorn workers per server (default 2: the machine's cores)",
    )
    parser.add_argument(
        "--worker-class",
        default="sync",
        choices=["sync", "gthread"],
        help="gunicorn worker class (default sync; gthread keeps connections alive)",
    )
    common.add_cache_option(parser, locmem="locmem (one per process)")
    parser.add_argument(
        "--page-cache-seconds",
        type=int,
        default=int(os.environ.get("PAGE_CACHE_SECONDS") or DEFAULT_PAGE_CACHE_SECONDS),
        metavar="S",
        help="PAGE_CACHE_SECONDS of the server with the page cache on (default "
        f"{DEFAULT_PAGE_CACHE_SECONDS}, or $PAGE_CACHE_SECONDS)",
    )
    parser.add_argument(
        "--url", default=LESSON_URL, help=f"the lesson page to measure (default {LESSON_URL})"
    )
    parser.add_argument(
        "--in-process",
        type=int,
        default=300,
        metavar="N",
        help="requests per URL for the in-process timing, 0 to skip (default 300)",
    )
    parser.add_argument(
        "--no-synthetic",
        action="store_true",
        help="skip the synthetic courses (query constancy is then not checked)",
    )
    common.add_report_options(
        parser,
        profile_n=200,
        profile_help="also profile N warm in-process lesson requests (page cache off: the page "
        "rendered) with cProfile (default N=200) and print the top functions",
        show_queries_help="print the SQL of the lesson page in each state",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the temporary folder (database, server log) and print its path",
    )
    common.add_wait_idle_option(
        parser,
        help_text="before timing anything, wait up to SECONDS for the machine to be idle (under "
        "0.15 busy CPUs over 2 s); for shared machines (default 0: do not wait)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if min(args.requests, args.concurrency, args.workers, args.rounds) < 1 or args.warmup < 0:
        parser.error("--requests, --rounds, --concurrency, --workers must be >= 1; --warmup >= 0")
    if args.page_cache_seconds < 1:
        parser.error("--page-cache-seconds (or $PAGE_CACHE_SECONDS) must be >= 1")
    args.rounds = min(args.rounds, args.requests)
    return args


# --------------------------------------------------------------------------------------------
# Results


@dataclass
class LoadResult:
    url: str
    requests: int
    seconds: float
    errors: int
    statuses: dict[int, int]
    sizes: list[int]
    latencies_ms: list[float] = field(repr=False)
    client_cpu_seconds: float
    page_cache: dict[str, int] = field(default_factory=dict)  # X-Page-Cache value -> count
    server_cpu_seconds: float = 0.0
    redis_cpu_seconds: float = 0.0  # the local Redis server's CPU meanwhile (all its clients)
    redis_commands: int = 0  # commands the Redis server processed meanwhile (all its clients)
    machine_busy_seconds: float = 0.0  # CPU-seconds the whole machine was busy meanwhile

    def merge(self, other: LoadResult) -> LoadResult:
        """Two runs of the same URL as one."""
        return LoadResult(
            url=self.url,
            requests=self.requests + other.requests,
            seconds=self.seconds + other.seconds,
            errors=self.errors + other.errors,
            statuses={
                k: self.statuses.get(k, 0) + other.statuses.get(k, 0)
                for k in {*self.statuses, *other.statuses}
            },
            sizes=sorted({*self.sizes, *other.sizes}),
            latencies_ms=self.latencies_ms + other.latencies_ms,
            client_cpu_seconds=self.client_cpu_seconds + other.client_cpu_seconds,
            page_cache={
                k: self.page_cache.get(k, 0) + other.page_cache.get(k, 0)
                for k in {*self.page_cache, *other.page_cache}
            },
            server_cpu_seconds=self.server_cpu_seconds + other.server_cpu_seconds,
            redis_cpu_seconds=self.redis_cpu_seconds + other.redis_cpu_seconds,
            redis_commands=self.redis_commands + other.redis_commands,
            machine_busy_seconds=self.machine_busy_seconds + other.machine_busy_seconds,
        )

    @property
    def server_cpu_ms(self) -> float:
        """Server CPU (master and workers) per request: independent of the client's share."""
        return self.server_cpu_seconds / self.requests * 1000 if self.requests else 0.0

    @property
    def redis_cpu_ms(self) -> float:
        """The Redis server's CPU per request (it serves the cache on the same machine)."""
        return self.redis_cpu_seconds / self.requests * 1000 if self.requests else 0.0

    @property
    def other_cpus(self) -> float:
        """Busy CPUs not accounted for by this benchmark: other work on the machine."""
        if not self.seconds:
            return 0.0
        ours = self.server_cpu_seconds + self.client_cpu_seconds + self.redis_cpu_seconds
        return max(0.0, (self.machine_busy_seconds - ours) / self.seconds)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        data = sorted(self.latencies_ms)
        if not data:
            return float("nan")
        k = min(len(data) - 1, max(0, round(p / 100 * len(data)) - 1))
        return data[k]

    def summary(self) -> dict[str, Any]:
        d = asdict(self)
        del d["latencies_ms"]
        d.update(
            rps=round(self.rps, 1),
            server_cpu_ms=round(self.server_cpu_ms, 3),
            redis_cpu_ms=round(self.redis_cpu_ms, 3),
            redis_commands_per_request=round(self.redis_commands / self.requests, 2)
            if self.requests
            else 0.0,
            other_cpus=round(self.other_cpus, 2),
            p50_ms=round(self.percentile(50), 2),
            p95_ms=round(self.percentile(95), 2),
            p99_ms=round(self.percentile(99), 2),
        )
        return d


# --------------------------------------------------------------------------------------------
# Set-up: environment, database, content


def configure_environment(tmp: Path, cache: str, page_cache_seconds: int) -> dict[str, str]:
    """Point Django (here and in the servers) at files in ``tmp`` and at the chosen cache, page
    cache on; return the variables set."""
    return common.configure_django_environment(
        tmp,
        settings_module="bench.settings",
        db_file="db.sqlite3",
        cache=cache,
        extra={"PAGE_CACHE_SECONDS": str(page_cache_seconds)},
    )


def write_synthetic_courses(folder: Path) -> dict[str, str]:
    """Write two synthetic courses in the curriculum format; return label -> lesson URL.

    Small: 1 module of 2 lessons. Large: 8 modules of 5 lessons (40). Each course has a lesson
    of 3 blocks and one of 60 blocks (Markdown, scenarios, reflections, takeaways, content
    notes and downloadable resources, each resource a different document), side by side in
    the middle of the course so both have a previous and a next lesson where there are any.
    """
    urls: dict[str, str] = {}
    for size, (slug, modules, lessons) in SYNTH_COURSES.items():
        course = folder / slug
        files = course / "files"
        files.mkdir(parents=True)
        for i in range(1, 7):
            (files / f"handout-{i}.txt").write_text(f"Handout {i} for {slug}.\n" * (10 * i))
        (course / "course.md").write_text(
            textwrap.dedent(f"""\
            ---
            slug: {slug}
            title: Benchmark course ({size})
            summary: A synthetic course for the lesson page benchmark.
            specialties:
            - psychologist
            - social_worker
            estimated_hours: 2
            version: '1.0'
            outcomes:
            - Show that a lesson page costs the same whatever the size of its course.
            ---
            A synthetic course with {modules * lessons} lessons.
            """)
        )
        middle_module = (modules + 1) // 2
        first_of_pair = 1 if lessons <= 2 else lessons // 2
        for m in range(1, modules + 1):
            module = course / f"{m:02d}-module-{m}"
            module.mkdir()
            (module / "module.md").write_text(
                f"---\nslug: module-{m}\ntitle: Module {m}\nsummary: Synthetic module {m}.\n"
                f"---\nModule {m} introduction.\n"
            )
            for n in range(1, lessons + 1):
                if m == middle_module and n == first_of_pair:
                    kind, body = "short", lesson_body(SHORT_BLOCKS)
                elif m == middle_module and n == first_of_pair + 1:
                    kind, body = "long", lesson_body(LONG_BLOCKS)
                else:
                    kind, body = "", lesson_body(1)
                lesson_slug = f"lesson-{m}-{n}"
                (module / f"{n:02d}-{lesson_slug}.md").write_text(
                    f"---\nslug: {lesson_slug}\ntitle: Lesson {m}.{n}\n"
                    f"summary: Synthetic lesson {m}.{n}.\nestimated_minutes: 15\n---\n{body}"
                )
                if kind:
                    blocks = SHORT_BLOCKS if kind == "short" else LONG_BLOCKS
                    urls[f"{modules * lessons} lessons, {blocks} blocks"] = (
                        f"/en/courses/{slug}/module-{m}/{lesson_slug}/"
                    )
    return urls


def lesson_body(blocks: int) -> str:
    """A lesson body of exactly ``blocks`` blocks: Markdown alternating with directives."""
    directives = [
        '::: scenario title="A home visit"\nA practitioner visits a family for the first time '
        "and asks what would help this week.\n:::",
        "::: reflection\nWhat would make a first meeting feel safe for the family?\n:::",
        '::: resource src="../files/handout-{r}.txt" title="Handout {r}"\nA one-page handout.\n:::',
        "::: takeaways\n- Safety first.\n- Listen before advising.\n- Keep your promises.\n:::",
        "::: content-note\nThe next section mentions loss, without detail.\n:::",
    ]
    parts: list[str] = []
    if blocks == SHORT_BLOCKS:  # Markdown, a resource and a reflection
        parts = [markdown_section(1), directives[2].format(r=1), directives[1]]
        return "\n\n".join(parts) + "\n"
    resource = 0
    for i in range(blocks):
        if i % 2 == 0:
            parts.append(markdown_section(i // 2 + 1))
        else:
            directive = directives[(i // 2) % len(directives)]
            if "{r}" in directive:
                resource = resource % 6 + 1
                directive = directive.format(r=resource)
            parts.append(directive)
    return "\n\n".join(parts) + "\n"


def markdown_section(n: int) -> str:
    return (
        f"## Section {n}\n\nChildren who lived through **long uncertainty** often feel safer when "
        "the day is predictable. Keep meals at set times, keep bedtime short and calm, and say "
        "in advance when something will change.\n\n- Meals at set times\n- A calm bedtime\n"
        "- Warning before changes"
    )


def set_up_database(tmp: Path, synthetic: bool) -> tuple[dict[str, str], dict[str, float]]:
    """Migrate, import ``content/`` (and the synthetic courses); return their URLs and timings."""
    from django.core.management import call_command

    timings: dict[str, float] = {}
    t = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    timings["migrate"] = time.perf_counter() - t
    t = time.perf_counter()
    out = io.StringIO()
    call_command("import_curriculum", str(ROOT / "content"), no_progress=True, stdout=out)
    timings["import content/"] = time.perf_counter() - t
    urls: dict[str, str] = {}
    if synthetic:
        t = time.perf_counter()
        urls = write_synthetic_courses(tmp / "synthetic")
        call_command("import_curriculum", str(tmp / "synthetic"), no_progress=True, stdout=out)
        timings["import synthetic"] = time.perf_counter() - t
    return urls, timings


# --------------------------------------------------------------------------------------------
# In-process measurements: queries and time per request


def clear_caches(*, process: bool) -> None:
    """Empty the cache (what a deploy or a cache flush does); with ``process``, also the
    per-process caches a fresh worker starts without (Django's content-type cache)."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    if process:
        ContentType.objects.clear_cache()


def count_queries(url: str, host: str) -> dict[str, Any]:
    """Queries for one anonymous request, page cache off, in three states; then page cache on.

    Page cache off (the page is rendered; what a signed-in reader's request costs, less the
    session and user): ``first``: as the first request of a fresh worker (cache and
    content-type cache empty); ``cold``: cache emptied, process warm; ``warm``: the same page
    again (the largest of two further requests, to show the count is steady).

    Page cache on (as ``settings.PAGE_CACHE_SECONDS``): ``pc_miss``: cache emptied, so the page
    is rendered and stored; ``pc_hit``: the same request again, served from the page cache.
    The ``X-Page-Cache`` header of each is kept in ``pc_miss_header`` and ``pc_hit_header``.
    """
    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=host)
    result: dict[str, Any] = {"url": url}
    states = [(s, 0) for s in ("first", "cold", "warm", "warm2")]
    states += [("pc_miss", settings.PAGE_CACHE_SECONDS), ("pc_hit", settings.PAGE_CACHE_SECONDS)]
    for label, seconds in states:
        if label in ("first", "cold", "pc_miss"):
            clear_caches(process=label == "first")
        with (
            override_settings(PAGE_CACHE_SECONDS=seconds),
            CaptureQueriesContext(connection) as ctx,
        ):
            response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}; cannot benchmark it.")
        result[label] = len(ctx.captured_queries)
        result[f"{label}_sql"] = [q["sql"] for q in ctx.captured_queries]
        result[f"{label}_header"] = response.get(PAGE_CACHE_HEADER, "")
        result["bytes"] = len(response.content)
    result["warm"] = max(result["warm"], result.pop("warm2"))
    result.pop("warm2_sql")
    return result


def wsgi_environ(path: str, host: str) -> dict[str, Any]:
    from wsgiref.util import setup_testing_defaults

    environ: dict[str, Any] = {"PATH_INFO": path, "REQUEST_METHOD": "GET", "HTTP_HOST": host}
    setup_testing_defaults(environ)
    return environ


def wsgi_get(app: Any, path: str, host: str) -> tuple[str, bytes]:
    status: list[str] = []

    def start_response(s: str, headers: list[Any], exc_info: Any = None) -> Any:
        status.append(s)
        return lambda data: None

    chunks = app(wsgi_environ(path, host), start_response)
    try:
        body = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    return status[0], body


def time_in_process(app: Any, path: str, host: str, n: int) -> float:
    """Mean milliseconds per request through Django's WSGI handler, no server, warm."""
    for _ in range(20):
        wsgi_get(app, path, host)
    t = time.perf_counter()
    for _ in range(n):
        status, _body = wsgi_get(app, path, host)
    elapsed = time.perf_counter() - t
    if not status.startswith("200"):
        raise SystemExit(f"GET {path} answered {status} in process")
    return elapsed / n * 1000


#: Where a lesson request spends its time: (label, file suffix, function name).
PROFILE_PARTS = [
    ("whole request (Django WSGI handler)", "django/core/handlers/wsgi.py", "__call__"),
    ("  Wagtail serve view", "wagtail/views.py", "serve"),
    (
        "    route_for_request (site, root page, route)",
        "wagtail/models/pages.py",
        "route_for_request",
    ),
    ("      Site.find_for_request", "wagtail/models/sites.py", "find_for_request"),
    ("      HomePage.route (URL path lookup + specific)", "courses/models.py", "route"),
    (
        "    view restrictions (before_serve_page hook)",
        "",  # Wagtail's or a page type's override
        "get_view_restrictions",
    ),
    ("    LessonPage.get_context", "courses/models.py", "get_context"),
    ("      lesson_navigation", "courses/navigation.py", "lesson_navigation"),
    ("    template rendering", "django/template/response.py", "rendered_content"),
    (
        "ORM: evaluating querysets (build SQL + run + rows)",
        "django/db/models/query.py",
        "_fetch_all",
    ),
    ("  SQL compilation (as_sql)", "django/db/models/sql/compiler.py", "as_sql"),
    ("  SQLite execution (cursor execute)", "django/db/backends/utils.py", "_execute"),
    ("page URLs (Page.get_url)", "wagtail/models/pages.py", "get_url"),
]


def profile_in_process(app: Any, path: str, host: str, n: int) -> str:
    """cProfile ``n`` warm requests: a breakdown by part of the request, then the top functions.

    Times are per request under the profiler, which slows Python code (the ORM most) by
    roughly 2x; read the shares, not the absolute figures.
    """
    for _ in range(20):
        wsgi_get(app, path, host)
    return common.profile_breakdown(
        lambda: wsgi_get(app, path, host),
        n,
        PROFILE_PARTS,
        what="warm lesson requests",
        ms_digits=2,
        top_tottime=15,
    )


def child_pids(pid: int) -> list[int]:
    """The direct children of a process (gunicorn's workers), from /proc."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(stat.parent.name))
    return children


# --------------------------------------------------------------------------------------------
# The server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """gunicorn in a subprocess (own process group), stopped reliably."""

    def __init__(self, args: argparse.Namespace, env: dict[str, str], port: int, log: Path):
        """A server for ``port`` with ``env`` over this process's environment."""
        self.port = port
        self.log_path = log
        self.proc: subprocess.Popen[bytes] | None = None
        self.cmd = [
            sys.executable, "-m", "gunicorn", "curriculum.wsgi:application",
            "--bind", f"127.0.0.1:{port}",
            "--workers", str(args.workers),
            "--worker-class", args.worker_class,
            "--chdir", str(ROOT),
            "--log-level", "warning",
            "--error-logfile", "-",
            "--timeout", "60",
        ]  # fmt: skip
        if args.worker_class == "gthread":
            self.cmd += ["--threads", "2"]
        self.env = {**os.environ, **env, "PYTHONPATH": str(ROOT)}

    def start(self) -> None:
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            self.cmd,
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        atexit.register(self.stop)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", BARE_URL)
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"gunicorn did not answer within 30 s:\n{self.log_tail()}")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            # SIGTERM to the master (it stops its workers); SIGKILL to our group if it hangs.
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        if proc is not None:
            # Workers left behind by a master that died would still be in our group.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            self._log.close()

    def cpu_seconds(self) -> float:
        """CPU used so far by the master and its current workers (workers are not recycled)."""
        if self.proc is None:
            return 0.0
        pids = [self.proc.pid, *child_pids(self.proc.pid)]
        return sum(common.process_cpu_seconds(pid) for pid in pids)

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""


def drive(port: int, path: str, total: int, concurrency: int, host: str) -> LoadResult:
    """``total`` GETs of ``path`` from ``concurrency`` threads, each with its own connection.

    Every request carries ``Host: host`` (the same for both servers, so the pages and the page
    cache keys are the same bytes) and no cookies: an anonymous reader's first visit.
    """
    lock = threading.Lock()
    remaining = [total]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    sizes: set[int] = set()
    page_cache: dict[str, int] = {}
    errors = [0]

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        my_statuses: dict[int, int] = {}
        my_sizes: set[int] = set()
        my_page_cache: dict[str, int] = {}
        my_errors = 0
        while True:
            with lock:
                if remaining[0] <= 0:
                    break
                remaining[0] -= 1
            t = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Host": host, "Accept": "text/html"})
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException):
                my_errors += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append((time.perf_counter() - t) * 1000)
            my_statuses[response.status] = my_statuses.get(response.status, 0) + 1
            my_sizes.add(len(body))
            state = response.getheader(PAGE_CACHE_HEADER) or "none"
            my_page_cache[state] = my_page_cache.get(state, 0) + 1
            if response.will_close:
                conn.close()  # sync workers close after each response; reconnect next time
        conn.close()
        with lock:
            latencies.extend(mine)
            for k, v in my_statuses.items():
                statuses[k] = statuses.get(k, 0) + v
            sizes.update(my_sizes)
            for k, v in my_page_cache.items():
                page_cache[k] = page_cache.get(k, 0) + v
            errors[0] += my_errors

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    cpu = time.process_time()
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - t
    return LoadResult(
        url=path, requests=len(latencies), seconds=elapsed, errors=errors[0],
        statuses=statuses, sizes=sorted(sizes), latencies_ms=latencies,
        client_cpu_seconds=time.process_time() - cpu, page_cache=page_cache,
    )  # fmt: skip


# --------------------------------------------------------------------------------------------
# Main


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    common.ensure_django(__file__, argv)
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="zhusan-bench-"))
    servers: dict[str, Server] = {}
    cache = ""
    try:
        cache, why = common.choose_cache(args.cache)
        flushed = common.flush_redis() if cache == "redis" else 0
        env = configure_environment(tmp, cache, args.page_cache_seconds)
        import django

        django.setup()
        from django.conf import settings

        from bench import BENCH_REDIS_URL

        info = common.machine()
        say(common.machine_line("Lesson page benchmark", info, f"gunicorn {info['gunicorn']}"))
        loadavg = common.load_average()
        say(f"Temporary folder: {tmp}; load average at start: {loadavg or 'unknown'}")
        backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[1]
        if cache == "redis":
            assert settings.CACHES["default"]["LOCATION"] == BENCH_REDIS_URL
            cache_text = (
                f"{backend} on {BENCH_REDIS_URL} (shared by all processes, as in production; "
                f"{why}; flushed at start, {flushed} keys, and at the end)"
            )
        else:
            cache_text = (
                f"{backend}, one per process ({why}); NOT production-like: production turns "
                "the page cache on only with Redis"
            )
        say(f"Cache: {cache_text}")
        say(f"Page cache: PAGE_CACHE_SECONDS={settings.PAGE_CACHE_SECONDS} (on) and 0 (off)")

        synth_urls, setup_times = set_up_database(tmp, synthetic=not args.no_synthetic)
        say("Set-up: " + ", ".join(f"{k} {v:.1f} s" for k, v in setup_times.items()))

        ports = {"on": free_port(), "off": free_port()}
        # The same Host header in process and to both servers: the same page bytes and keys.
        host = f"127.0.0.1:{ports['on']}"

        # 1. Queries per page, in process.
        say("\nCounting queries (django.test.Client, anonymous) ...")
        real = count_queries(args.url, host)
        synth = {label: count_queries(url, host) for label, url in synth_urls.items()}
        lesson_bytes = real["bytes"]
        if args.show_queries:
            for label in ("first", "cold", "warm", "pc_miss", "pc_hit"):
                say(f"\n{label} ({real[label]} queries) {args.url}")
                for i, sql in enumerate(real[f"{label}_sql"], 1):
                    say(f"  {i:2d}. {sql[:300]}")

        if args.wait_idle:
            common.wait_for_idle_verbosely(args.wait_idle)

        # 2. Time per request in process, no server: what the app costs by itself.
        from django.core.wsgi import get_wsgi_application
        from django.test import override_settings

        import bench.urls

        bench.urls.BARE_BODY = bench.urls.build_body(lesson_bytes)
        app = get_wsgi_application()
        in_process: dict[str, float] = {}
        if args.in_process:
            say(f"Timing {args.in_process} warm requests per URL in process (WSGI handler) ...")
            for label, (state, kind) in SERIES.items():
                path = args.url if kind == "lesson" else BARE_URL
                seconds = settings.PAGE_CACHE_SECONDS if state == "on" else 0
                with override_settings(PAGE_CACHE_SECONDS=seconds):
                    in_process[label] = time_in_process(app, path, host, args.in_process)
        profile = ""
        if args.profile:
            say(f"Profiling {args.profile} warm lesson requests in process (page cache off) ...")
            with override_settings(PAGE_CACHE_SECONDS=0):
                profile = profile_in_process(app, args.url, host, args.profile)

        from django.db import connections

        connections.close_all()
        clear_caches(process=False)  # both servers start from an empty cache

        # 3. Throughput and latency over HTTP: two servers side by side, driven in turn.
        env["BENCH_BARE_BYTES"] = str(lesson_bytes)
        for state, port in ports.items():
            seconds = str(args.page_cache_seconds if state == "on" else 0)
            servers[state] = Server(
                args, {**env, "PAGE_CACHE_SECONDS": seconds}, port, tmp / f"gunicorn-{state}.log"
            )
        say(
            f"Starting 2 gunicorn servers ({args.workers} {args.worker_class} workers each) on "
            f"127.0.0.1:{ports['on']} (page cache on) and :{ports['off']} (page cache off) ..."
        )
        for server in servers.values():
            server.start()
        load: dict[str, LoadResult] = {}
        probe = common.RedisProbe() if cache == "redis" else None
        for state, kind in SERIES.values():
            if args.warmup:
                path = args.url if kind == "lesson" else BARE_URL
                drive(ports[state], path, args.warmup, args.concurrency, host)
        say(
            f"Driving {args.requests} requests per URL and server ({args.concurrency} clients), "
            f"in {args.rounds} alternating rounds ..."
        )
        # Alternate in rounds, so a burst of other work on the machine slows every series.
        for i in range(args.rounds):
            share = args.requests // args.rounds + (i < args.requests % args.rounds)
            for label, (state, kind) in SERIES.items():
                server, path = servers[state], args.url if kind == "lesson" else BARE_URL
                redis_cpu = probe.cpu_seconds() if probe else 0.0
                redis_commands = probe.commands() if probe else 0
                server_cpu, busy = server.cpu_seconds(), common.machine_busy_seconds()
                result = drive(ports[state], path, share, args.concurrency, host)
                result.server_cpu_seconds = server.cpu_seconds() - server_cpu
                result.machine_busy_seconds = common.machine_busy_seconds() - busy
                if probe:
                    result.redis_cpu_seconds = probe.cpu_seconds() - redis_cpu
                    result.redis_commands = probe.commands() - redis_commands - 1  # - the INFO
                load[label] = load[label].merge(result) if label in load else result
        for server in servers.values():
            server.stop()
        if probe:
            probe.close()

        # 4. Report.
        def ratios(a: str, b: str) -> tuple[float, float]:
            """(requests/s of a / of b, server CPU per request of b / of a)."""
            ra, rb = load[a], load[b]
            return (
                ra.rps / rb.rps if rb.rps else 0.0,
                rb.server_cpu_ms / ra.server_cpu_ms if ra.server_cpu_ms else 0.0,
            )

        say(
            f"\nThroughput and latency (gunicorn, 127.0.0.1, {args.workers} "
            f"{args.worker_class} workers per server, {args.concurrency} client threads, "
            f"{args.requests} requests per URL and server in {args.rounds} alternating rounds, "
            f"after {args.warmup} warm-up; cache {backend}; anonymous, no cookies)"
        )
        rows = []
        for label, r in load.items():
            bad = sum(v for k, v in r.statuses.items() if k != 200) + r.errors
            state, kind = SERIES[label]
            if state == "off":
                pc = "off"
            elif kind == "lesson":
                pc = f"{r.page_cache.get('hit', 0)}/{r.requests} hits"
            else:
                pc = "on (looked up, not stored)"
            rows.append([
                f"{label}", pc, "/".join(map(str, r.sizes)), f"{r.rps:.0f}",
                f"{r.percentile(50):.1f}", f"{r.percentile(95):.1f}", f"{r.percentile(99):.1f}",
                str(bad), f"{r.server_cpu_ms:.2f}",
                *([f"{r.redis_cpu_ms:.3f}", f"{r.redis_commands / r.requests:.1f}"]
                  if probe else []),
                f"{r.client_cpu_seconds / r.seconds:.2f}", f"{r.other_cpus:.2f}",
            ])  # fmt: skip
        say(
            table(
                rows,
                [
                    "series",
                    "page cache",
                    "bytes",
                    "req/s",
                    "p50 ms",
                    "p95 ms",
                    "p99 ms",
                    "non-200",
                    "server CPU ms/req",
                    *(["Redis CPU ms/req", "Redis cmds/req"] if probe else []),
                    "client CPUs",
                    "other CPUs",
                ],
            )
        )
        say(f"lesson URL {args.url}; bare URL {BARE_URL}")
        ratio, cpu_ratio = ratios("lesson", "bare")
        ratio_off, cpu_ratio_off = ratios("lesson, page cache off", "bare, page cache off")
        ratio_floor, cpu_ratio_floor = ratios("lesson", "bare, page cache off")
        say(
            table(
                [
                    [
                        "lesson / bare, page cache on (anonymous, production)",
                        f"{ratio:.1%}",
                        f"{cpu_ratio:.1%}",
                    ],
                    [
                        "lesson / bare, page cache off (body fragment cache only)",
                        f"{ratio_off:.1%}",
                        f"{cpu_ratio_off:.1%}",
                    ],
                    [
                        "lesson (page cache on) / bare (page cache off)",
                        f"{ratio_floor:.1%}",
                        f"{cpu_ratio_floor:.1%}",
                    ],
                ],
                ["ratio", "req/s", "by server CPU/req"],
            )
        )
        busiest = max(r.other_cpus for r in load.values())
        if busiest > 0.25:
            say(
                f"WARNING: other work on this machine used up to {busiest:.1f} CPUs during the "
                "run; requests/s are lower than on an idle machine. Run again when it is idle."
            )
        if in_process:
            say(
                "In process, no server (ms/request, warm): "
                + "; ".join(f"{label} {ms:.2f}" for label, ms in in_process.items())
            )

        say(
            "\nSQL queries per lesson page (anonymous). Page cache off: first: as a fresh "
            "worker's first request (cache and content-type cache empty); cold: cache emptied; "
            "warm: cached. Page cache on: miss (cache emptied), then hit"
        )
        states = ("first", "cold", "warm")
        pages = {
            f"shipped course: {args.url}": real,
            **{f"synthetic: {label}": r for label, r in synth.items()},
        }
        say(
            table(
                [
                    [
                        label,
                        *(str(r[s]) for s in states),
                        str(r["pc_miss"]),
                        str(r["pc_hit"]),
                        str(r["bytes"]),
                    ]
                    for label, r in pages.items()
                ],
                ["lesson", *states, "page cache miss", "page cache hit", "bytes"],
            )
        )

        checks = [
            Check(
                "anonymous lesson req/s vs bare, page cache on",
                f"{ratio:.1%}",
                f">= {TARGET_RATIO:.0%}",
                ratio >= TARGET_RATIO,
            ),
        ]
        for state in states:
            worst = max(r[state] for r in pages.values())
            checks.append(
                Check(
                    f"queries per lesson page, {state} (page cache off, max)",
                    str(worst),
                    f"<= {TARGET_QUERIES}",
                    worst <= TARGET_QUERIES,
                )
            )
        if synth:
            figure = ", ".join(f"{s} {'/'.join(str(r[s]) for r in synth.values())}" for s in states)
            constant = all(len({r[s] for r in synth.values()}) == 1 for s in states)
            checks.append(
                Check(
                    "queries constant: 2 vs 40 lessons, 3 vs 60 blocks", figure, "equal", constant
                )
            )
        worst_hit = max(r["pc_hit"] for r in pages.values())
        headers_ok = all(
            r["pc_miss_header"] == "miss" and r["pc_hit_header"] == "hit" for r in pages.values()
        )
        checks.append(
            Check(
                "queries on a page cache hit (max)",
                f"{worst_hit}" + ("" if headers_ok else " (X-Page-Cache not miss then hit!)"),
                "0",
                worst_hit == 0 and headers_ok,
            )
        )
        sizes_ok = all(r.sizes == [lesson_bytes] for r in load.values())
        errors = sum(
            r.errors + sum(v for k, v in r.statuses.items() if k != 200) for r in load.values()
        )
        checks.append(
            Check(
                "sanity: every response 200, same size every series",
                f"{errors} failed; sizes {sorted({s for r in load.values() for s in r.sizes})}",
                "0 failed, equal",
                errors == 0 and sizes_ok,
            )
        )
        on, off = load["lesson"], load["lesson, page cache off"]
        # With no warm-up, a first request per client (or per worker, locmem) may be a miss.
        allowed_misses = 0 if args.warmup else args.concurrency * args.workers
        checks.append(
            Check(
                "sanity: lesson page served from the page cache (on) / rendered (off)",
                f"hits {on.page_cache.get('hit', 0)}/{on.requests}, "
                f"{off.requests - off.page_cache.get('none', 0)} headers when off",
                "all hits / none",
                on.page_cache.get("hit", 0) >= on.requests - allowed_misses
                and off.page_cache.get("none", 0) == off.requests,
            )
        )

        say("\nTargets")
        say(common.checks_table(checks))
        if profile:
            say("\ncProfile of warm in-process lesson requests (page cache off):\n" + profile)
        elapsed = time.perf_counter() - started
        say(f"\nDone in {elapsed:.0f} s.")

        if args.json:
            args.json.write_text(json.dumps({
                "machine": info, "args": {k: str(v) for k, v in vars(args).items()},
                "cache": backend, "cache_detail": cache_text,
                "page_cache_seconds": settings.PAGE_CACHE_SECONDS,
                "load": {k: v.summary() for k, v in load.items()},
                "ratio": ratio, "cpu_ratio": cpu_ratio,
                "ratio_page_cache_off": ratio_off, "cpu_ratio_page_cache_off": cpu_ratio_off,
                "ratio_lesson_on_vs_bare_off": ratio_floor,
                "cpu_ratio_lesson_on_vs_bare_off": cpu_ratio_floor,
                "loadavg_at_start": loadavg, "in_process_ms": in_process,
                "queries": {label: {k: r[k] for k in ("url", *states, "pc_miss", "pc_hit",
                                                     "bytes")}
                            for label, r in pages.items()},
                "checks": [asdict(c) for c in checks], "seconds": elapsed,
            }, indent=2))  # fmt: skip
        missed = [c for c in checks if not c.ok]
        return 1 if args.strict and missed else 0
    finally:
        for server in servers.values():
            server.stop()
        if cache == "redis":
            with contextlib.suppress(Exception):
                common.flush_redis()
        if args.keep:
            say(f"Kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    # Ctrl-C or a SIGTERM: unwind through the finally blocks so the server is stopped.
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started in background
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
