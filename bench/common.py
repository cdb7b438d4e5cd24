"""The harness of every benchmark in ``bench/``: databases, servers and workers as deployed, load,
CPU and memory accounting, reports and clean-up. Module-level imports: the standard library's."""

from __future__ import annotations

import argparse
import contextlib
import os
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


class PostgresDatabase:
    """``zhusan_bench_<pid>`` on ``$BENCH_PG_URL``, made by :func:`shipped_site`."""

    def __init__(self) -> None:
        self.name = f"zhusan_bench_{os.getpid()}"
        self.server = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
        self.url = f"{self.server}/{self.name}"
        self.created = False

    def execute(self, query: str, *names: str, params: Sequence[Any] = ()) -> Any:
        """``query``, ``names`` quoted into its ``{}``, on the server: its first row if any."""
        import psycopg
        from psycopg import sql

        statement = sql.SQL(query).format(*map(sql.Identifier, names))
        with psycopg.connect(f"{self.server}/postgres", autocommit=True, connect_timeout=5) as conn:
            cursor = conn.execute(statement, params)
            return cursor.fetchone() if cursor.description else None

    def drop(self) -> None:
        if self.created:
            with contextlib.suppress(Exception):  # Django may never have started
                from django.db import connections

                connections.close_all()
            self.execute("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)


def postgres_sessions() -> int:
    """Sessions opened to Django's database so far (PostgreSQL counts one as it ends)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


def redis_db(url: str = BENCH_REDIS_URL) -> Any:
    """A client for one of the benchmarks' Redis databases (the cache's by default)."""
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=10)


def flush_redis() -> None:
    """Empty the benchmarks' own Redis databases, the cache's and the broker's."""
    for url in (BENCH_REDIS_URL, BENCH_BROKER_URL):
        with contextlib.closing(redis_db(url)) as client:
            client.flushdb()


