"""Fault drills against a local production-like stack that each drill starts and stops itself.

    .venv/bin/python scripts/drills/drill.py redis      # Redis stopped for 30 s during activity
    .venv/bin/python scripts/drills/drill.py worker     # Celery worker SIGKILLed, tasks reserved
    .venv/bin/python scripts/drills/drill.py web        # gunicorn workers SIGKILLed mid-request
    .venv/bin/python scripts/drills/drill.py postgres   # PostgreSQL stopped and started again
    .venv/bin/python scripts/drills/drill.py backup     # pg_dump + media/, restored, compared
    .venv/bin/python scripts/drills/drill.py all        # each in turn; exit 1 if one fails

Each prints what the simulated practitioners saw (requests, status codes, latencies, before,
during and after the fault), what the database holds afterwards, and PASS or FAIL. See
scripts/drills/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import re
import signal
import subprocess
import sys
import tarfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stack import (
    Learner,
    Record,
    Stack,
    failures_by_step,
    hits_table,
    learners_running,
    percentile,
    say,
)

#: How long the stack gets to issue every due certificate on its own after a fault
#: (``--recovery``).
RECOVERY_SECONDS = 60
RECOVERY = RECOVERY_SECONDS


class Verdict:
    """Named checks; the drill passes when all pass."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.checks: list[tuple[str, bool, str]] = []

    def check(self, name: str, ok: bool, figure: str) -> None:
        self.checks.append((name, ok, figure))

    @property
    def ok(self) -> bool:
        return all(ok for _n, ok, _f in self.checks)

    def show(self) -> bool:
        say(f"\n{self.title}:")
        width = max(len(n) for n, _o, _f in self.checks)
        for name, ok, figure in self.checks:
            say(f"  {'PASS' if ok else 'FAIL'}  {name.ljust(width)}  {figure}")
        say(f"VERDICT {self.title}: {'PASS' if self.ok else 'FAIL'}")
        return self.ok


class HealthProbe(threading.Thread):
    """``/healthz/`` every 2 s: (run second, status, seconds); status 0 when no answer in 5 s."""

    def __init__(self, stack: Stack, record: Record) -> None:
        super().__init__(daemon=True)
        self.stack, self.record = stack, record
        self.samples: list[tuple[float, int, float]] = []
        self.done = threading.Event()

    def run(self) -> None:
        import requests

        while not self.done.is_set():
            t = time.monotonic()
            try:
                status = requests.get(f"{self.stack.base_url}/healthz/", timeout=5).status_code
            except requests.RequestException:
                status = 0
            self.samples.append((t - self.record.t0, status, time.monotonic() - t))
            self.done.wait(2)

    def summary(self, lo: float, hi: float) -> str:
        sel = [(s, d) for t, s, d in self.samples if lo <= t < hi]
        statuses: dict[int, int] = {}
        for s, _d in sel:
            statuses[s] = statuses.get(s, 0) + 1
        slowest = max((d for _s, d in sel), default=0)
        return f"{dict(sorted(statuses.items()))}, slowest {slowest:.2f} s"

    def within(self, lo: float, hi: float) -> list[tuple[int, float]]:
        return [(s, d) for t, s, d in self.samples if lo <= t < hi]


def db_report(stack: Stack, acks: dict[str, Any] | None) -> dict[str, Any]:
    db = stack.check(acks)
    say(
        "database: {learners} learners, {progress_rows} progress rows ({progress_duplicates} "
        "duplicated), {attempts} attempts ({attempts_submitted} submitted, at most "
        "{attempts_per_user_max} per learner), {results_passed}/{results} results passed, "
        "certificates due {certificates_due}, issued {certificates_issued}, missing "
        "{certificates_missing}, duplicated {certificate_duplicates}".format(**db)
    )
    if acks is not None:
        say(
            f"acknowledged writes: {db['acks_checked']} checked, {db['acks_lost']} lost, "
            f"{db['acks_duplicated']} duplicated {db['acks_problems'] or ''}"
        )
    return db


