"""The harness every benchmark in ``bench/`` runs on, so that each benchmark file holds only
what it measures. Only the standard library is imported at module level; Django, psycopg and
redis-py inside the functions that use them.

- PostgreSQL: :class:`PostgresDatabase`, a database for one run; :func:`postgres_sessions`.
- Redis: :func:`redis_db` and :func:`flush_redis` (the benchmarks' own databases only).
- Memory: :func:`status_kib`, :func:`memory_of` (tracemalloc's peak and the RSS growth).
- Celery: :class:`CeleryWorker`, a worker as deployed, with its processes' memory and CPU.
- CPU: :func:`process_cpu_seconds`, :func:`machine_busy_seconds` and :class:`Idle`, the
  machine's idle share while a benchmark measures (every benchmark prints it).
- Reporting: :func:`header` (date, commit, machine, versions), :func:`timed`, :func:`repeat`,
  :func:`spread`, :func:`table`, :class:`Check` with :func:`report` (PASS/FAIL and the idle
  share), :func:`profile_breakdown` (cProfile by part of a request).
- Data benchmarks: :func:`django_run` (Django here, production settings, a migrated database),
  :func:`signed_in`, :func:`queries`.
- HTTP: production settings and databases (:func:`production_environment`,
  :func:`shipped_site`), :class:`Gunicorn` as deployed, and :func:`wrk` as the load.
"""

from __future__ import annotations

import contextlib
import cProfile
import io
import os
import pstats
import signal
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import BENCH_BROKER_URL, BENCH_REDIS_URL

#: The project root (the folder that holds ``bench/``, ``content/`` and ``.venv/``).
ROOT = Path(__file__).resolve().parent.parent

#: Where a request spends its time, for :func:`profile_breakdown`: (label, file suffix, function
#: name); a label's indentation shows nesting, the first part is the whole request.
ProfileParts = Sequence[tuple[str, str, str]]


# --------------------------------------------------------------------------------------------
# PostgreSQL: a throwaway database


class PostgresDatabase:
    """A PostgreSQL database (``zhusan_bench_<pid>``) for this run, made by :func:`shipped_site`
    and dropped at its end, on the server at ``$BENCH_PG_URL`` (``postgres://postgres@127.0.0.1:5432``,
    trust authentication)."""

    def __init__(self) -> None:
        self.name = f"zhusan_bench_{os.getpid()}"
        self.server = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
        self.url = f"{self.server}/{self.name}"
        self.created = False

    def _admin(self) -> Any:
        import psycopg

        return psycopg.connect(f"{self.server}/postgres", autocommit=True, connect_timeout=5)

    def drop(self) -> None:
        if not self.created:
            return
        from psycopg import sql

        with contextlib.suppress(Exception):  # Django may never have started
            from django.db import connections

            connections.close_all()
        with self._admin() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name))
            )
        self.created = False


def postgres_sessions() -> int:
    """Sessions (connections) opened to the current database since its statistics began
    (``pg_stat_database.sessions``, PostgreSQL 14 and later; the server may count a session a
    moment late, so read it again a little after the work)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


# --------------------------------------------------------------------------------------------
# Redis: the benchmarks' own databases (``bench/__init__.py``)


def redis_db(url: str = BENCH_REDIS_URL) -> Any:
    """A client for one of the benchmarks' Redis databases (the cache's, db 13, by default)."""
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=10)


def flush_redis(url: str = BENCH_REDIS_URL) -> int:
    """Empty one of the benchmarks' Redis databases (the cache's, db 13, by default); return how
    many keys it held. Only ever a benchmark's own database."""
    client = redis_db(url)
    try:
        keys = int(client.dbsize())
        client.flushdb()
        return keys
    finally:
        client.close()


# --------------------------------------------------------------------------------------------
# Memory


def status_kib(pid: int | str = "self") -> dict[str, int]:
    """The memory fields of ``/proc/<pid>/status`` in KiB (``VmRSS``, ``VmHWM`` ...); empty when
    the process is gone."""
    fields: dict[str, int] = {}
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("Vm") and line.endswith(" kB"):
                name, value = line.split(":", 1)
                fields[name] = int(value.split()[0])
    return fields


