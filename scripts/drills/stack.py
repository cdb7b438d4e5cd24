"""A local production-like stack for the drills and the load test, started and stopped here.

:class:`Stack` starts, in a temporary folder and on free ports (never the shared PostgreSQL on
5432 nor the shared Redis on 6379):

- a throwaway PostgreSQL cluster (``initdb`` + ``pg_ctl``, run as the ``postgres`` user when this
  runs as root), database ``zhusan``;
- its own ``redis-server`` (db 0 the Celery broker, db 1 the cache), append-only file on, as a
  production Redis keeps its data over a restart;
- ``manage.py migrate`` and ``collectstatic``, then :mod:`seed` (a course with three lessons and
  a quiz, a certification track, N practitioners);
- gunicorn with ``curriculum/gunicorn.conf.py`` and ``curriculum.settings.production``
  (``SECURE_SSL_REDIRECT=false``; clients send ``X-Forwarded-Proto: https`` as the reverse
  proxy would, so secure cookies and CSRF work as in production);
- one Celery worker and Celery beat.

:class:`Learner` is a practitioner's browser (``requests``): sign in, My learning, read and
complete lessons, start the quiz, autosave, submit, review, each request recorded as a
:class:`Hit` (status 0 when no HTTP answer came). :func:`journey` runs the whole path with
retries, as a person clicks again after an error page.

Only the standard library and ``requests`` are imported: Django runs in the stack's processes
and in :mod:`check`, never in the drill's own.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _pg(tool: str) -> str:
    found = shutil.which(tool)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{tool}"), reverse=True):
        return str(candidate)
    raise SystemExit(f"{tool} not found: install PostgreSQL's server binaries")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_average() -> str:
    """The machine's 1, 5 and 15-minute load averages (other work on it skews every figure)."""
    return " ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores"


def say(text: str = "") -> None:
    print(text, flush=True)


# --------------------------------------------------------------------------------------------
# The stack