def recover_certificates(stack: Stack, seconds: float | None = None) -> tuple[dict[str, Any], str]:
    """Wait up to ``seconds`` for the stack (worker, beat) to issue every due certificate; then,
    if some are still missing, run the tree's sweep commands once. Returns the last check and how
    the certificates came (for the verdict)."""
    seconds = RECOVERY if seconds is None else seconds
    t = time.monotonic()
    db = stack.check()
    while db["certificates_missing"] and time.monotonic() - t < seconds:
        time.sleep(5)
        db = stack.check()
    waited = time.monotonic() - t
    if not db["certificates_missing"]:
        return db, f"all issued by the stack within {waited:.0f} s"
    before = db["certificates_missing"]
    sent = stack.beat_tick()
    say(f"  {before} still missing after {waited:.0f} s: beat's sweeps sent now: {sent}")
    t = time.monotonic()
    while sent and db["certificates_missing"] and time.monotonic() - t < 30:
        time.sleep(3)
        db = stack.check()
    if not db["certificates_missing"]:
        return db, (
            f"{before} missing after {waited:.0f} s, then all issued by beat's sweep "
            f"({', '.join(sent)}) sent early, in {time.monotonic() - t:.0f} s"
        )
    commands = stack.sweep_commands()
    for command in commands:
        say(f"  still missing after beat's sweeps: manage.py {command}")
        say("  " + stack.manage(command, check=False).strip()[-300:])
    db = stack.check()
    if not commands:
        return db, f"{before} missing after {waited:.0f} s; the tree has no sweep command"
    return (
        db,
        f"{before} missing after {waited:.0f} s, {db['certificates_missing']} after the sweep",
    )


def common_checks(v: Verdict, stack: Stack, db: dict[str, Any], how: str) -> None:
    journeys = stack.journeys  # type: ignore[attr-defined]
    done = sum(journeys.values())
    v.check("every journey completed", done == len(journeys), f"{done}/{len(journeys)}")
    v.check("no acknowledged write lost", db.get("acks_lost", 0) == 0, str(db.get("acks_lost")))
    dup = db["progress_duplicates"] + db["certificate_duplicates"] + db.get("acks_duplicated", 0)
    v.check(
        "nothing duplicated",
        dup == 0 and db["attempts_per_user_max"] <= 1,
        f"{dup} duplicates, {db['attempts_per_user_max']} attempt(s) per learner at most",
    )
    v.check(
        "every due certificate issued",
        db["certificates_missing"] == 0 and db["certificates_due"] > 0,
        f"due {db['certificates_due']}, issued {db['certificates_issued']}: {how}",
    )


def show_hits(record: Record, windows: list[tuple[str, float, float]]) -> None:
    say("\nwhat users saw:")
    say(hits_table(record.hits, windows))
    for label, lo, hi in windows:
        say(f"  failed in '{label}': {failures_by_step(record.hits, lo, hi)}")


def _final(stack: Stack, record: Record) -> dict[str, Any]:
    """After the activity: recover the certificates, then the database check with the acks."""
    _db, how = recover_certificates(stack)
    db = db_report(stack, record.acks)
    db["how"] = how
    return db


# --------------------------------------------------------------------------------------------
# The drills


def drill_redis(args: argparse.Namespace) -> bool:
    """Redis (broker and cache) stopped for 30 s while practitioners work."""
    with Stack("drill-redis", learners=40) as stack:
        record = Record()
        probe = HealthProbe(stack, record)
        probe.start()
        down_at, up_at = 10.0, 10.0 + args.outage
        with learners_running(stack, record, count=30, every=1.4):
            time.sleep(down_at - (time.monotonic() - record.t0))
            stack.redis_stop()
            say(f"t={time.monotonic() - record.t0:.1f} s  Redis stopped")
            time.sleep(max(0.0, up_at - (time.monotonic() - record.t0)))
            stack.redis_start()
            say(f"t={time.monotonic() - record.t0:.1f} s  Redis started again")
        probe.done.set()
        end = time.monotonic() - record.t0
        windows = [("before", 0, down_at), ("Redis down", down_at, up_at), ("after", up_at, end)]
        show_hits(record, windows)
        say(f"/healthz/ while Redis was down: {probe.summary(down_at + 1, up_at)}")
        db = _final(stack, record)
        v = Verdict(f"drill redis (Redis stopped for {args.outage:.0f} s)")
        during = [h for h in record.hits if down_at <= h.start < up_at]
        bad = [h for h in during if not h.ok]
        v.check(
            "no error page while Redis was down",
            not bad,
            f"{len(bad)} of {len(during)} failed ({failures_by_step(during)})",
        )
        p95 = percentile([h.seconds for h in during], 95)
        v.check("p95 while Redis was down under 2 s", p95 < 2.0, f"{p95:.2f} s")
        health = probe.within(down_at + 1, up_at)
        v.check(
            "/healthz/ says 503 within 2 s",
            bool(health) and all(s == 503 and d < 2 for s, d in health),
            probe.summary(down_at + 1, up_at),
        )
        common_checks(v, stack, db, db["how"])
        return v.show()