def rss_reset() -> None:
    """Reset this process's peak resident set size (``VmHWM``) to its RSS now."""
    Path("/proc/self/clear_refs").write_text("5")


def memory_of(fn: Callable[[], Any]) -> dict[str, float]:
    """``fn()`` under tracemalloc: its ``seconds``, Python's peak (``peak_mib``) and the growth
    of the process's peak RSS over its RSS before (``rss_mib``: libpq's and zlib's buffers too)."""
    import gc

    gc.collect()
    before = status_kib()["VmRSS"]
    rss_reset()
    tracemalloc.start()
    t = time.perf_counter()
    try:
        fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "peak_mib": peak / 2**20,
            "rss_mib": (status_kib()["VmHWM"] - before) / 1024}  # fmt: skip


# --------------------------------------------------------------------------------------------
# Celery: a worker started for one run


class CeleryWorker:
    """``celery -A curriculum worker`` as the README runs it, on this process's environment (the
    settings, database and broker :func:`django_run` set), started for one block and stopped at
    its end with its whole session; :meth:`measure` reads its processes' memory and CPU."""

    def __init__(self, log: Path, *, concurrency: int) -> None:
        self.hostname = f"bench-{os.getpid()}@localhost"
        self.command = [
            str(ROOT / ".venv" / "bin" / "celery"), "-A", "curriculum", "worker",
            f"--concurrency={concurrency}", "--loglevel=info", f"--hostname={self.hostname}",
        ]  # fmt: skip
        self.concurrency, self.log = concurrency, log
        self.cpu_seconds = 0.0

    def __enter__(self) -> CeleryWorker:
        """Start it; return once its log says it is ready and its pool has every process."""
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                self.command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + 120
        while f"{self.hostname} ready." not in self.log.read_text(errors="replace") or (
            len(self.pids()) <= self.concurrency
        ):
            if not self.alive() or time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError(f"the Celery worker did not start:\n{self.log_tail()}")
            time.sleep(0.2)
        return self

    def __exit__(self, *exc: object) -> None:
        """A warm shutdown (running tasks finish), then SIGKILL to whatever is left."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(30)
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def pids(self) -> list[int]:
        """The main process (receives the messages) and its pool's (run the tasks)."""
        return [self.proc.pid, *child_pids(self.proc.pid)] if self.alive() else []

    @contextlib.contextmanager
    def measure(self) -> Iterator[dict[int, list[int]]]:
        """Every 0.25 s while the block runs, and once at its end, read each process's memory:
        yields ``{pid: [RSS at the start, highest RSS, peak RSS since it started (VmHWM)]}`` in
        KiB; sets :attr:`cpu_seconds`, the CPU its processes used during the block."""
        memory: dict[int, list[int]] = {}
        cpu = {pid: process_cpu_seconds(pid) for pid in self.pids()}
        cpu_start, stop = dict(cpu), threading.Event()

        def sample() -> None:
            while True:
                for pid in self.pids():
                    if rss := status_kib(pid):
                        rss_of = memory.setdefault(pid, [rss["VmRSS"], 0, 0])
                        rss_of[1:] = max(rss_of[1], rss["VmRSS"]), rss["VmHWM"]
                        cpu[pid] = process_cpu_seconds(pid)
                if stop.wait(0.25):
                    return

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            yield memory
        finally:
            stop.set()
            sampler.join()
            self.cpu_seconds = sum(cpu[pid] - cpu_start.get(pid, 0.0) for pid in cpu)


def child_pids(pid: int) -> list[int]:
    """The processes whose parent is ``pid``, from ``/proc``."""
    children = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError, ValueError, IndexError):
            if (
                entry.name.isdigit()
                and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid
            ):
                children.append(int(entry.name))
    return sorted(children)


