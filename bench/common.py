"""Helpers shared by the benchmarks in ``bench/`` (lesson page, progress at scale, quiz grading).

Only the standard library (and ``bench/__init__.py``) is imported at module level, so a script
can import this module before :func:`ensure_django` has restarted it under the project's
virtualenv; Django, redis-py, gunicorn and Wagtail are imported inside the functions that use them.

- Command line: :func:`add_cache_option` (``--cache``), :func:`add_report_options`
  (``--profile``, ``--show-queries``, ``--json``), :func:`add_wait_idle_option` (``--wait-idle``),
  :func:`add_postgres_options` (``--pg-host``, ``--pg-port``, ``--pg-user``).
- Start-up: :data:`ROOT`, :func:`ensure_django` (re-exec under ``.venv`` when Django is missing),
  :func:`configure_django_environment` (Django on files in a temporary folder, the chosen cache).
- PostgreSQL: :class:`PostgresDatabase`, a database created for one run and dropped at its end;
  :class:`PostgresServerCpu`, the local server's CPU; :func:`postgres_sessions`.
- Cache: :func:`choose_cache` (Redis db 13 when it answers, else local memory), :func:`redis_db`,
  :func:`flush_redis` and :class:`RedisProbe` (the local Redis server's CPU and commands).
- Memory: :func:`memory_of` (peak under tracemalloc, and peak RSS from ``/proc``).
- Celery: :class:`CeleryWorker`, a worker started for one run and stopped at its end, with the
  peak memory and the CPU of each of its processes (from ``/proc``).
- CPU accounting, from ``/proc``: :func:`process_cpu_seconds`, :func:`machine_busy_seconds`,
  :func:`idle_cpus`, :func:`wait_for_idle` and :func:`wait_for_idle_verbosely`.
- Reporting: :func:`machine` and :func:`machine_line` (the machine, versions and commit),
  :func:`load_average`, :func:`timed` (seconds of a step), :func:`table`, :func:`say`,
  :class:`Check` and :func:`checks_table` (the PASS/FAIL targets), :func:`profile_breakdown`
  (cProfile, by part of a request).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import platform
import pstats
import signal
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import BENCH_REDIS_URL

#: The project root (the folder that holds ``bench/``, ``content/`` and ``.venv/``).
ROOT = Path(__file__).resolve().parent.parent

#: Where a request spends its time, for :func:`profile_breakdown`: (label, file suffix, function
#: name); a label's indentation shows nesting, the first part is the whole request.
ProfileParts = Sequence[tuple[str, str, str]]


# --------------------------------------------------------------------------------------------
# Command line


def add_cache_option(parser: argparse.ArgumentParser, locmem: str) -> None:
    """``--cache auto|redis|locmem`` (default ``$BENCH_CACHE`` or auto), for :func:`choose_cache`;
    ``locmem`` is how the help describes the local-memory cache."""
    parser.add_argument(
        "--cache",
        choices=["auto", "redis", "locmem"],
        default=os.environ.get("BENCH_CACHE") or "auto",
        help="cache backend: redis (db 13 on 127.0.0.1:6379, flushed at start and end), "
        f"{locmem}, or auto: redis when it answers (default auto, or $BENCH_CACHE)",
    )


def add_report_options(
    parser: argparse.ArgumentParser, *, profile_n: int, profile_help: str, show_queries_help: str
) -> None:
    """``--profile [N]`` (N = ``profile_n`` when not given; 0, no profile, without the option),
    ``--show-queries`` and ``--json FILE``, in that order."""
    parser.add_argument(
        "--profile",
        type=int,
        nargs="?",
        const=profile_n,
        default=0,
        metavar="N",
        help=profile_help,
    )
    parser.add_argument("--show-queries", action="store_true", help=show_queries_help)
    parser.add_argument(
        "--json", type=Path, metavar="FILE", help="also write the figures to FILE as JSON"
    )


def add_wait_idle_option(parser: argparse.ArgumentParser, help_text: str) -> None:
    """``--wait-idle SECONDS`` (default 0: do not wait), for :func:`wait_for_idle_verbosely`;
    ``help_text`` says when the script waits."""
    parser.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS", help=help_text)


def add_postgres_options(parser: argparse.ArgumentParser) -> None:
    """``--pg-host``, ``--pg-port`` and ``--pg-user`` (defaults from ``$BENCH_PG_HOST``,
    ``$BENCH_PG_PORT``, ``$BENCH_PG_USER``), for :class:`PostgresDatabase`."""
    parser.add_argument(
        "--pg-host", default=os.environ.get("BENCH_PG_HOST", "127.0.0.1"), help="(127.0.0.1)"
    )
    parser.add_argument("--pg-port", default=os.environ.get("BENCH_PG_PORT", "5432"), help="(5432)")
    parser.add_argument(
        "--pg-user",
        default=os.environ.get("BENCH_PG_USER", "postgres"),
        help="a user who may create databases (postgres); password from $BENCH_PG_PASSWORD or "
        "$PGPASSWORD",
    )


# --------------------------------------------------------------------------------------------
# Start-up


def ensure_django(script: str | Path, argv: list[str] | None) -> None:
    """Run ``script`` again under the project's virtualenv when this Python lacks Django.

    ``argv`` is the script's arguments as given to its ``main`` (``None``: ``sys.argv[1:]``).
    Does not return when it restarts the script; raises ``SystemExit`` when it cannot.
    """
    try:
        import django  # noqa: F401
    except ImportError:
        venv = ROOT / ".venv" / "bin" / "python"
        if venv.exists() and Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
            args = sys.argv[1:] if argv is None else argv
            os.execv(venv, [str(venv), str(Path(script).resolve()), *args])  # noqa: S606
        raise SystemExit("Django is not installed: run with .venv/bin/python") from None


def configure_django_environment(
    tmp: Path,
    *,
    settings_module: str,
    db_file: str,
    cache: str,
    extra: Mapping[str, str],
) -> dict[str, str]:
    """Point Django (in this process and any it starts) at ``settings_module``, at files in
    ``tmp`` (SQLite file ``db_file``, media, static) and at the chosen ``cache``, plus ``extra``
    variables; create the folders, and return the variables set."""
    env = {
        "DJANGO_SETTINGS_MODULE": settings_module,
        "BENCH_DB_PATH": str(tmp / db_file),
        "MEDIA_ROOT": str(tmp / "media"),
        "BENCH_STATIC_ROOT": str(tmp / "static"),
        "BENCH_CACHE": cache,
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    for key in ("MEDIA_ROOT", "BENCH_STATIC_ROOT"):
        Path(env[key]).mkdir(parents=True, exist_ok=True)
    # The base settings read these; a developer's shell must not send the bench elsewhere.
    for key in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        os.environ.pop(key, None)
    os.environ.update(env)
    return env


# --------------------------------------------------------------------------------------------
# PostgreSQL: a throwaway database


class PostgresDatabase:
    """A PostgreSQL database (``zhusan_bench_<pid>``) created for this run and dropped at the end;
    where the server is comes from :func:`add_postgres_options`."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.name = f"zhusan_bench_{os.getpid()}"
        self.params = {
            "host": args.pg_host,
            "port": args.pg_port,
            "user": args.pg_user,
            "password": os.environ.get("BENCH_PG_PASSWORD", ""),
        }
        self.created = False

    def _admin(self) -> Any:
        import psycopg

        params = {k: v for k, v in self.params.items() if v}
        return psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=5, **params)

    def create(self) -> str:
        from psycopg import sql

        with self._admin() as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
        self.created = True
        return str(version)

    def create_or_exit(self) -> str:
        """:meth:`create`, or stop the benchmark with a message that says where and why."""
        try:
            return self.create()
        except Exception as exc:  # noqa: BLE001 - refused, auth, no CREATEDB ...
            p = self.params
            raise SystemExit(
                f"Cannot create a database on PostgreSQL at {p['host']}:{p['port']} as "
                f"{p['user']}: {exc}"
            ) from None

    def environment(self) -> dict[str, str]:
        return {
            "BENCH_PG_NAME": self.name,
            "BENCH_PG_HOST": self.params["host"],
            "BENCH_PG_PORT": str(self.params["port"]),
            "BENCH_PG_USER": self.params["user"],
            "BENCH_PG_PASSWORD": self.params["password"],
        }

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