#: The worker drill's visibility timeout: production's (600 s, ``CELERY_VISIBILITY_TIMEOUT``)
#: would outlast the drill; a short one shows the redelivery itself happens.
DRILL_VISIBILITY_TIMEOUT = 20


def drill_worker(args: argparse.Namespace) -> bool:
    """The Celery worker SIGKILLed while it holds reserved tasks; started again."""
    timeout = str(DRILL_VISIBILITY_TIMEOUT)
    with Stack("drill-worker", learners=20, env={"CELERY_VISIBILITY_TIMEOUT": timeout}) as stack:
        record = Record()
        main = stack.procs["worker"].pid
        pgrep = ["pgrep", "-P", str(main)]
        children = [int(p) for p in subprocess.check_output(pgrep).split()]  # noqa: S603
        # The pool processes stop working, the consumer keeps taking (reserving) tasks: as a
        # worker busy on long tasks would be.
        for pid in children:
            os.kill(pid, signal.SIGSTOP)
        say(f"worker pool processes {children} paused (SIGSTOP); practitioners finish the course")
        with learners_running(stack, record, count=12, every=0.5):
            pass
        time.sleep(2)
        queued = stack.redis_cmd("LLEN", "celery")
        reserved = re.findall(r'"id": "([0-9a-f-]{36})"', stack.redis_cmd("HVALS", "unacked"))
        reserved = list(dict.fromkeys(reserved))
        say(f"broker before the kill: {queued} waiting in the queue, {len(reserved)} reserved")
        os.killpg(main, signal.SIGKILL)
        for pid in children:
            with_suppress_kill(pid)
        stack.procs.pop("worker").wait(10)
        t_kill = time.monotonic()
        log_size = (stack.tmp / "worker.log").stat().st_size
        say("worker killed (SIGKILL to its process group); starting a new one")
        stack.worker_start()
        show_hits(record, [("activity", 0, 1e9)])
        db, how = recover_certificates(stack)

        def redelivered() -> list[str]:
            log = (stack.tmp / "worker.log").read_bytes()[log_size:].decode(errors="replace")
            return [t for t in reserved if re.search(rf"\[{t}\] succeeded", log)]

        while len(redelivered()) < len(reserved) and time.monotonic() - t_kill < 150:
            time.sleep(2)
        done = redelivered()
        took = time.monotonic() - t_kill
        db = db_report(stack, record.acks)
        v = Verdict("drill worker (Celery worker SIGKILLed with tasks reserved)")
        v.check("tasks were reserved at the kill", bool(reserved), f"{len(reserved)} reserved")
        v.check(
            f"reserved tasks redelivered and run (visibility timeout {timeout} s)",
            bool(reserved) and len(done) == len(reserved),
            f"{len(done)} of {len(reserved)}, {took:.0f} s after the kill",
        )
        common_checks(v, stack, db, how)
        return v.show()


def with_suppress_kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def drill_web(args: argparse.Namespace) -> bool:
    """A gunicorn worker SIGKILLed mid-request, three times, while practitioners work."""
    with Stack("drill-web", learners=40) as stack:
        record = Record()
        kills: list[float] = []
        before = len(stack.web_worker_pids())
        with learners_running(stack, record, count=30, every=0.6):
            for at in (6.0, 12.0, 18.0):
                time.sleep(max(0.0, at - (time.monotonic() - record.t0)))
                pids = stack.web_worker_pids()
                if pids:
                    victim = pids[len(kills) % len(pids)]
                    os.kill(victim, signal.SIGKILL)
                    kills.append(time.monotonic() - record.t0)
                    say(f"t={kills[-1]:.1f} s  web worker {victim} killed")
        end = time.monotonic() - record.t0
        time.sleep(2)
        after = len(stack.web_worker_pids())
        windows = [
            ("before", 0, kills[0]),
            ("kills", kills[0], kills[-1] + 2),
            ("after", kills[-1] + 2, end),
        ]
        show_hits(record, windows)
        db = _final(stack, record)
        v = Verdict("drill web (3 gunicorn workers SIGKILLed mid-request)")
        v.check("workers replaced", after == before, f"{before} before, {after} after")
        failed = [h for h in record.hits if not h.ok]
        # Only requests the killed process was serving, or sent on a kept-alive connection to
        # it, may fail: each started at most 30 s (gunicorn's timeout) before a kill, or within
        # 3 s after it (the next request on such a connection). A retry then succeeds.
        late = [h for h in failed if not any(k - 30 <= h.start <= k + 3 for k in kills)]
        v.check(
            "only requests caught by a kill failed",
            not late,
            f"{len(failed)} failed in {len(kills)} kills ({failures_by_step(record.hits)}), "
            f"{len(late)} at another time",
        )
        common_checks(v, stack, db, db["how"])
        return v.show()