# --------------------------------------------------------------------------------------------
# CPU accounting (Linux /proc)


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (0 when it is gone), from /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU-seconds the whole machine has spent busy since boot (all CPUs), from /proc/stat."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class Idle:
    """The share of the machine's CPU time (all its cores, from ``/proc/stat``) that was idle
    while the block ran, and the CPU-seconds it was busy: a benchmark that keeps one of two cores
    busy leaves about 0.5 idle; less means other work shared the machine."""

    share = 0.0
    busy_seconds = 0.0

    def __enter__(self) -> Idle:
        self._busy, self._t = machine_busy_seconds(), time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.busy_seconds = machine_busy_seconds() - self._busy
        wall = (time.perf_counter() - self._t) * (os.cpu_count() or 1)
        self.share = max(0.0, 1 - self.busy_seconds / wall) if wall else 0.0


# --------------------------------------------------------------------------------------------
# Reporting


@contextlib.contextmanager
def timed(timings: dict[str, float], label: str) -> Iterator[None]:
    """Record in ``timings[label]`` the seconds the block took."""
    t = time.perf_counter()
    yield
    timings[label] = time.perf_counter() - t


def cell(value: object) -> str:
    """A table cell: a number with thousands separators and about three significant digits."""
    if isinstance(value, float):
        return f"{value:,.{2 if abs(value) < 10 else 1 if abs(value) < 100 else 0}f}"
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def repeat(fn: Callable[[], Any], n: int) -> list[float]:
    """Milliseconds of each of ``n`` calls of ``fn``."""
    ms = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t) * 1000)
    return ms


def table(rows: list[list[Any]], header: list[str]) -> str:
    """A plain-text table (each value through :func:`cell`): the first column left-aligned, the
    others right-aligned."""
    rows = [[cell(c) for c in r] for r in rows]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(r: list[str]) -> str:
        return "  ".join(
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *map(line, rows)])


def say(text: str = "") -> None:
    print(text, flush=True)


@dataclass
class Check:
    """A target: what is checked, the figure measured, the target, and whether it was met."""

    name: str
    figure: str
    target: str
    ok: bool

    @classmethod
    def below(cls, name: str, value: float, limit: float, unit: str = "") -> Check:
        """``value < limit``, both shown in ``unit``."""
        figure = f"{cell(value)} {unit}".rstrip()
        return cls(name, figure, f"< {_limit(limit)} {unit}".rstrip(), value < limit)

    @classmethod
    def at_least(cls, name: str, value: float, limit: float, unit: str = "") -> Check:
        """``value >= limit``, both shown in ``unit``."""
        figure = f"{cell(value)} {unit}".rstrip()
        return cls(name, figure, f">= {_limit(limit)} {unit}".rstrip(), value >= limit)

    @classmethod
    def equal(cls, name: str, value: Any, wanted: Any) -> Check:
        """``value == wanted``."""
        return cls(name, cell(value), cell(wanted), value == wanted)


def _limit(limit: float) -> str:
    return cell(int(limit)) if float(limit).is_integer() else f"{limit:g}"


