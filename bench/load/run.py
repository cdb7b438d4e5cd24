"""Load test: N practitioners on their full journey against a local production-like stack.

    .venv/bin/python bench/load/run.py --users 100            # about 4 minutes
    .venv/bin/python bench/load/run.py --users 20 --run-time 60

Starts the drills' stack (``scripts/drills/stack.py``: a throwaway PostgreSQL, its own Redis,
gunicorn with ``curriculum/gunicorn.conf.py`` and production settings, a Celery worker and beat),
seeds the practitioners and a course with a quiz, runs locust headless
(``bench/load/locustfile.py``), then:

- 20 more practitioners sign in at the same second (a barrier releases them together);
- the database is checked: every write locust got a success for is present exactly once,
  nothing is duplicated, every due certificate is issued;
- p50/p95 for pages and for sign-in, the error count, and PASS/FAIL against the targets.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "drills"))

from stack import VENV_BIN, Learner, Record, Stack, learners_running, percentile, say  # noqa: E402

#: The targets of issue #12 on the 2-core reference machine.
PAGE_P95 = 1.5
SIGN_IN_P95 = 3.0
BURST = 20
BURST_MAX = 5.0
#: Practitioners who walk the journey once before the measured run: each gunicorn process
#: has then loaded its templates, the password hasher and its database connections, as a
#: server that has been up for a while has.
WARM_UP = 6
WRITES = {"sign in", "complete lesson", "start quiz", "autosave", "submit"}


def burst_sign_in(stack: Stack, usernames: list[str]) -> list[float]:
    """``len(usernames)`` sign-ins released at the same instant; each one's seconds (inf when it
    failed)."""
    barrier = threading.Barrier(len(usernames))
    times: list[float] = []
    lock = threading.Lock()

    def one(i: int, username: str) -> None:
        learner = Learner(stack.base_url, username, stack.seed["password"], Record(), 5000 + i)
        learner.request("login page", "GET", "/en/accounts/login/")
        barrier.wait()
        t = time.monotonic()
        ok = learner.post(
            "sign in", "/en/accounts/login/", {"username": username, "password": learner.password}
        )
        took = time.monotonic() - t
        good = ok is not None and ok.status_code == 302 and "login" not in ok.headers["Location"]
        with lock:
            times.append(took if good else float("inf"))

    threads = [threading.Thread(target=one, args=(i, u)) for i, u in enumerate(usernames)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=100, help="concurrent practitioners (100)")
    parser.add_argument("--spawn-rate", type=float, default=10, help="new users a second (10)")
    parser.add_argument("--run-time", type=int, default=120, help="seconds of load (120)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when a target is missed (as bench/*.py)"
    )
    args = parser.parse_args(argv)

    with Stack("load", learners=args.users + BURST + WARM_UP) as stack:
        seed_file, acks_file = stack.tmp / "seed.json", stack.tmp / "acks.json"
        seed_file.write_text(json.dumps(stack.seed))
        warm = Record()
        with learners_running(stack, warm, count=WARM_UP, every=0, first=args.users + BURST):
            pass
        say(f"warm-up: {WARM_UP} journeys, {sum(not h.ok for h in warm.hits)} failed requests")
        prefix = stack.tmp / "locust"
        say(f"locust: {args.users} users, {args.spawn_rate}/s, {args.run_time} s")
        subprocess.run(
            [str(VENV_BIN / "locust"), "-f", str(ROOT / "bench/load/locustfile.py"), "--headless",
             "-u", str(args.users), "-r", str(args.spawn_rate), "--run-time", f"{args.run_time}s",
             "--host", stack.base_url, "--csv", str(prefix), "--only-summary",
             "--loglevel", "WARNING", "--stop-timeout", "30"],
            env={**stack.env, "LOAD_SEED": str(seed_file), "LOAD_ACKS": str(acks_file)},
            cwd=ROOT, check=False,
        )  # fmt: skip
        rows = list(csv.DictReader((prefix.parent / "locust_stats.csv").open()))
        failures = {r["Name"]: int(r["Failure Count"]) for r in rows if r["Name"] != "Aggregated"}
        requests_total = sum(int(r["Request Count"]) for r in rows if r["Name"] != "Aggregated")
        time.sleep(3)  # let the burst start on a quiet site, as at 9:00
        burst = burst_sign_in(stack, stack.seed["learners"][args.users : args.users + BURST])

        # Every due certificate: the worker has had the run; give it a little more.
        t = time.monotonic()
        db = stack.check()
        while db["certificates_missing"] and time.monotonic() - t < 60:
            time.sleep(5)
            db = stack.check()
        acks = json.loads(acks_file.read_text()) if acks_file.exists() else {}
        timeline_file = acks_file.with_name("timeline.json")
        timeline = json.loads(timeline_file.read_text()) if timeline_file.exists() else []
        db = stack.check(acks)

    say("\nlocust (ms; p50/p95 from locust's histogram):")
    width = max(len(r["Name"]) for r in rows)
    say(f"  {'request'.ljust(width)}  {'n':>6} {'fail':>5} {'p50':>6} {'p95':>6} {'max':>7}")
    for r in rows:
        say(
            f"  {r['Name'].ljust(width)}  {r['Request Count']:>6} {r['Failure Count']:>5} "
            f"{r['50%']:>6} {r['95%']:>6} {float(r['Max Response Time']):>7.0f}"
        )
    # Pages: every GET a practitioner waits for (the sign-in has its own target).
    pages = [r for r in rows if r["Name"] not in WRITES | {"Aggregated"}]
    worst = max(pages, key=lambda r: float(r["95%"]), default=None)
    worst_p95 = float(worst["95%"]) / 1000 if worst else 0
    page_secs = [ms / 1000 for _t, n, ms, _f in timeline if n not in WRITES]
    page_p95 = percentile(page_secs, 95)
    sign_in = next((r for r in rows if r["Name"] == "sign in"), None)
    sign_in_p50 = float(sign_in["50%"]) / 1000 if sign_in else 0
    sign_in_p95 = float(sign_in["95%"]) / 1000 if sign_in else 0
    errors = sum(failures.values())
    # By phase (information, not a target): while users arrive, each signing in at once, and
    # once all are in.
    ramp = args.users / args.spawn_rate
    phases = []
    for label, lo, hi in [("ramp-up", 0, ramp), ("all users in", ramp, 1e9)]:
        secs = [ms / 1000 for t, n, ms, _f in timeline if n not in WRITES and lo <= t < hi]
        phases.append(f"{label} {percentile(secs, 95):.2f}")
    say(f"\npages p95 by phase (s): {', '.join(phases)} (ramp-up: the first {ramp:.0f} s)")
    burst_max = max(burst, default=float("inf"))
    say(
        f"\n{BURST} sign-ins at the same second: p50 {percentile(burst, 50):.2f} s, "
        f"max {burst_max:.2f} s"
    )
    say(
        "database: {learners} learners, {progress_rows} progress rows, {attempts_submitted} "
        "attempts submitted, certificates due {certificates_due} issued {certificates_issued}; "
        "acknowledged writes {acks_checked} checked, {acks_lost} lost, {acks_duplicated} "
        "duplicated".format(**db)
    )
    checks = [
        ("errors", errors == 0, f"{errors} of {requests_total} requests", "0"),
        ("pages p95 (every page GET)", page_p95 < PAGE_P95,
         f"{page_p95:.2f} s (worst: {worst['Name'] if worst else '-'} {worst_p95:.2f})",
         f"< {PAGE_P95} s"),
        ("sign-in p95", sign_in_p95 < SIGN_IN_P95, f"{sign_in_p95:.2f} s (p50 {sign_in_p50:.2f})",
         f"< {SIGN_IN_P95} s"),
        (f"{BURST} sign-ins at once, slowest", burst_max < BURST_MAX, f"{burst_max:.2f} s",
         f"< {BURST_MAX} s"),
        ("acknowledged writes lost", db["acks_lost"] == 0, str(db["acks_lost"]), "0"),
        ("duplicated", db["acks_duplicated"] + db["progress_duplicates"]
         + db["certificate_duplicates"] == 0 and db["attempts_per_user_max"] <= 1,
         str(db["acks_duplicated"] + db["progress_duplicates"] + db["certificate_duplicates"]),
         "0"),
        ("certificates due but missing", db["certificates_missing"] == 0,
         f"{db['certificates_missing']} of {db['certificates_due']}", "0"),
    ]  # fmt: skip
    say("")
    for name, ok, figure, target in checks:
        say(f"  {'PASS' if ok else 'FAIL'}  {name:<32} {figure:<40} target {target}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "users": args.users,
                    "stats": rows,
                    "burst": burst,
                    "db": db,
                    "checks": [[n, ok, f, t] for n, ok, f, t in checks],
                },
                indent=1,
            )
        )
    ok = all(c[1] for c in checks)
    say(f"VERDICT load ({args.users} users): {'PASS' if ok else 'FAIL'}")
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    raise SystemExit(main())
