#!/usr/bin/env python
"""Certificate issuing: 10,000 certificates through a real Celery worker, and its memory.

``make bench-certs``. 10,000 learners have completed a 9-lesson course a track requires;
``issue_for_user`` is queued for each and run by ``celery -A curriculum worker --concurrency=2``
(broker and results on Redis), then queued again (nothing new may be issued); then one issue at a
time in this process, for its statements. See docs/benchmarks.md.
"""

import json
import sys
import time
from collections import Counter
from datetime import timedelta
from functools import partial
from itertools import pairwise
from pathlib import Path
from statistics import median
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import BENCH_BROKER_URL, common
from bench.common import Check, say

MIN_PER_SECOND = 50.0  # certificates a second, two worker processes on two cores
MAX_RSS_MIB = 250.0  # peak RSS of any worker process
MAX_GROWTH_MIB = 20.0  # RSS growth of any worker process over the first batch
PROBE = 50


def build(learners: int) -> tuple[Any, list[int], list[int], list[int]]:
    """The course and its track; eligible learners (``learners`` to queue, then ``PROBE + 1`` for
    this process) and ``PROBE`` who lack the last lesson."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from certification.models import CertificationTrack, TrackRequirement
    from learners.models import Enrollment, LessonProgress, Profile
    from tests.factories import CoursePageFactory, LessonPageFactory, ModulePageFactory

    course = CoursePageFactory()
    modules = [ModulePageFactory(parent=course) for _ in range(3)]
    lessons = [LessonPageFactory(parent=module).pk for module in modules for _ in range(3)]
    track = CertificationTrack.objects.create(name="Bench track", slug="bench", validity_months=24)
    TrackRequirement.objects.create(track=track, course=course, specialty="", sort_order=0)
    user = get_user_model()
    users = user.objects.bulk_create(
        user(username=f"learner{i:05d}", first_name="Learner", last_name=f"No. {i + 1}")
        for i in range(learners + 2 * PROBE + 1)
    )
    Profile.objects.bulk_create(
        Profile(user=u, specialty="psychologist", region="KZ-75", organisation="School No. 1")
        for u in users
    )
    Enrollment.objects.bulk_create(Enrollment(user=u, course=course) for u in users)
    ids, now = [u.pk for u in users], timezone.now()
    waiting = set(ids[-PROBE:])
    done = [(u, j, lesson) for u in ids for j, lesson in enumerate(lessons)]
    done = [(u, j, lesson) for u, j, lesson in done if u not in waiting or lesson != lessons[-1]]
    LessonProgress.objects.bulk_create(
        LessonProgress(
            user_id=u,
            lesson_id=lesson,
            course=course,
            course_version="1.0",
            completed_at=now - timedelta(hours=9 - j),
        )
        for u, j, lesson in done
    )
    common.analyze()
    return track, ids[:learners], ids[learners:-PROBE], ids[-PROBE:]


def batch(learners: list[int], track: Any, worker: common.CeleryWorker) -> dict[str, Any]:
    """Queue ``issue_for_user`` for every learner; wait for every result in the backend."""
    from django.utils import timezone

    from certification.tasks import issue_for_user

    client, before = issue_for_user.backend.client, track.certificates.count()
    sessions, started = common.postgres_sessions(), timezone.now()
    t = time.perf_counter()
    keys = [issue_for_user.backend.get_key_for_task(issue_for_user.delay(u).id) for u in learners]
    queued = time.perf_counter() - t
    while sum(client.exists(*keys[i : i + 1000]) for i in range(0, len(keys), 1000)) < len(keys):
        if not worker.alive() or time.perf_counter() - t > 1800:
            raise RuntimeError(f"the worker died or stalled:\n{common.tail(worker.log)}")
        time.sleep(1)
    seconds = time.perf_counter() - t
    chunks = (client.mget(keys[i : i + 1000]) for i in range(0, len(keys), 1000))
    results = [json.loads(raw) for chunk in chunks for raw in chunk]
    time.sleep(0.5)  # PostgreSQL counts a session when it ends
    return {
        "seconds": seconds,
        "queued": queued,
        "started": started,
        "sessions": common.postgres_sessions() - sessions,
        "new": track.certificates.count() - before,
        "statuses": Counter(r["status"] for r in results),
        "returned": {u: r["result"] for u, r in zip(learners, results, strict=True)},
    }


def probe(user_ids: list[int]) -> tuple[list[int], list[float]]:
    """``issue_for_user`` in this process, one learner at a time: statements and ms of each."""
    from certification.tasks import issue_for_user

    calls = [common.call(partial(issue_for_user, u)) for u in user_ids]
    return [statements for _, statements, _ in calls], [ms for ms, _, _ in calls]


def main(argv: list[str] | None = None) -> int:
    args = common.arguments(__doc__, argv, ("--learners", 10_000, "learners"))
    with common.django_run("Certificate issuing", CELERY_RESULT_BACKEND=BENCH_BROKER_URL) as tmp:
        track, learners, probed, waiting = build(args.learners)
        certificates, n = track.certificates.all(), len(learners)
        with common.CeleryWorker(tmp / "worker.log", concurrency=2) as worker:
            with common.Idle() as idle, worker.measure() as memory:
                first = batch(learners, track, worker)
            worker_cpu = worker.cpu_seconds
            codes = dict(certificates.values_list("user_id", "code"))
            ids = dict(certificates.values_list("user_id", "pk"))
            kinds = set(certificates.values_list("sequence", "status"))
            again = batch(learners, track, worker)
            same_codes = codes == dict(certificates.values_list("user_id", "code"))
        made = sorted(
            (c - first["started"]).total_seconds()
            for c in certificates.values_list("created_at", flat=True)
        )
        bounds = [0.0, *(made[k * n // 10 - 1] for k in range(1, 11))]
        after = sum(x > first["queued"] for x in made) / (made[-1] - first["queued"])
        say(
            f"{n / first['seconds']:.1f} certificates a second, {after:.1f} after queuing ended "
            f"({first['queued']:.1f} s); by tenth: "
            + ", ".join(f"{n / 10 / (end - start):.0f}" for start, end in pairwise(bounds))
        )
        say(
            f"CPU per certificate: {worker_cpu / n * 1000:.1f} ms the worker's, "
            f"{idle.busy_seconds / n * 1000:.1f} ms the whole machine's; {first['sessions']:,} "
            f"PostgreSQL sessions opened. Again: {n / again['seconds']:.0f} tasks a second"
        )
        columns = ["worker process, MiB", "RSS at start", "highest", "VmHWM", "growth"]
        rows = [[f"pid {p}", *(kib / 1024 for kib in (*r, r[1] - r[0]))] for p, r in memory.items()]
        say(common.table(rows, columns))

        probe(probed[:1])  # warm-up
        probes = {
            "eligible": probe(probed[1:]),
            "already issued": probe(probed[1:]),
            "one lesson left": probe(waiting),
        }
        rows = [[k, f"{min(st)} to {max(st)}", median(ms)] for k, (st, ms) in probes.items()]
        say(common.table(rows, ["issue_for_user in process", "statements", "ms, median"]))
        spread = min(probes["eligible"][0]), max(probes["eligible"][0])
        peak = max(r[2] for r in memory.values()) / 1024
        growth = max(r[1] - r[0] for r in memory.values()) / 1024
        issued = [len(ids), len(set(codes.values())), len(set(ids) & set(learners))]
        returned = sum(first["returned"][u] == [ids[u]] for u in learners)
        succeeded = [first["statuses"]["SUCCESS"], returned]
        repeated = [again["new"], same_codes, again["returned"] == first["returned"]]
        checks = [
            Check.bound("certificates a second", n / first["seconds"], ">=", MIN_PER_SECOND),
            Check.below("peak RSS of any worker process", peak, MAX_RSS_MIB, "MiB"),
            Check.below("RSS growth of any worker process", growth, MAX_GROWTH_MIB, "MiB"),
            Check.equal("statements of an issue: the fewest, the most", *spread),
            Check.equal("certificates, codes, of the learners", issued, [n] * 3),
            Check.equal("their sequences and states", kinds, {(1, "valid")}),
            Check.equal("tasks succeeded, returned their certificate", succeeded, [n, n]),
            Check.equal("again: new, same codes, same ids returned", repeated, [0, True, True]),
        ]
        return common.report(checks, idle, strict=args.strict)


if __name__ == "__main__":
    raise SystemExit(main())