def checks_table(checks: list[Check]) -> str:
    """The checks as a table with a PASS or FAIL line each."""
    return table(
        [[c.name, c.figure, c.target, "PASS" if c.ok else "FAIL"] for c in checks],
        ["check", "figure", "target", "result"],
    )


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile of ``values`` (nearest rank; 0 when there are none)."""
    ordered = sorted(values) or [0.0]
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered)) - 1))]


def spread(values: Sequence[float]) -> tuple[float, float, float]:
    """The median, the 95th percentile and the largest of ``values``."""
    return statistics.median(values), percentile(values, 95), max(values)


def header(title: str, extra: str) -> None:
    """Say what ran where: the date, the commit, the machine and its load, the versions."""
    import django
    import wagtail

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout

    cpu = next(
        line.split(":")[1].strip()
        for line in Path("/proc/cpuinfo").read_text().splitlines()
        if line.startswith("model name")
    )
    memory = int(Path("/proc/meminfo").read_text().split()[1]) / 2**20  # MemTotal, in KiB
    dirty = (
        " (+ uncommitted changes)" if git("status", "--porcelain", "--untracked-files=no") else ""
    )
    say(
        f"{title}: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit "
        f"{git('rev-parse', '--short', 'HEAD').strip()}{dirty}; {os.cpu_count()} CPUs ({cpu}), "
        f"{memory:.1f} GiB, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; Python "
        f"{sys.version.split()[0]}, Django {django.get_version()}, Wagtail {wagtail.__version__}; "
        f"{extra}"
    )


def report(checks: list[Check], idle: Idle, *, strict: bool) -> int:
    """Print the checks with PASS or FAIL and the machine's idle share while measuring; the exit
    status: 1 when ``strict`` and a check failed."""
    say("\n" + checks_table(checks))
    say(f"Machine idle {idle.share:.0%} of {os.cpu_count()} CPUs while measuring.")
    return int(strict and not all(c.ok for c in checks))


def profile_breakdown(
    request: Callable[[], object],
    n: int,
    parts: ProfileParts,
    *,
    what: str,
    ms_digits: int,
    top_tottime: int,
) -> str:
    """cProfile ``n`` calls of ``request`` (warm it up first): a breakdown of the time per
    request by part (``parts``), then the top 30 functions by cumulative time and the top
    ``top_tottime`` by own time. ``what`` names the requests in the heading."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        request()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    cumulative: dict[tuple[str, str], float] = {}
    for (filename, _line, func), (_cc, _nc, _tt, ct, _callers) in raw.items():
        for _label, suffix, name in parts:
            if func == name and filename.replace(os.sep, "/").endswith(suffix):
                cumulative[(suffix, name)] = cumulative.get((suffix, name), 0.0) + ct
    total = cumulative.get((parts[0][1], parts[0][2]), 0.0) or 1e-9
    rows = [
        [label, f"{cumulative.get((suffix, name), 0.0) / n * 1000:.{ms_digits}f}",
         f"{cumulative.get((suffix, name), 0.0) / total:.0%}"]
        for label, suffix, name in parts
    ]  # fmt: skip
    out.write(f"Breakdown of {n} {what} (cumulative, nested parts indented):\n")
    out.write(table(rows, ["part", "ms/request (profiled)", "share"]) + "\n\n")
    stats.strip_dirs().sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(top_tottime)
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# Data benchmarks
#
# Django in the benchmark's own process, as a web or worker process runs it: production settings
# on a throwaway PostgreSQL database, Redis db 13 as the cache and db 12 as the broker.


@contextlib.contextmanager
def django_run(title: str, *, shipped: bool = False, **extra: str) -> Iterator[Path]:
    """Start Django here on :func:`production_environment` (plus ``extra``) with a new database,
    migrated (``shipped``: with the shipped curriculum too; both from :func:`shipped_site`'s
    templates), the broker on Redis db 12 (tasks are queued as deployed; a
    :class:`CeleryWorker` runs them) and collected static files (their manifest renders pages).
    Say the header; yield a temporary folder. The database is dropped, both Redis databases
    flushed and the folder removed at the end, also on an error, Ctrl-C or SIGTERM."""
    import shutil
    import tempfile

    exit_cleanly_on_signals()
    tmp = Path(tempfile.mkdtemp(prefix="zhusan-bench-"))
    db = PostgresDatabase()
    try:
        for url in (BENCH_REDIS_URL, BENCH_BROKER_URL):
            flush_redis(url)
        env = production_environment(
            tmp, db, CELERY_BROKER_URL=BENCH_BROKER_URL,
            REPORTS_EXPORT_ROOT=str(tmp / "exports"), **extra,
        )  # fmt: skip
        collect_static(env, tmp / "collectstatic.log")
        shipped_site(db, env, tmp / "template.log", curriculum=shipped)
        import django

        django.setup()
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            header(title, f"PostgreSQL {cursor.fetchone()[0]}, database {db.name}")
        yield tmp
    finally:
        db.drop()
        for url in (BENCH_REDIS_URL, BENCH_BROKER_URL):
            with contextlib.suppress(Exception):
                flush_redis(url)
        shutil.rmtree(tmp, ignore_errors=True)


def signed_in(user: Any, **options: Any) -> Any:
    """A ``django.test.Client(**options)`` signed in as ``user``, with two-factor sign-in done
    (as after entering a code), so that requests go through every middleware to the view."""
    from django.test import Client

    from accounts.middleware import SESSION_KEY

    client = Client(**options)
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = user.pk
    session.save()
    return client