def spawn(
    command: list[str],
    log: Path,
    ready: Callable[[subprocess.Popen[bytes]], bool],
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.Popen[bytes]:
    """Start ``command`` in a session of its own, its output appended to ``log``; return once
    ``ready(proc)``, or stop it and raise ``RuntimeError`` if it ends or ``timeout`` passes."""
    with log.open("ab") as out:
        proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + timeout
    while not ready(proc):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_group(proc, signal.SIGKILL, 0)
            raise RuntimeError(f"{Path(command[0]).name} did not start:\n{tail(log)}")
        time.sleep(0.2)
    return proc


def stop_group(proc: subprocess.Popen[bytes], first: int, grace: float) -> None:
    """Send ``first`` to the session :func:`spawn` started, SIGKILL after ``grace`` seconds."""
    for signum in (first, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signum)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(grace)
    proc.wait()


def tail(log: Path, lines: int = 20) -> str:
    return "\n".join(log.read_text(errors="replace").replace("\r", "\n").splitlines()[-lines:])


def proc_stat(pid: int | str) -> list[str]:
    try:  # the fields after the command's name; none once the process is gone
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def child_pids(pid: int) -> list[int]:
    children = (p.name for p in Path("/proc").iterdir() if p.name.isdigit())
    return sorted(int(child) for child in children if proc_stat(child)[1:2] == [str(pid)])


def process_cpu_seconds(pid: int, *, reaped: bool = False) -> float:
    """User and system CPU of a process (0 when it is gone); ``reaped``: with its waited-for
    children's (the kernel adds a reaped child's CPU to its parent's)."""
    return sum(map(int, proc_stat(pid)[11 : 15 if reaped else 13])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU-seconds the whole machine (all CPUs) has been neither idle nor waiting on I/O."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


class Idle:
    """The idle share of the machine's CPU time (all cores) during the block, and the CPU-seconds
    it was busy: one busy core of two leaves 0.5; less means other work shared the machine."""

    share = 0.0
    busy_seconds = 0.0

    def __enter__(self) -> Idle:
        self._busy, self._t = machine_busy_seconds(), time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.busy_seconds = machine_busy_seconds() - self._busy
        wall = (time.perf_counter() - self._t) * (os.cpu_count() or 1)
        self.share = max(0.0, 1 - self.busy_seconds / wall) if wall else 0.0


def status_kib(pid: int | str = "self") -> dict[str, int]:
    """``/proc/<pid>/status``'s memory fields (``VmRSS``, ``VmHWM`` ...) in KiB; empty if gone."""
    with contextlib.suppress(OSError, ValueError):
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
        fields = (line.split(":", 1) for line in lines)
        return {name: int(value.split()[0]) for name, value in fields if name.startswith("Vm")}
    return {}


def memory_of(fn: Callable[[], Any], *, trace: bool = True) -> dict[str, float]:
    """Run ``fn()``: its ``seconds``, Python's peak under tracemalloc (``peak_mib``, 0 without
    ``trace``), the RSS before (``before_mib``) and the peak RSS's growth over it (``rss_mib``)."""
    import gc

    gc.collect()
    before = status_kib()["VmRSS"]
    Path("/proc/self/clear_refs").write_text("5")  # the peak RSS (VmHWM) back to the RSS
    if trace:
        tracemalloc.start()
    t = time.perf_counter()
    try:
        fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    seconds, growth = time.perf_counter() - t, status_kib()["VmHWM"] - before
    mib = {"peak_mib": peak / 2**20, "before_mib": before / 1024, "rss_mib": growth / 1024}
    return {"seconds": seconds, **mib}


class CeleryWorker:
    """``celery -A curriculum worker`` as deployed, in :func:`django_run`'s environment, for one
    ``with`` block; :meth:`measure` reads its processes' memory and CPU."""

    def __init__(self, log: Path, *, concurrency: int) -> None:
        self.concurrency, self.log, self.cpu_seconds = concurrency, log, 0.0
        self.host = f"bench-{os.getpid()}@localhost"

    def __enter__(self) -> CeleryWorker:  # once it is ready and its pool has every process
        options = [
            "--loglevel=info",
            f"--concurrency={self.concurrency}",
            f"--hostname={self.host}",
        ]
        command = [str(ROOT / ".venv/bin/celery"), "-A", "curriculum", "worker", *options]
        self.proc = spawn(command, self.log, self.ready)
        return self

    def ready(self, proc: subprocess.Popen[bytes]) -> bool:
        started = f"{self.host} ready." in self.log.read_text(errors="replace")
        return started and len(child_pids(proc.pid)) >= self.concurrency

    def __exit__(self, *exc: object) -> None:
        """A warm shutdown (running tasks finish), then SIGKILL to whatever is left."""
        stop_group(self.proc, signal.SIGTERM, 30)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def pids(self) -> list[int]:
        return [self.proc.pid, *child_pids(self.proc.pid)] if self.alive() else []

    @contextlib.contextmanager
    def measure(self) -> Iterator[dict[int, list[int]]]:
        """Yields ``{pid: [RSS at the start, highest RSS, VmHWM]}`` (KiB), read every 0.25 s; sets
        :attr:`cpu_seconds`, the CPU its processes used during the block."""
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


def say(text: str = "") -> None:
    print(text, flush=True)


def cell(value: object) -> str:
    """A table cell: a number with thousands separators and about three significant digits."""
    if isinstance(value, float):
        return f"{value:,.{2 if abs(value) < 10 else 1 if abs(value) < 100 else 0}f}"
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def table(rows: list[list[Any]], header: list[str]) -> str:
    """A plain-text table of :func:`cell` values, the first column left-aligned."""
    rows = [[cell(c) for c in r] for r in rows]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(r: list[str]) -> str:
        cells = zip(r, widths, strict=True)
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(cells))

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *map(line, rows)])


def call(fn: Callable[[], Any]) -> tuple[float, int, Any]:
    """``fn()``: its milliseconds, the SQL statements it ran and what it returned."""
    with queries() as sql:
        t = time.perf_counter()
        result = fn()
        ms = (time.perf_counter() - t) * 1000
    return ms, len(sql), result