class PostgresServerCpu:
    """CPU of the local PostgreSQL server: its postmaster, the backends alive now and those that
    have ended (the kernel adds a reaped child's CPU to its parent's), whatever database they
    serve, so other people's queries on the same server count too. 0 when the server is on
    another machine (its processes are not in this ``/proc``)."""

    def __init__(self) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = int(cursor.fetchone()[0])
        self.postmaster = 0
        with contextlib.suppress(OSError, ValueError, IndexError):
            ppid = int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
            if "postgres" in Path(f"/proc/{ppid}/comm").read_text():
                self.postmaster = ppid
        self.start = self._total()

    def _total(self) -> float:
        if not self.postmaster:
            return 0.0
        try:
            fields = Path(f"/proc/{self.postmaster}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        ticks = sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
        alive = sum(process_cpu_seconds(pid) for pid in child_pids(self.postmaster))
        return ticks / os.sysconf("SC_CLK_TCK") + alive

    def seconds(self) -> float:
        """CPU-seconds of the server since this object was made."""
        return self._total() - self.start


def postgres_sessions() -> int:
    """Sessions (connections) opened to the current database since its statistics began
    (``pg_stat_database.sessions``, PostgreSQL 14 and later; the server may count a session a
    moment late, so read it again a little after the work)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


# --------------------------------------------------------------------------------------------
# Cache: Redis db 13 or local memory


def choose_cache(requested: str) -> tuple[str, str]:
    """``("redis" | "locmem", why)``: Redis when asked for or, with ``auto``, when it answers."""
    if requested == "locmem":
        return "locmem", "--cache locmem"
    try:
        redis_db().ping()
    except Exception as exc:  # noqa: BLE001 - redis-py missing, refused, timed out, auth ...
        if requested == "redis":
            msg = f"--cache redis: no Redis answered on {BENCH_REDIS_URL}: {exc}"
            raise SystemExit(msg) from None
        return "locmem", f"no Redis answered on {BENCH_REDIS_URL} ({type(exc).__name__})"
    return "redis", f"{BENCH_REDIS_URL} answered"


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


class RedisProbe:
    """CPU and commands of the local Redis server (to count it as ours, not as other work)."""

    def __init__(self) -> None:
        self.client = redis_db()
        self.pid = int(self.client.info("server").get("process_id", 0))
        # Only a Redis on this machine (same process namespace) has its CPU in /proc.
        with contextlib.suppress(OSError):
            if "redis" not in Path(f"/proc/{self.pid}/comm").read_text():
                self.pid = 0

    def cpu_seconds(self) -> float:
        return process_cpu_seconds(self.pid) if self.pid else 0.0

    def commands(self) -> int:
        return int(self.client.info("stats").get("total_commands_processed", 0))

    def close(self) -> None:
        self.client.close()


# --------------------------------------------------------------------------------------------
# Memory


def rss_reset() -> bool:
    """Reset the process's peak resident set size (Linux: /proc/self/clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def rss_kib(field: str) -> int:
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    return 0


def memory_of(fn: Callable[[], Any]) -> dict[str, float]:
    """Peak Python memory of ``fn()`` under tracemalloc (MiB), and the process's peak RSS
    during it above its RSS before (MiB, Linux; includes libpq's result buffers)."""
    import gc

    gc.collect()
    rss_before = rss_kib("VmRSS")
    can_reset = rss_reset()
    tracemalloc.start()
    t = time.perf_counter()
    try:
        result = fn()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - t
    rss_peak = rss_kib("VmHWM") if can_reset else 0
    del result
    return {
        "tracemalloc_peak_mib": peak / 2**20,
        "rss_peak_over_before_mib": (rss_peak - rss_before) / 1024 if rss_peak else float("nan"),
        "seconds_under_tracemalloc": elapsed,
    }


# --------------------------------------------------------------------------------------------
# Celery: a worker started for one run


def proc_status_kib(pid: int) -> dict[str, int]:
    """The memory fields of ``/proc/<pid>/status`` in KiB (``VmRSS``, ``VmHWM`` ...); empty when
    the process is gone."""
    fields: dict[str, int] = {}
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("Vm") and line.endswith(" kB"):
                name, value = line.split(":", 1)
                fields[name] = int(value.split()[0])
    return fields


def proc_pss_kib(pid: int) -> int:
    """A process's proportional set size in KiB: its private pages plus its share of the pages it
    shares (a forked child with its parent), from ``/proc/<pid>/smaps_rollup``; 0 if unknown."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0


def child_pids(pid: int) -> list[int]:
    """The processes whose parent is ``pid``, from ``/proc``."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(entry.name))
    return sorted(children)


@dataclass
class WorkerProcess:
    """One process of a :class:`CeleryWorker` (memory in KiB, CPU in seconds).

    ``*_start`` are read when :meth:`CeleryWorker.measure` begins; ``peak_rss_kib`` is the
    kernel's peak since the process started (``VmHWM``, start-up included), ``peak_rss_run_kib``
    the highest RSS sampled while measuring."""

    pid: int
    role: str  # "main" (receives the messages) or "child" (runs the tasks)
    rss_start_kib: int = 0
    peak_rss_kib: int = 0
    peak_rss_run_kib: int = 0
    peak_pss_kib: int = 0
    cpu_start: float = 0.0
    cpu_seconds: float = 0.0


class CeleryWorker:
    """A Celery worker (``celery -A <app> worker``) started for one run and stopped at its end,
    with the memory and CPU of each of its processes, read from ``/proc``.

    ``env`` is the worker's whole environment (settings module, database, broker). The worker
    runs in a session of its own, so :meth:`stop` can end it and its pool together, and only
    them. Use it as ``start()``, ``with measure(): ...``, ``stop()`` (in a ``finally``).
    """

    def __init__(
        self,
        *,
        concurrency: int,
        env: Mapping[str, str],
        log: Path,
        hostname: str,
        app: str = "curriculum",
        pool: str = "prefork",
        loglevel: str = "info",
    ) -> None:
        self.command = [
            str(ROOT / ".venv" / "bin" / "celery"), "-A", app, "worker",
            f"--concurrency={concurrency}", f"--pool={pool}", f"--loglevel={loglevel}",
            f"--hostname={hostname}",
        ]  # fmt: skip
        self.concurrency = concurrency
        self.env = dict(env)
        self.log = log
        self.hostname = hostname
        self.proc: subprocess.Popen[bytes] | None = None
        self.processes: dict[int, WorkerProcess] = {}
        self.peak_total_pss_kib = 0
        self._measuring = False
        self._stopped = False
        self._lock = threading.Lock()

    def start(self, timeout: float = 120.0) -> float:
        """Start the worker and wait until it is ready: its log says ``<hostname> ready.`` (so
        ``loglevel`` must be ``info`` or ``debug``) and its pool has every child. Returns the
        seconds it took; raises ``RuntimeError`` (with the log's end) if it exits or is late."""
        t = time.perf_counter()
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        ready = f"{self.hostname} ready."
        while time.perf_counter() - t < timeout:
            if self.proc.poll() is not None:
                code = self.proc.returncode
                raise RuntimeError(f"the Celery worker exited ({code}):\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                if ready in self.log.read_text(errors="replace") and (
                    len(child_pids(self.proc.pid)) >= self.concurrency
                ):
                    return time.perf_counter() - t
            time.sleep(0.2)
        raise RuntimeError(
            f"the Celery worker was not ready in {timeout:.0f} s:\n{self.log_tail()}"
        )

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        """The last ``lines`` lines of the worker's log."""
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def pids(self) -> list[int]:
        """The worker's main process and its pool's children, alive now."""
        if not self.alive():
            return []
        assert self.proc is not None
        return [self.proc.pid, *child_pids(self.proc.pid)]

    def sample(self) -> None:
        """Read the memory of every process of the worker (and, for new ones, the baseline)."""
        with self._lock:
            total_pss = 0
            for pid in self.pids():
                status = proc_status_kib(pid)
                if not status:
                    continue
                assert self.proc is not None
                process = self.processes.get(pid)
                if process is None:
                    role = "main" if pid == self.proc.pid else "child"
                    process = WorkerProcess(
                        pid,
                        role,
                        rss_start_kib=status.get("VmRSS", 0),
                        cpu_start=process_cpu_seconds(pid),
                    )
                    self.processes[pid] = process
                pss = proc_pss_kib(pid)
                total_pss += pss
                process.peak_rss_kib = max(process.peak_rss_kib, status.get("VmHWM", 0))
                process.peak_pss_kib = max(process.peak_pss_kib, pss)
                if self._measuring:
                    process.peak_rss_run_kib = max(process.peak_rss_run_kib, status.get("VmRSS", 0))
                    process.cpu_seconds = process_cpu_seconds(pid) - process.cpu_start
            self.peak_total_pss_kib = max(self.peak_total_pss_kib, total_pss)

    @contextlib.contextmanager
    def measure(self, interval: float = 0.25) -> Iterator[CeleryWorker]:
        """Sample the worker's memory every ``interval`` seconds while the block runs (a thread),
        and once more at its end; CPU is counted from the block's start."""
        self.processes.clear()
        self.peak_total_pss_kib = 0
        self.sample()  # the baseline: RSS and CPU at the start
        self._measuring = True
        stop = threading.Event()

        def run() -> None:
            while not stop.wait(interval):
                self.sample()

        sampler = threading.Thread(target=run, name="worker-memory", daemon=True)
        sampler.start()
        try:
            yield self
        finally:
            stop.set()
            sampler.join()
            self.sample()
            self._measuring = False

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the worker: a warm shutdown (SIGTERM: running tasks finish), then SIGKILL to its
        session's processes if any is left after ``timeout`` seconds. Safe to call twice."""
        if self.proc is None or self._stopped:
            return
        self._stopped = True
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout)
        # The worker's session is its own (start_new_session): its group id is its pid.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(5)


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