@contextlib.contextmanager
def queries() -> Iterator[list[str]]:
    """The SQL statements run on the default database while the block runs. Through
    ``connection.execute_wrapper``: unlike ``CaptureQueriesContext``, it needs no debug cursor and
    Django's ``request_started`` signal does not empty it."""
    from django.db import connection

    sql: list[str] = []

    def record(execute: Callable[..., Any], statement: str, *args: Any) -> Any:
        sql.append(statement)
        return execute(statement, *args)

    with connection.execute_wrapper(record):
        yield sql


# --------------------------------------------------------------------------------------------
# HTTP: servers and load
#
# The site as the README deploys it: production settings (``bench.settings``) on PostgreSQL and
# the Redis cache, gunicorn with ``curriculum/gunicorn.conf.py``, static files collected into
# whitenoise's manifest storage; wrk as the client. Imports are local: this module's top imports
# only what every benchmark needs.

#: The database :func:`shipped_site` copies each run's database from, kept between runs.
TEMPLATE_DATABASE = "zhusan_bench_template"

#: wrk's report, one JSON line: requests, duration and latency (microseconds), socket errors,
#: responses by status (wrk itself counts a 3xx as good) and ``X-Page-Cache: hit``s.
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {}; hits = 0 end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if headers["X-Page-Cache"] == "hit" then hits = hits + 1 end
end
function done(summary, latency, requests)
  local statuses, hits, e, parts = {}, 0, summary.errors, {}
  for _, t in ipairs(threads) do
    hits = hits + t:get("hits")
    for s, n in pairs(t:get("statuses")) do statuses[s] = (statuses[s] or 0) + n end
  end
  for s, n in pairs(statuses) do table.insert(parts, string.format('"%d": %d', s, n)) end
  io.write(string.format('WRK {"requests": %d, "us": %d, "p50": %.0f, "p99": %.0f, '
    .. '"hits": %d, "socket_errors": %d, "statuses": {%s}}\\n', summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(99), hits,
    e.connect + e.read + e.write + e.timeout, table.concat(parts, ", ")))