def repeat(fn: Callable[[], Any], n: int) -> list[float]:
    """Milliseconds of each of ``n`` calls of ``fn``."""
    ms = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t) * 1000)
    return ms


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile of ``values`` (nearest rank; 0 when there are none)."""
    ordered = sorted(values) or [0.0]
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered)) - 1))]


def spread(values: Sequence[float]) -> tuple[float, float, float]:
    """The median, the 95th percentile and the largest of ``values``."""
    return statistics.median(values), percentile(values, 95), max(values)


@dataclass
class Check:
    """A target: what is checked, the figure measured, the target, and whether it was met."""

    name: str
    figure: str
    target: str
    ok: bool

    @classmethod
    def below(cls, name: str, value: float, limit: float, unit: str = "") -> Check:
        return cls.bound(name, value, "<", limit, unit)

    @classmethod
    def equal(cls, name: str, value: Any, wanted: Any) -> Check:
        return cls(name, cell(value), cell(wanted), value == wanted)

    @classmethod
    def bound(cls, name: str, value: float, op: str, limit: float, unit: str = "") -> Check:
        """``value op limit`` (``<``, ``<=`` or ``>=``), both shown in ``unit``."""
        ok = {"<": value < limit, "<=": value <= limit, ">=": value >= limit}[op]
        shown = cell(int(limit)) if float(limit).is_integer() else f"{limit:g}"
        return cls(name, f"{cell(value)} {unit}".rstrip(), f"{op} {shown} {unit}".rstrip(), ok)


def arguments(doc: str, argv: list[str] | None, *options: tuple[Any, ...]) -> argparse.Namespace:
    """The command line: ``--strict`` and each of ``options``: flag, default, help and, optionally,
    more of argparse's keywords. A default of False makes a switch; of a list, several values."""
    parser = argparse.ArgumentParser(description=doc.split("\n", 1)[0])
    for flag, default, text, *more in options:
        many = isinstance(default, list)
        keywords: dict[str, Any] = {"type": type(default[0] if many else default)}
        if many:
            keywords["nargs"] = "+"
        if default is False:
            keywords = {"action": "store_true"}
        keywords.update(*more)
        shown = f"{text} ({default})" if default else text
        parser.add_argument(flag, default=default, help=shown, **keywords)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a check fails")
    return parser.parse_args(argv)