def idle_cpus(interval: float = 2.0) -> float:
    """Average busy CPUs on the whole machine over ``interval`` seconds."""
    before = machine_busy_seconds()
    time.sleep(interval)
    return (machine_busy_seconds() - before) / interval


def wait_for_idle(timeout: float, threshold: float = 0.15) -> bool:
    """Wait until the machine is idle (other people's tests, builds), at most ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if idle_cpus() < threshold:
            return True
    return False


def wait_for_idle_verbosely(timeout: float, *, blank_line: bool = False) -> bool:
    """:func:`wait_for_idle`, saying so (after a blank line with ``blank_line``) and how it
    ended; for ``--wait-idle``."""
    lead = "\n" if blank_line else ""
    say(f"{lead}Waiting up to {timeout:.0f} s for the machine to be idle ...")
    idle = wait_for_idle(timeout)
    say(f"  {'idle' if idle else 'still busy; going ahead'} ({idle_cpus():.2f} busy CPUs)")
    return idle


# --------------------------------------------------------------------------------------------
# Reporting


def machine() -> dict[str, Any]:
    """The machine (CPUs, CPU model, memory), the versions that matter and the commit."""
    mem = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    cpu = platform.processor()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    commit = ""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout
        if dirty.strip():
            commit += " (+ uncommitted changes)"
    import django
    import gunicorn
    import wagtail

    return {
        "cpus": os.cpu_count(), "cpu": cpu, "memory": mem,
        "python": platform.python_version(), "django": django.get_version(),
        "wagtail": wagtail.__version__, "gunicorn": gunicorn.__version__, "commit": commit,
    }  # fmt: skip


def machine_line(title: str, info: Mapping[str, Any], extra: str) -> str:
    """``title: machine; versions, extra; commit`` from :func:`machine`'s ``info``."""
    return (
        f"{title}: {info['cpus']} CPUs ({info['cpu']}), {info['memory']}; "
        f"Python {info['python']}, Django {info['django']}, Wagtail {info['wagtail']}, "
        f"{extra}; commit {info['commit'] or 'unknown'}"
    )


def load_average() -> str:
    """The 1, 5 and 15 minute load averages (``""`` when unknown)."""
    with contextlib.suppress(OSError):
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return ""


@contextlib.contextmanager
def timed(timings: dict[str, float], label: str) -> Iterator[None]:
    """Record in ``timings[label]`` the seconds the block took."""
    t = time.perf_counter()
    yield
    timings[label] = time.perf_counter() - t


def table(rows: list[list[str]], header: list[str]) -> str:
    """A plain-text table: the first column left-aligned, the others right-aligned."""
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


def checks_table(checks: list[Check]) -> str:
    """The checks as a table with a PASS or FAIL line each."""
    return table(
        [[c.name, c.figure, c.target, "PASS" if c.ok else "FAIL"] for c in checks],
        ["check", "figure", "target", "result"],
    )


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