end
"""


def cache_dir() -> Path:
    """Where benchmarks keep what is slow to make and the same from run to run (the shipped
    site's files, collected static files), keyed by what it is made from: ``$TMPDIR``."""
    import tempfile

    folder = Path(tempfile.gettempdir()) / "zhusan-bench-cache"
    folder.mkdir(exist_ok=True)
    return folder


def digest_of(*paths: Path) -> str:
    """A short hash of the files at or under ``paths`` (their names and bytes)."""
    import hashlib

    digest = hashlib.sha256()
    for top in paths:
        files = sorted(p for p in top.rglob("*") if p.is_file()) if top.is_dir() else [top]
        for path in files:
            if "__pycache__" not in path.parts:
                digest.update(f"{path.relative_to(ROOT)}\0".encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def exit_cleanly_on_signals() -> None:
    """Ctrl-C and SIGTERM unwind through ``finally`` blocks and ``with`` exits (servers are
    stopped, databases dropped), even when the benchmark was started in the background."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def production_environment(tmp: Path, db: PostgresDatabase, **extra: str) -> dict[str, str]:
    """Set, in this process (before Django starts) and in the returned copy for the processes it
    starts, what production settings need: ``bench.settings``, ``db`` as the database, the
    benchmarks' Redis database as the cache, no broker (tasks run in the request), media and
    H5P files in ``tmp``, static files in the folder :func:`collect_static` fills."""
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": "bench-" + "k" * 60,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SITE_URL": "https://academy.example.kz",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": db.url,
        "REDIS_URL": BENCH_REDIS_URL,
        "CELERY_BROKER_URL": "",
        "MEDIA_ROOT": str(tmp / "media"),
        "H5P_ROOT": str(tmp / "h5p"),
        "STATIC_ROOT": str(cache_dir() / f"static-{static_key()}"),
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    os.environ.pop("CELERY_RESULT_BACKEND", None)
    os.environ.update(env)
    return dict(os.environ)


def static_key() -> str:
    """What collected static files are made from: ours, the H5P player's, the packages'."""
    return digest_of(ROOT / "static", ROOT / "package-lock.json", ROOT / "requirements")


def manage(*args: str, env: Mapping[str, str], log: Path, progress: str = "") -> None:
    """``manage.py args`` in a subprocess, its output (and tqdm's bars) appended to ``log``.
    With ``progress``, say every 20 s how far it is (the last ``n/N`` in the log) in those units.
    Raises ``RuntimeError`` with the end of the log when it fails."""
    import re

    started = time.perf_counter()
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=dict(env), stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            while True:
                try:
                    proc.wait(20)
                    break
                except subprocess.TimeoutExpired:
                    counts = re.findall(r"(\d+)/(\d+) \[", log.read_text(errors="replace"))
                    if progress and counts:
                        n, total = counts[-1]
                        say(f"  {n}/{total} {progress}, {time.perf_counter() - started:.0f} s")
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    if proc.returncode:
        tail = log.read_text(errors="replace").replace("\r", "\n").splitlines()[-20:]
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n" + "\n".join(tail))


def collect_static(env: Mapping[str, str], log: Path, *, fresh: bool = False) -> bool:
    """``collectstatic`` into ``env["STATIC_ROOT"]`` unless it is there already (about 25 s);
    older collections are removed. Returns whether it ran."""
    import shutil

    folder = Path(env["STATIC_ROOT"])
    if (folder / "staticfiles.json").exists() and not fresh:
        return False
    for old in cache_dir().glob("static-*"):
        shutil.rmtree(old, ignore_errors=True)
    manage("collectstatic", "--noinput", env=env, log=log)
    return True


def shipped_site(
    db: PostgresDatabase,
    env: Mapping[str, str],
    log: Path,
    *,
    fresh: bool = False,
    curriculum: bool = True,
) -> bool:
    """Create ``db`` with the shipped curriculum: migrated, ``load_initial_data
    --no-demo-accounts`` (4 courses in 3 languages), and its media and H5P files in
    ``env``'s folders. Copied from :data:`TEMPLATE_DATABASE` and its files (in
    :func:`cache_dir`) when their key, a hash of the migrations, ``content/`` and the
    requirements, is unchanged and not ``fresh``; otherwise the template is built first (about
    2.5 minutes). Without ``curriculum``: only migrated, from a template of its own (the data
    benchmarks make their own data). Returns whether it was built."""
    import shutil

    from psycopg import sql

    content = [ROOT / "content"] if curriculum else []
    key = digest_of(*sorted(ROOT.glob("*/migrations")), *content, ROOT / "requirements")
    template_name = TEMPLATE_DATABASE if curriculum else f"{TEMPLATE_DATABASE}_migrated"
    files = cache_dir() / ("template" if curriculum else "template-migrated")
    template = sql.Identifier(template_name)
    with db._admin() as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [template_name],
        ).fetchone()
    stored = (files / "key").read_text() if (files / "key").exists() else ""
    build = fresh or row is None or row[0] != key or stored != key
    if build:
        say("Building the template database (kept for the next runs while the migrations, "
            f"content/ and requirements are unchanged; log in {log}) ...")  # fmt: skip
        shutil.rmtree(files, ignore_errors=True)
        with db._admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(template))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(template))
        build_env = {
            **env,
            "DATABASE_URL": f"{db.server}/{template_name}",
            "MEDIA_ROOT": str(files / "media"),
            "H5P_ROOT": str(files / "h5p"),
        }
        timings: dict[str, float] = {}
        with timed(timings, "migrate"):
            manage("migrate", "--noinput", env=build_env, log=log)
        say(f"  migrated in {timings['migrate']:.0f} s")
        if curriculum:
            with timed(timings, "load"):
                manage("load_initial_data", "--no-demo-accounts", env=build_env, log=log,
                       progress="pages imported")  # fmt: skip
            say(f"  loaded the curriculum in {timings['load']:.0f} s")
        with db._admin() as conn:
            conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(template, sql.Literal(key)))
        files.mkdir(exist_ok=True)
        (files / "key").write_text(key)
    with db._admin() as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(db.name), template)
        )
    db.created = True
    for name in ("media", "h5p"):
        if (files / name).exists():
            shutil.copytree(files / name, env[f"{name.upper()}_ROOT"], dirs_exist_ok=True)
    return build


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_get(url: str, cookie: str = "") -> tuple[int, bytes]:
    """One GET on a new connection (so a server's processes each get some): status and body."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        conn.request("GET", parts.path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class Gunicorn:
    """gunicorn as deployed (``curriculum/gunicorn.conf.py`` as it is: gthread, cores + 1
    processes of 6 threads, recycled after about 2,000 requests) on a free port of 127.0.0.1,
    in a session of its own, so :meth:`stop` ends it and its workers, and only them."""

    def __init__(self, env: Mapping[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env, self.log = dict(env), log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, ready_path: str = "/bench/bare/", timeout: float = 60) -> None:
        """Start and wait until ``ready_path`` answers 200; ``RuntimeError`` if it does not."""
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "curriculum/gunicorn.conf.py",
                 "--bind", f"127.0.0.1:{self.port}", "curriculum.wsgi"],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            with contextlib.suppress(OSError):
                if http_get(self.url + ready_path)[0] == 200:
                    return
            time.sleep(0.2)
        tail = "\n".join(self.log.read_text(errors="replace").splitlines()[-20:])
        raise RuntimeError(f"gunicorn on {self.url} did not answer:\n{tail}")

    def cpu_seconds(self) -> float:
        """CPU used so far by the master and its workers, those recycled included (the kernel
        adds a reaped child's CPU to its parent's); less affected by other work than req/s."""
        if self.proc is None:
            return 0.0
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        reaped = (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
        pids = [self.proc.pid, *child_pids(self.proc.pid)]
        return reaped + sum(process_cpu_seconds(pid) for pid in pids)

    def notes(self, limit: int = 8) -> list[str]:
        """What its log says beyond gunicorn's INFO lines (Django's warnings and errors,
        gunicorn's), most frequent first, and how many workers it booted."""
        import re
        from collections import Counter

        lines = self.log.read_text(errors="replace").splitlines()
        booted = sum("Booting worker" in line for line in lines)
        odd = Counter(re.sub(r"^\[[^]]*\] \[\d+\] ", "", line) for line in lines
                      if line.strip() and "[INFO]" not in line)  # fmt: skip
        return [f"{booted} workers booted"] + [f"{n} x {x}" for x, n in odd.most_common(limit)]

    def stop(self) -> None:
        """SIGINT to its process group (gunicorn's quick shutdown), SIGKILL to what is left
        after a second (nothing it holds outlives the run). Safe to call twice."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(1)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


@dataclass
class Load:
    """One wrk run: requests/s, latency percentiles (ms), responses by status, socket errors,
    ``X-Page-Cache: hit`` responses, and the share of the machine's CPU time that was idle
    meanwhile (all cores; the client and the servers count as busy)."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    statuses: dict[int, int]
    socket_errors: int
    hits: int
    idle: float
    server_cpu_ms: float = 0.0  # per request, when the caller measures it (Gunicorn.cpu_seconds)


def wrk(
    url: str, *, seconds: int, cookie: str = "", threads: int = 2, connections: int = 8
) -> Load:
    """``wrk -t threads -c connections -d seconds`` on ``url``, with ``cookie`` on every request."""
    import json

    script = cache_dir() / "report.lua"
    script.write_text(WRK_SCRIPT)
    # A 10 s timeout (wrk's is 2 s): a slow response counts in the latency, not as an error.
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
               "-s", str(script), url]  # fmt: skip
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    with Idle() as idle:
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next((x for x in out.splitlines() if x.startswith("WRK ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no report:\n{out}")
    r = json.loads(line[4:])
    return Load(
        rps=r["requests"] / r["us"] * 1e6, p50_ms=r["p50"] / 1000, p99_ms=r["p99"] / 1000,
        requests=r["requests"], statuses={int(k): v for k, v in r["statuses"].items()},
        socket_errors=r["socket_errors"], hits=r["hits"],
        idle=idle.share,
    )  # fmt: skip