def drill_postgres(args: argparse.Namespace) -> bool:
    """PostgreSQL stopped (fast shutdown) and started 10 s later, while practitioners work."""
    with Stack("drill-postgres", learners=40) as stack:
        record = Record()
        probe = HealthProbe(stack, record)
        probe.start()
        with learners_running(stack, record, count=30, every=1.0):
            time.sleep(max(0.0, 8 - (time.monotonic() - record.t0)))
            down = time.monotonic() - record.t0
            stack.postgres_stop("fast")
            say(f"t={down:.1f} s  PostgreSQL stopped")
            time.sleep(args.pg_outage)
            stack.postgres_start()
            up = time.monotonic() - record.t0
            say(f"t={up:.1f} s  PostgreSQL started again")
        probe.done.set()
        end = time.monotonic() - record.t0
        show_hits(record, [("before", 0, down), ("PostgreSQL down", down, up), ("after", up, end)])
        say(f"/healthz/ while PostgreSQL was down: {probe.summary(down + 1, up)}")
        db = _final(stack, record)
        v = Verdict(f"drill postgres (PostgreSQL down {args.pg_outage:.0f} s)")
        after = [h for h in record.hits if h.start >= up + 3]
        bad = [h for h in after if not h.ok]
        v.check(
            "no error 3 s after PostgreSQL is back",
            not bad,
            f"{len(bad)} of {len(after)} failed ({failures_by_step(after)})",
        )
        health = probe.within(down + 1, up)
        v.check(
            "/healthz/ says 503 within 2 s",
            bool(health) and all(s == 503 and d < 2 for s, d in health),
            probe.summary(down + 1, up),
        )
        during = [h for h in record.hits if down <= h.start < up]
        slow = max((h.seconds for h in during), default=0)
        v.check(
            "requests fail fast while it is down (under 5 s)", slow < 5, f"slowest {slow:.2f} s"
        )
        common_checks(v, stack, db, db["how"])
        return v.show()