class Stack:
    """PostgreSQL, Redis, gunicorn, a Celery worker and beat, in ``self.tmp``."""

    def __init__(
        self,
        name: str,
        *,
        learners: int = 20,
        keep: bool = False,
        env: dict[str, str] | None = None,
    ) -> None:
        self.name = name
        self.learners = learners
        self.keep = keep or os.environ.get("DRILL_KEEP", "") == "1"
        self.tmp = Path(tempfile.mkdtemp(prefix=f"zhusan-{name}-"))
        self.tmp.chmod(0o755)
        self.pg_port, self.redis_port, self.web_port = free_port(), free_port(), free_port()
        self.pg_data = self.tmp / "pg"
        self.media = self.tmp / "media"
        self.media.mkdir()
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.seed: dict[str, Any] = {}
        self.as_postgres = os.geteuid() == 0
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "CELERY"))},
            "DJANGO_SETTINGS_MODULE": "curriculum.settings.production",
            "SECRET_KEY": "drill-" + "x" * 60,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": "https://academy.example.kz",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_PROXY_SSL_HEADER_ENABLED": "true",
            "TRUSTED_PROXY_COUNT": "1",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.pg_port}/zhusan",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/1",
            "MEDIA_ROOT": str(self.media),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("CELERY_RESULT_BACKEND", None)
        self.env.update(env or {})

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    # -- lifecycle --------------------------------------------------------------------------

    def __enter__(self) -> Stack:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self, *, web: bool = True, worker: bool = True, beat: bool = True) -> None:
        t = time.monotonic()
        self.postgres_init()
        self.postgres_start()
        self.redis_start()
        self.migrate()
        self.manage("collectstatic", "--noinput", quiet=True)
        out = self.run_py("scripts/drills/seed.py", "--learners", str(self.learners))
        self.seed = json.loads(out.strip().splitlines()[-1])
        if web:
            self.web_start()
        if worker:
            self.worker_start()
        if beat:
            self.beat_start()
        say(
            f"stack up in {time.monotonic() - t:.0f} s: {self.base_url} "
            f"(PostgreSQL :{self.pg_port}, Redis :{self.redis_port}, {self.learners} learners, "
            f"folder {self.tmp}); load average {load_average()}"
        )

    def migrate(self) -> None:
        """``migrate``, from a dump of the migrated schema when one was made for these
        migrations before (kept in ``$TMPDIR/zhusan-drills-cache``, keyed by their content)."""
        digest = hashlib.sha256()
        for path in sorted(ROOT.glob("*/migrations/*.py")):
            digest.update(path.name.encode() + path.read_bytes())
        cache = Path(tempfile.gettempdir()) / "zhusan-drills-cache"
        dump = cache / f"migrated-{digest.hexdigest()[:16]}.dump"
        target = ["-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres"]
        if dump.exists():
            subprocess.run(  # noqa: S603
                [_pg("pg_restore"), *target, "--no-owner", "-d", "zhusan", str(dump)], check=True
            )
        self.manage("migrate", "--noinput", quiet=True)
        if not dump.exists():
            cache.mkdir(exist_ok=True)
            part = dump.with_suffix(f".{os.getpid()}")
            subprocess.run(  # noqa: S603
                [_pg("pg_dump"), *target, "-Fc", "-f", str(part), "zhusan"], check=True
            )
            part.rename(dump)

    def stop(self) -> None:
        for name in list(self.procs):
            self.stop_process(name)
        with contextlib.suppress(Exception):
            self.postgres_stop()
        if self.keep:
            say(f"kept {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    # -- processes --------------------------------------------------------------------------

    def spawn(self, name: str, argv: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        log = open(self.tmp / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(  # noqa: S603
            argv,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **kwargs,
        )
        self.procs[name] = proc
        return proc

    def stop_process(self, name: str, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)

    def log_tail(self, name: str, lines: int = 15) -> str:
        path = self.tmp / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def log_since(self, name: str, offset: int) -> str:
        """What process ``name`` wrote to its log after ``offset`` bytes."""
        with (self.tmp / f"{name}.log").open("rb") as handle:
            handle.seek(offset)
            return handle.read().decode(errors="replace")

    def manage(self, *args: str, quiet: bool = False, check: bool = True) -> str:
        return self.run_py("manage.py", *args, quiet=quiet, check=check)

    def run_py(self, script: str, *args: str, quiet: bool = False, check: bool = True) -> str:
        res = subprocess.run(  # noqa: S603
            [PYTHON, script, *args], cwd=ROOT, env=self.env, capture_output=True, text=True
        )
        if check and res.returncode:
            raise SystemExit(f"{script} {' '.join(args)} failed:\n{res.stdout}\n{res.stderr}")
        if not quiet and res.stderr.strip():
            say(res.stderr.strip()[-2000:])
        return res.stdout

    # -- PostgreSQL -------------------------------------------------------------------------

    def _as_pg(self, argv: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *argv] if self.as_postgres else argv

    def postgres_init(self) -> None:
        self.pg_data.mkdir()
        if self.as_postgres:
            shutil.chown(self.pg_data, "postgres", "postgres")
        subprocess.run(  # noqa: S603
            self._as_pg(
                [_pg("initdb"), "-D", str(self.pg_data), "-A", "trust", "-U", "postgres", "-E",
                 "UTF8", "--no-sync"]
            ),
            check=True,
            capture_output=True,
        )  # fmt: skip
        self.postgres_start()
        subprocess.run(  # noqa: S603
            [_pg("createdb"), "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres",
             "zhusan"],
            check=True,
        )  # fmt: skip

    def postgres_start(self) -> None:
        if self.postgres_running():
            return
        opts = (
            f"-p {self.pg_port} -c listen_addresses=127.0.0.1 -k {self.pg_data} "
            "-c max_connections=200 -c shared_buffers=128MB"
        )
        subprocess.run(  # noqa: S603
            self._as_pg(
                [_pg("pg_ctl"), "-D", str(self.pg_data), "-l", str(self.pg_data / "server.log"),
                 "-o", opts, "-w", "start"]
            ),
            check=True,
            capture_output=True,
        )  # fmt: skip

    def postgres_stop(self, mode: str = "fast") -> None:
        subprocess.run(  # noqa: S603
            self._as_pg([_pg("pg_ctl"), "-D", str(self.pg_data), "-m", mode, "-w", "stop"]),
            capture_output=True,
        )

    def postgres_running(self) -> bool:
        res = subprocess.run(  # noqa: S603
            self._as_pg([_pg("pg_ctl"), "-D", str(self.pg_data), "status"]), capture_output=True
        )
        return res.returncode == 0

    def psql(self, sql: str, db: str = "zhusan") -> str:
        res = subprocess.run(  # noqa: S603
            [_pg("psql"), "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres", "-d", db,
             "-At", "-c", sql],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        return res.stdout.strip()

    # -- Redis --------------------------------------------------------------------------------

    def redis_start(self) -> None:
        (self.tmp / "redis").mkdir(exist_ok=True)
        self.spawn(
            "redis",
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
             "--dir", str(self.tmp / "redis"), "--save", "", "--appendonly", "yes"],
        )  # fmt: skip
        self.wait_for(lambda: self.redis_cmd("PING") == "PONG", 10, "Redis")

    def redis_stop(self) -> None:
        self.stop_process("redis")

    def redis_cmd(self, *args: str, db: int = 0) -> str:
        res = subprocess.run(  # noqa: S603
            ["redis-cli", "-p", str(self.redis_port), "-n", str(db), *args],  # noqa: S607
            capture_output=True, text=True, timeout=5,
        )  # fmt: skip
        return res.stdout.strip()

    # -- gunicorn, Celery ---------------------------------------------------------------------

    def web_start(self) -> None:
        self.spawn(
            "web",
            [str(VENV_BIN / "gunicorn"), "-c", "curriculum/gunicorn.conf.py",
             "--bind", f"127.0.0.1:{self.web_port}", "curriculum.wsgi"],
        )  # fmt: skip
        self.wait_for(self._web_answers, 60, "gunicorn")

    def _web_answers(self) -> bool:
        import requests

        try:
            requests.get(f"{self.base_url}/healthz/", timeout=3)
        except requests.RequestException:
            return False
        return True

    def web_worker_pids(self) -> list[int]:
        proc = self.procs.get("web")
        if proc is None:
            return []
        out = subprocess.run(  # noqa: S603
            ["pgrep", "-P", str(proc.pid)],  # noqa: S607
            capture_output=True,
            text=True,
        ).stdout
        return [int(p) for p in out.split()]

    def worker_start(self) -> None:
        # "ready" is looked for in what this start wrote, all of it: tasks queued while no
        # worker ran (the seed's report refreshes) scroll it out of any tail at once.
        log = self.tmp / "worker.log"
        offset = log.stat().st_size if log.exists() else 0
        self.spawn(
            "worker",
            [str(VENV_BIN / "celery"), "-A", "curriculum", "worker", "--loglevel=INFO",
             "--concurrency=2", "-n", f"{self.name}@%h"],
        )  # fmt: skip
        self.wait_for(lambda: " ready." in self.log_since("worker", offset), 60, "Celery worker")

    def beat_start(self) -> None:
        self.spawn(
            "beat",
            [str(VENV_BIN / "celery"), "-A", "curriculum", "beat", "--loglevel=INFO",
             "-s", str(self.tmp / "celerybeat-schedule")],
        )  # fmt: skip

    @staticmethod
    def wait_for(test: Callable[[], bool], timeout: float, what: str) -> float:
        t = time.monotonic()
        while time.monotonic() - t < timeout:
            with contextlib.suppress(Exception):
                if test():
                    return time.monotonic() - t
            time.sleep(0.25)
        raise SystemExit(f"{what} did not come up within {timeout:.0f} s")

    # -- what the database holds --------------------------------------------------------------

    def check(self, acks: dict[str, Any] | None = None) -> dict[str, Any]:
        args = []
        if acks is not None:
            path = self.tmp / "acks.json"
            path.write_text(json.dumps(acks))
            args = ["--acks", str(path)]
        return dict(json.loads(self.run_py("scripts/drills/check.py", *args).splitlines()[-1]))

    def beat_tick(self) -> list[str]:
        """Publish now, through the broker to the worker, every task in beat's schedule that
        sweeps (its name says ``sweep`` or ``issue_due``): beat's next run, brought forward, since
        a drill cannot wait its interval. Returns the tasks sent."""
        code = (
            "from django.conf import settings\n"
            "from curriculum.celery import app\n"
            "for entry in settings.CELERY_BEAT_SCHEDULE.values():\n"
            "    if any(w in entry['task'] for w in ('sweep', 'issue_due')):\n"
            "        app.send_task(entry['task'])\n"
            "        print('SENT', entry['task'])\n"
        )
        out = self.manage("shell", "-v", "0", "-c", code, quiet=True, check=False)
        return [line.split()[1] for line in out.splitlines() if line.startswith("SENT ")]

    def sweep_commands(self) -> list[str]:
        """Management commands that sweep for due certificates or stuck jobs (any app's command
        whose name says ``sweep``, ``reap``, ``drain``, ``outbox`` or ``due``), in the tree as it
        is now."""
        found = []
        for path in sorted(ROOT.glob("*/management/commands/*.py")):
            if any(word in path.stem for word in ("sweep", "reap", "drain", "outbox", "due")):
                found.append(path.stem)
        return found


# --------------------------------------------------------------------------------------------
# A practitioner's browser


@dataclass
class Hit:
    """One request as the user saw it."""

    name: str
    start: float  # seconds since the run began
    seconds: float
    status: int  # 0: no HTTP answer (refused, reset, timed out)
    error: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 400


@dataclass
class Record:
    """Every request of a run and every write that was acknowledged, thread-safe."""

    t0: float = field(default_factory=time.monotonic)
    hits: list[Hit] = field(default_factory=list)
    acks: dict[str, list[list[Any]]] = field(
        default_factory=lambda: {"complete": [], "submit": [], "autosave": [], "submit_quiz": []}
    )
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, hit: Hit) -> None:
        with self.lock:
            self.hits.append(hit)

    def ack(self, kind: str, *row: Any) -> None:
        with self.lock:
            self.acks[kind].append(list(row))


def unsecure(jar: Any) -> None:
    """Let ``Secure`` cookies travel over the plain-HTTP hop, as they do between the
    TLS-ending proxy and gunicorn (the cookie jar would otherwise keep them back)."""
    for cookie in jar:
        cookie.secure = False


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
QUESTION_INPUT = re.compile(r'name="(q\d+)"')
ATTEMPT_URL = re.compile(r"/learn/quizzes/attempts/(\d+)/")


class Learner:
    """One practitioner with a session, talking to the stack like a browser behind the proxy."""

    def __init__(self, base_url: str, username: str, password: str, record: Record, n: int):
        import requests

        self.base = base_url
        self.username = username
        self.password = password
        self.record = record
        self.s = requests.Session()
        # The reverse proxy's headers: TLS ended there, and the client's own address.
        self.s.headers.update(
            {
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}",
                "Referer": f"https://{base_url.split('://', 1)[1]}/",
            }
        )
        self.attempt_id = 0

    def request(self, name: str, method: str, path: str, **kwargs: Any) -> Any:
        import requests

        start = time.monotonic()
        try:
            resp = self.s.request(
                method, self.base + path, timeout=30, allow_redirects=False, **kwargs
            )
        except requests.RequestException as exc:
            self.record.add(
                Hit(name, start - self.record.t0, time.monotonic() - start, 0, type(exc).__name__)
            )
            return None
        self.record.add(
            Hit(name, start - self.record.t0, time.monotonic() - start, resp.status_code)
        )
        unsecure(self.s.cookies)
        return resp

    def csrf(self) -> str:
        return str(self.s.cookies.get("csrftoken", ""))

    def post(self, name: str, path: str, data: dict[str, Any]) -> Any:
        return self.request(name, "POST", path, data={**data, "csrfmiddlewaretoken": self.csrf()})

    # -- the steps: each returns True when it did what the user wanted --------------------------

    def sign_in(self) -> bool:
        page = self.request("login page", "GET", "/en/accounts/login/")
        if page is None or page.status_code != 200:
            return False
        resp = self.post(
            "sign in",
            "/en/accounts/login/",
            {"username": self.username, "password": self.password},
        )
        return (
            resp is not None
            and resp.status_code == 302
            and "login" not in resp.headers.get("Location", "")
        )

    def my_learning(self) -> bool:
        resp = self.request("my learning", "GET", "/en/learn/")
        return resp is not None and resp.status_code == 200

    def read_lesson(self, lesson: dict[str, Any]) -> bool:
        resp = self.request("lesson page", "GET", lesson["url"])
        return resp is not None and resp.status_code == 200

    def complete_lesson(self, lesson: dict[str, Any]) -> bool:
        resp = self.post("complete lesson", f"/en/learn/lessons/{lesson['id']}/complete/", {})
        if resp is not None and resp.status_code == 302:
            self.record.ack("complete", self.username, lesson["id"])
            return True
        return False

    def start_quiz(self, quiz_id: int, module_id: int) -> bool:
        page = self.request("quiz page", "GET", f"/en/learn/quizzes/{quiz_id}/?from={module_id}")
        if page is None or page.status_code != 200:
            return False
        resp = self.post(
            "start quiz", f"/en/learn/quizzes/{quiz_id}/start/", {"from": str(module_id)}
        )
        if resp is None or resp.status_code != 302:
            return False
        match = ATTEMPT_URL.search(resp.headers.get("Location", ""))
        if not match:
            return False
        self.attempt_id = int(match.group(1))
        return True

    def answers(self) -> dict[str, str] | None:
        page = self.request("attempt page", "GET", f"/en/learn/quizzes/attempts/{self.attempt_id}/")
        if page is None or page.status_code != 200:
            return None
        # Every seeded question is true/false and the right answer is "false".
        return dict.fromkeys(dict.fromkeys(QUESTION_INPUT.findall(page.text)), "false")

    def autosave(self, answers: dict[str, str]) -> bool:
        resp = self.post(
            "autosave", f"/en/learn/quizzes/attempts/{self.attempt_id}/autosave/", answers
        )
        if resp is not None and resp.status_code == 200:
            self.record.ack("autosave", self.username, self.attempt_id)
            return True
        return False

    def submit(self, answers: dict[str, str], quiz_id: int) -> bool:
        resp = self.post(
            "submit",
            f"/en/learn/quizzes/attempts/{self.attempt_id}/submit/",
            {**answers, "with_answers": "1"},
        )
        if (
            resp is not None
            and resp.status_code == 302
            and "review" in resp.headers.get("Location", "")
        ):
            self.record.ack("submit", self.username, self.attempt_id)
            self.record.ack("submit_quiz", self.username, quiz_id)
            return True
        return False

    def review(self) -> bool:
        resp = self.request(
            "review", "GET", f"/en/learn/quizzes/attempts/{self.attempt_id}/review/"
        )
        return resp is not None and resp.status_code == 200


def journey(
    learner: Learner,
    seed: dict[str, Any],
    *,
    think: float = 0.2,
    retries: int = 20,
    retry_wait: float = 1.0,
) -> bool:
    """The whole path of a practitioner: sign in, My learning, each lesson read and completed,
    the quiz started, autosaved, submitted and reviewed. A step that fails is tried again after
    ``retry_wait`` (a person clicking again), up to ``retries`` times. True when all succeeded."""

    def step(fn: Callable[[], Any]) -> Any:
        for _ in range(retries):
            result = fn()
            if result:
                time.sleep(think)
                return result
            time.sleep(retry_wait)
        return None

    if not step(learner.sign_in) or not step(learner.my_learning):
        return False
    for lesson in seed["lessons"]:
        if not step(partial(learner.read_lesson, lesson)):
            return False
        if not step(partial(learner.complete_lesson, lesson)):
            return False
    if not step(lambda: learner.start_quiz(seed["quiz_id"], seed["module_id"])):
        return False
    answers = step(learner.answers)
    if not answers:
        return False
    if not step(lambda: learner.autosave(answers)):
        return False
    if not step(lambda: learner.submit(answers, seed["quiz_id"])):
        return False
    return bool(step(learner.review)) and bool(step(learner.my_learning))


# --------------------------------------------------------------------------------------------
# Reporting


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def hits_table(hits: list[Hit], windows: list[tuple[str, float, float]]) -> str:
    """Per time window (label, from, to in run seconds): requests, errors by status, p50/p95."""
    rows = [["window", "requests", "2xx/3xx", "4xx", "5xx", "no answer", "p50 s", "p95 s", "max s"]]
    for label, lo, hi in windows:
        sel = [h for h in hits if lo <= h.start < hi]
        secs = [h.seconds for h in sel]
        rows.append(
            [
                label,
                str(len(sel)),
                str(sum(h.ok for h in sel)),
                str(sum(400 <= h.status < 500 for h in sel)),
                str(sum(h.status >= 500 for h in sel)),
                str(sum(h.status == 0 for h in sel)),
                f"{percentile(secs, 50):.2f}",
                f"{percentile(secs, 95):.2f}",
                f"{max(secs, default=0):.2f}",
            ]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    )


def failures_by_step(hits: list[Hit], lo: float = 0, hi: float = 1e9) -> str:
    """``name status x count`` for every failed request in the window."""
    counts: dict[str, int] = {}
    for h in hits:
        if lo <= h.start < hi and not h.ok:
            key = f"{h.name} {h.status or h.error}"
            counts[key] = counts.get(key, 0) + 1
    return ", ".join(f"{k} x{v}" for k, v in sorted(counts.items())) or "none"


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


@contextlib.contextmanager
def learners_running(
    stack: Stack,
    record: Record,
    *,
    count: int,
    every: float,
    first: int = 0,
    **kwargs: Any,
) -> Iterator[list[threading.Thread]]:
    """Start ``count`` journeys, one every ``every`` seconds, in threads; on leaving the block,
    wait for them all. The results (True/False per journey) land in ``stack.journeys``."""
    results: dict[str, bool] = {}
    stack.journeys = results  # type: ignore[attr-defined]
    names = stack.seed["learners"][first : first + count]
    threads: list[threading.Thread] = []

    def run(i: int, username: str) -> None:
        learner = Learner(stack.base_url, username, stack.seed["password"], record, first + i)
        results[username] = journey(learner, stack.seed, **kwargs)

    def starter() -> None:
        for i, username in enumerate(names):
            t = threading.Thread(target=run, args=(i, username), daemon=True)
            t.start()
            threads.append(t)
            time.sleep(every)

    launcher = threading.Thread(target=starter, daemon=True)
    launcher.start()
    try:
        yield threads
    finally:
        launcher.join()
        for t in threads:
            t.join(timeout=300)
