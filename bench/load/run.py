#!/usr/bin/env python
"""Load test: 100 practitioners on their whole journey against a local production stack.

``make bench-load`` (``BENCH_ARGS="--users 20"`` for a quick run). The fault drills' stack
(``scripts/drills/stack.py``: its own PostgreSQL and Redis, gunicorn with
``curriculum/gunicorn.conf.py``, a Celery worker and beat, production settings) with a seeded
course and quiz; six journeys to warm it up; locust (``locustfile.py``) for 120 s; 20 sign-ins
released together; then every acknowledged write is looked up in the database.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts" / "drills")]

from stack import VENV_BIN, Learner, Record, Stack, learners_running  # noqa: E402

from bench import common  # noqa: E402
from bench.common import Check, percentile, say  # noqa: E402

MAX_PAGE_P95 = 1.5  # seconds, every page GET
MAX_SIGN_IN_P95 = 3.0
BURST, MAX_BURST = 20, 5.0  # sign-ins released together, each under this many seconds
WARM_UP = 6  # journeys before the run: templates, hasher and connections loaded
WRITES = {"sign in", "complete lesson", "start quiz", "autosave", "submit"}


def burst_sign_in(stack: Stack, usernames: list[str]) -> list[float]:
    """Sign-ins released by one barrier: the seconds of each (infinite when it failed)."""
    barrier, times = threading.Barrier(len(usernames)), []

    def one(i: int, username: str) -> None:
        learner = Learner(stack.base_url, username, stack.seed["password"], Record(), 5000 + i)
        learner.request("login page", "GET", "/en/accounts/login/")
        barrier.wait()
        t = time.monotonic()
        answer = learner.post(
            "sign in", "/en/accounts/login/", {"username": username, "password": learner.password}
        )
        signed_in = answer is not None and answer.status_code == 302
        times.append(time.monotonic() - t if signed_in else float("inf"))

    threads = [threading.Thread(target=one, args=item) for item in enumerate(usernames)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def main(argv: list[str] | None = None) -> int:
    args = common.arguments(__doc__, argv, ("--users", 100, "concurrent practitioners"))
    common.exit_cleanly_on_signals()
    common.header("Load test", "a drills stack: PostgreSQL, Redis, gunicorn, worker, beat")
    with Stack("load", learners=args.users + BURST + WARM_UP) as stack:
        seed, acks = stack.tmp / "seed.json", stack.tmp / "acks.json"
        seed.write_text(json.dumps(stack.seed))
        with learners_running(stack, Record(), count=WARM_UP, every=0, first=args.users + BURST):
            pass
        options = f"-u {args.users} -r 10 --run-time 120s --only-summary --stop-timeout 30"
        locust = [str(VENV_BIN / "locust"), *options.split()]
        locust += ["-f", str(Path(__file__).with_name("locustfile.py")), "--headless"]
        locust += ["--host", stack.base_url, "--csv", str(stack.tmp / "locust")]
        with common.Idle() as idle, (stack.tmp / "locust.log").open("w") as log:
            env = {**stack.env, "LOAD_SEED": str(seed), "LOAD_ACKS": str(acks)}
            subprocess.run(locust, env=env, stdout=log, stderr=log, check=False)
        stats = csv.DictReader((stack.tmp / "locust_stats.csv").open())
        rows = [r for r in stats if r["Name"] != "Aggregated"]
        time.sleep(3)  # the burst on a quiet site, as at 9:00
        burst = burst_sign_in(stack, stack.seed["learners"][args.users : args.users + BURST])
        t = time.monotonic()  # every due certificate: give the worker a little more time
        while stack.check()["certificates_missing"] and time.monotonic() - t < 60:
            time.sleep(5)
        recorded = json.loads(acks.read_text())
        db = stack.check(recorded["acks"])
    columns = ("Request Count", "Failure Count", "50%", "95%")
    table = [[r["Name"], *(int(r[k]) for k in columns)] for r in rows]
    say(common.table(table, ["request", "n", "failed", "p50 ms", "p95 ms"]))
    pages = [ms / 1000 for _t, name, ms in recorded["timeline"] if name not in WRITES]
    sign_in = next(float(r["95%"]) / 1000 for r in rows if r["Name"] == "sign in")
    requests, errors = (sum(int(r[k]) for r in rows) for k in ("Request Count", "Failure Count"))
    duplicated = db["acks_duplicated"] + db["progress_duplicates"] + db["certificate_duplicates"]
    say(
        f"{BURST} sign-ins together: median {percentile(burst, 50):.2f} s; database: "
        "{acks_checked} acknowledged writes checked, {certificates_due} certificates due, "
        "{certificates_issued} issued".format(**db)
    )
    checks = [
        Check.equal(f"failed requests (of {requests:,})", errors, 0),
        Check.below("pages p95 (every page GET)", percentile(pages, 95), MAX_PAGE_P95, "s"),
        Check.below("sign-in p95", sign_in, MAX_SIGN_IN_P95, "s"),
        Check.below(f"{BURST} sign-ins together, the slowest", max(burst), MAX_BURST, "s"),
        Check.equal("acknowledged writes lost, duplicated", [db["acks_lost"], duplicated], [0, 0]),
        Check.equal("attempts of a learner, at most", db["attempts_per_user_max"], 1),
        Check.equal("certificates due but missing", db["certificates_missing"], 0),
    ]
    return common.report(checks, idle, strict=args.strict)


if __name__ == "__main__":
    raise SystemExit(main())