def drill_backup(args: argparse.Namespace) -> bool:
    """pg_dump and media/ archived while the site runs, restored into a fresh database and
    folder, compared table by table and file by file, and served by a second gunicorn."""
    import requests
    from stack import _pg, free_port

    with Stack("drill-backup", learners=10) as stack:
        record = Record()
        with learners_running(stack, record, count=8, every=0.5):
            pass
        recover_certificates(stack)
        dump = stack.tmp / "zhusan.dump"
        media_tar = stack.tmp / "media.tar.gz"
        t = time.monotonic()
        subprocess.run(  # noqa: S603
            [_pg("pg_dump"), "-h", "127.0.0.1", "-p", str(stack.pg_port), "-U", "postgres",
             "-Fc", "-f", str(dump), "zhusan"],
            check=True,
        )  # fmt: skip
        with tarfile.open(media_tar, "w:gz") as tar:
            tar.add(stack.media, arcname="media")
        backup_s = time.monotonic() - t
        t = time.monotonic()
        stack.psql("CREATE DATABASE zhusan_restored", db="postgres")
        subprocess.run(  # noqa: S603
            [_pg("pg_restore"), "-h", "127.0.0.1", "-p", str(stack.pg_port), "-U", "postgres",
             "--no-owner", "-d", "zhusan_restored", str(dump)],
            check=True,
        )  # fmt: skip
        restored_media = stack.tmp / "restored"
        with tarfile.open(media_tar) as tar:
            tar.extractall(restored_media, filter="data")
        restore_s = time.monotonic() - t
        say(
            f"backup {dump.stat().st_size / 1024:.0f} KiB dump + {media_tar.stat().st_size} B "
            f"media in {backup_s:.1f} s; restored in {restore_s:.1f} s"
        )
        tables = stack.psql(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        ).split()
        # Table names come from the catalogue of our own throwaway database.
        sql = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM \"{t}\"" for t in tables)  # noqa: S608
        original = dict(line.split("|") for line in stack.psql(sql).splitlines())
        restored = dict(
            line.split("|") for line in stack.psql(sql, db="zhusan_restored").splitlines()
        )
        differ = [t for t in tables if original.get(t) != restored.get(t)]
        key = [
            "auth_user", "learners_lessonprogress", "quizzes_attempt", "quizzes_quizresult",
            "certification_certificate", "wagtailcore_page", "wagtailcore_revision",
            "wagtaildocs_document",
        ]  # fmt: skip
        say("counts (original / restored): " + ", ".join(
            f"{t} {original.get(t)}/{restored.get(t)}" for t in key
        ))  # fmt: skip

        def digest(folder: Path) -> dict[str, str]:
            return {
                str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(folder.rglob("*"))
                if p.is_file()
            }

        media_before = digest(stack.media)
        media_after = digest(restored_media / "media")
        say(f"media files: {len(media_before)} original, {len(media_after)} restored")

        # Serve the restored copy and use it as a holder and a practitioner would.
        stack.stop_process("web")
        stack.env["DATABASE_URL"] = stack.env["DATABASE_URL"].rsplit("/", 1)[0] + "/zhusan_restored"
        stack.env["MEDIA_ROOT"] = str(restored_media / "media")
        stack.web_port = free_port()
        stack.web_start()
        code = stack.psql(
            "SELECT code FROM certification_certificate LIMIT 1", db="zhusan_restored"
        )
        learner = Learner(
            stack.base_url, stack.seed["learners"][0], stack.seed["password"], Record(), 1
        )
        signed_in = learner.sign_in() and learner.my_learning()
        verify = requests.get(
            f"{stack.base_url}/verify/{code}/", headers={"X-Forwarded-Proto": "https"}, timeout=10
        )
        doc = learner.request("document", "GET", stack.seed["document_url"])
        doc_ok = (
            doc is not None and doc.status_code == 200 and doc.content.startswith(b"Drill handout")
        )

        v = Verdict("drill backup (pg_dump + media/, restored into a fresh database)")
        certs = int(restored.get("certification_certificate", 0))
        progress = int(restored.get("learners_lessonprogress", 0))
        same_media = media_before == media_after and bool(media_before)
        v.check(
            "every table's row count equal",
            not differ and len(tables) > 20,
            f"{len(tables)} tables, {len(differ)} differ {differ[:5] or ''}",
        )
        v.check(
            "certificates and progress present",
            certs > 0 and progress > 0,
            f"{certs} certificates, {progress} progress rows",
        )
        v.check(
            "media files identical",
            same_media,
            f"{len(media_after)} files, sha256 {'equal' if same_media else 'DIFFER'}",
        )
        v.check(
            "restored site: sign in and My learning", signed_in, "ok" if signed_in else "failed"
        )
        v.check(
            "restored site: /verify/<code>/",
            verify.status_code == 200 and bool(code) and code in verify.text,
            f"{verify.status_code}",
        )
        v.check("restored site: the handout document", doc_ok, f"{doc.status_code if doc else 0}")
        return v.show()


DRILLS: dict[str, Callable[[argparse.Namespace], bool]] = {
    "redis": drill_redis,
    "worker": drill_worker,
    "web": drill_web,
    "postgres": drill_postgres,
    "backup": drill_backup,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("drill", choices=[*DRILLS, "all"])
    parser.add_argument("--outage", type=float, default=30, help="seconds Redis is down (30)")
    parser.add_argument(
        "--pg-outage", type=float, default=10, help="seconds PostgreSQL is down (10)"
    )
    parser.add_argument(
        "--recovery",
        type=float,
        default=RECOVERY_SECONDS,
        help="seconds the stack gets to issue due certificates on its own after the fault (60)",
    )
    args = parser.parse_args(argv)
    global RECOVERY
    RECOVERY = args.recovery
    names = list(DRILLS) if args.drill == "all" else [args.drill]
    results: dict[str, bool] = {}
    for name in names:
        say(f"\n=== drill {name} ===")
        t = time.monotonic()
        try:
            results[name] = DRILLS[name](args)
        except SystemExit as exc:
            say(f"drill {name} could not run: {exc}")
            results[name] = False
        say(f"(drill {name} took {time.monotonic() - t:.0f} s)")
    if len(names) > 1:
        say(
            "\nsummary: "
            + ", ".join(f"{n} {'PASS' if ok else 'FAIL'}" for n, ok in results.items())
        )
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