def at_least(low: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least ``low``, else a message naming the limit."""

    def parse(text: str) -> int:
        value = int(text)
        if value < low:
            raise argparse.ArgumentTypeError(f"{value} is below the minimum of {low}")
        return value

    return parse


def header(title: str, extra: str) -> None:
    """Say what ran where: the date, the commit, the machine and its load, the versions."""
    import django
    import wagtail

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout

    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next(line.split(":")[1].strip() for line in cpuinfo if line.startswith("model name"))
    memory = int(Path("/proc/meminfo").read_text().split()[1]) / 2**20  # MemTotal, in KiB
    dirty = git("status", "--porcelain", "--untracked-files=no") and " (+ uncommitted changes)"
    say(
        f"{title}: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit "
        f"{git('rev-parse', '--short', 'HEAD').strip()}{dirty}; {os.cpu_count()} CPUs ({cpu}), "
        f"{memory:.1f} GiB, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; Python "
        f"{sys.version.split()[0]}, Django {django.get_version()}, Wagtail {wagtail.__version__}; "
        f"{extra}"
    )


def report(checks: list[Check], idle: Idle, *, strict: bool) -> int:
    """Print the checks with PASS or FAIL and the idle share; 1 when ``strict`` and one failed."""
    rows = [[c.name, c.figure, c.target, "PASS" if c.ok else "FAIL"] for c in checks]
    say("\n" + table(rows, ["check", "figure", "target", "result"]))
    say(f"Machine idle {idle.share:.0%} of {os.cpu_count()} CPUs while measuring.")
    return int(strict and not all(c.ok for c in checks))


def exit_cleanly_on_signals() -> None:
    """Ctrl-C and SIGTERM unwind through ``finally`` blocks and ``with`` exits (servers are
    stopped, databases dropped), even when the benchmark was started in the background."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def cache_dir() -> Path:
    """``$TMPDIR/zhusan-bench-cache``: what is slow to make and the same from run to run."""
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


def manage(*args: str, env: Mapping[str, str], log: Path) -> float:
    """``manage.py args``, its output appended to ``log``: its seconds, or ``RuntimeError``."""
    t = time.perf_counter()
    with log.open("ab") as out:
        command = [sys.executable, "manage.py", *args]
        done = subprocess.run(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{tail(log)}")
    return time.perf_counter() - t


def collect_static(env: Mapping[str, str], log: Path, *, fresh: bool) -> bool:
    """``collectstatic`` into ``env["STATIC_ROOT"]`` unless it is there (about 25 s), older
    collections removed. Returns whether it ran."""
    import shutil

    if (Path(env["STATIC_ROOT"]) / "staticfiles.json").exists() and not fresh:
        return False
    for old in cache_dir().glob("static-*"):
        shutil.rmtree(old, ignore_errors=True)
    manage("collectstatic", "--noinput", env=env, log=log)
    return True


def shipped_site(
    db: PostgresDatabase, env: Mapping[str, str], log: Path, *, fresh: bool, curriculum: bool
) -> bool:
    """Create ``db`` and its media and H5P files from a template kept between runs: migrated, with
    the curriculum if ``curriculum``; built first (2.5 minutes, returns True) if ``fresh`` or the
    migrations, ``content/`` or the requirements changed."""
    import shutil

    content = [ROOT / "content"] if curriculum else []
    key = digest_of(*sorted(ROOT.glob("*/migrations")), *content, ROOT / "requirements")
    template = "zhusan_bench_template" + ("" if curriculum else "_migrated")
    files = cache_dir() / ("template" if curriculum else "template-migrated")
    comment = "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s"
    stored = (files / "key").read_text() if (files / "key").exists() else ""
    build = fresh or db.execute(comment, params=[template]) != (key,) or stored != key
    if build:
        say(
            f"Building {template}, about 2.5 minutes (kept until the migrations, content/ or "
            "requirements change) ..."
        )
        shutil.rmtree(files, ignore_errors=True)
        db.execute("DROP DATABASE IF EXISTS {} WITH (FORCE)", template)
        db.execute("CREATE DATABASE {}", template)
        build_env = {**env, "DATABASE_URL": f"{db.server}/{template}"}
        build_env.update(MEDIA_ROOT=str(files / "media"), H5P_ROOT=str(files / "h5p"))
        say(f"  migrated in {manage('migrate', '--noinput', env=build_env, log=log):.0f} s")
        if curriculum:
            seconds = manage("load_initial_data", "--no-demo-accounts", env=build_env, log=log)
            say(f"  loaded the curriculum in {seconds:.0f} s")
        db.execute(f"COMMENT ON DATABASE {{}} IS '{key}'", template)  # key: hexadecimal digits
        files.mkdir(exist_ok=True)
        (files / "key").write_text(key)
    db.execute("CREATE DATABASE {} TEMPLATE {}", db.name, template)
    db.created = True
    for name in ("media", "h5p"):
        if (files / name).exists():
            shutil.copytree(files / name, env[f"{name.upper()}_ROOT"], dirs_exist_ok=True)
    return build


@contextlib.contextmanager
def django_run(
    title: str, *, shipped: bool = False, fresh: bool = False, versions: str = "", **extra: str
) -> Iterator[Path]:
    """Start Django here (and set the environment of the processes started from here) on
    ``bench.settings`` plus ``extra``: a new migrated database (``shipped``: with the curriculum),
    Redis as the cache and the broker, collected static files. Say the header and yield a temporary
    folder; at the end, whatever ends it, drop the database, flush Redis and remove the folder."""
    import shutil
    import tempfile

    exit_cleanly_on_signals()
    tmp = Path(tempfile.mkdtemp(prefix="zhusan-bench-"))
    db = PostgresDatabase()
    static = digest_of(ROOT / "static", ROOT / "package-lock.json", ROOT / "requirements")
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": "bench-" + "k" * 60,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SITE_URL": "https://academy.example.kz",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": db.url,
        "REDIS_URL": BENCH_REDIS_URL,
        "CELERY_BROKER_URL": BENCH_BROKER_URL,
        "MEDIA_ROOT": str(tmp / "media"),
        "H5P_ROOT": str(tmp / "h5p"),
        "STATIC_ROOT": str(cache_dir() / f"static-{static}"),
        "REPORTS_EXPORT_ROOT": str(tmp / "exports"),
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    os.environ.pop("CELERY_RESULT_BACKEND", None)
    os.environ.update(env)
    try:
        flush_redis()
        t, log = time.perf_counter(), tmp / "setup.log"
        collected = collect_static(os.environ, log, fresh=fresh)
        built = shipped_site(db, os.environ, log, fresh=fresh, curriculum=shipped)
        done = f"database {'built' if built else 'reused'}, static files " + (
            "collected" if collected else "reused"
        )
        say(f"Set-up {time.perf_counter() - t:.0f} s (template {done})")
        import django

        django.setup()
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            header(title, f"PostgreSQL {cursor.fetchone()[0]}, database {db.name}{versions}")
        yield tmp
    finally:
        with contextlib.suppress(Exception):
            db.drop()
        with contextlib.suppress(Exception):
            flush_redis()
        shutil.rmtree(tmp, ignore_errors=True)


def analyze() -> None:
    """``VACUUM ANALYZE`` Django's database, as autovacuum would after a bulk load."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def signed_in(user: Any, **options: Any) -> Any:
    """A ``django.test.Client(**options)`` signed in as ``user`` with two-factor sign-in done, so
    that requests go through every middleware to the view."""
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
    """The SQL statements run on the default database during the block (unlike
    ``CaptureQueriesContext``: no debug cursor, not emptied by ``request_started``)."""
    from django.db import connection

    sql: list[str] = []

    def record(execute: Callable[..., Any], statement: str, *args: Any) -> Any:
        sql.append(statement)
        return execute(statement, *args)

    with connection.execute_wrapper(record):
        yield sql


#: wrk's report, one JSON line of :class:`Load`'s fields: responses by status (wrk itself counts
#: a 3xx as good), ``X-Page-Cache: hit``s and socket errors too.
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
  io.write(string.format('WRK {"rps": %f, "p50_ms": %f, "p99_ms": %f, "requests": %d, '
    .. '"hits": %d, "socket_errors": %d, "statuses": {%s}}\\n',
    summary.requests / summary.duration * 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.requests, hits,
    e.connect + e.read + e.write + e.timeout, table.concat(parts, ", ")))
end
"""


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
    """gunicorn as deployed (``curriculum/gunicorn.conf.py``: gthread, cores + 1 processes of 6
    threads, recycled after about 2,000 requests) on a free port of 127.0.0.1, started once
    ``/bench/bare/`` answers 200; stopped at the end of a ``with`` block."""

    def __init__(self, log: Path, **extra: str) -> None:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        self.url, self.log = f"http://127.0.0.1:{port}", log

        def ready(_proc: object) -> bool:
            with contextlib.suppress(OSError):
                return http_get(self.url + "/bench/bare/")[0] == 200
            return False

        bind = ["--bind", f"127.0.0.1:{port}", "curriculum.wsgi"]
        command = [str(ROOT / ".venv/bin/gunicorn"), "-c", "curriculum/gunicorn.conf.py", *bind]
        self.proc = spawn(command, log, ready, {**os.environ, **extra}, 60)

    def __enter__(self) -> Gunicorn:
        return self

    def __exit__(self, *exc: object) -> None:
        """A quick shutdown (SIGINT), then SIGKILL to what is left after a second."""
        stop_group(self.proc, signal.SIGINT, 1)

    def cpu_seconds(self) -> float:
        """CPU used so far by the master and its workers, recycled ones included; less affected
        by other work than req/s."""
        workers = sum(map(process_cpu_seconds, child_pids(self.proc.pid)))
        return process_cpu_seconds(self.proc.pid, reaped=True) + workers

    def notes(self, limit: int = 8) -> list[str]:
        """How many workers it booted, and the lines of its log beyond gunicorn's INFO (Django's
        warnings and errors), most frequent first."""
        import re
        from collections import Counter

        lines = self.log.read_text(errors="replace").splitlines()
        odd = [re.sub(r"^\[[^]]*\] \[\d+\] ", "", x) for x in lines if "[INFO]" not in x]
        booted = sum("Booting worker" in line for line in lines)
        counts = Counter(x for x in odd if x.strip()).most_common(limit)
        return [f"{booted} workers booted"] + [f"{n} x {x}" for x, n in counts]


@dataclass
class Load:
    """One wrk run: requests/s, latency percentiles (ms), responses by status, socket errors,
    ``X-Page-Cache: hit`` responses, and the machine's idle share meanwhile (see :class:`Idle`)."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    statuses: dict[int, int]
    socket_errors: int
    hits: int
    idle: float
    server_cpu_ms: float = 0.0  # per request, when the caller measures it (Gunicorn.cpu_seconds)


def wrk(url: str, *, seconds: int, cookie: str = "") -> Load:
    """``wrk -t2 -c8 -d seconds`` on ``url``, with ``cookie`` on every request; a 10 s timeout
    (wrk's is 2 s): a slow response counts in the latency, not as an error."""
    import json

    script = cache_dir() / "report.lua"
    script.write_text(WRK_SCRIPT)
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s", "--timeout", "10s"]
    command += ["-H", f"Cookie: {cookie}"] if cookie else []
    with Idle() as idle:
        run = subprocess.run([*command, "-s", str(script), url], capture_output=True, check=True)
    line = next((x for x in run.stdout.decode().splitlines() if x.startswith("WRK ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no report:\n{run.stdout.decode()}")
    figures = json.loads(line[4:])
    figures["statuses"] = {int(k): v for k, v in figures["statuses"].items()}
    return Load(**figures, idle=idle.share)
