#!/usr/bin/env python
"""xAPI statements a second through ``POST /xapi/statements``, one and ten to a request.

``make bench-xapi``. A signed-in practitioner posts statements shaped as H5P sends them through
the whole middleware stack (session, CSRF, version header) to the view and its listeners. See
docs/benchmarks.md.
"""

import json
import statistics
import sys
import uuid
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.common import Check, say

MAX_QUERIES = 7  # a request, whatever the number of statements it holds
VERB = "http://adlnet.gov/expapi/verbs/"
H5P = "http://h5p.org"
LIBRARY = f"{H5P}/libraries/H5P.MultiChoice-1.16"
HEADERS = {"HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}


def statement(user: Any, n: int, activity: str) -> dict[str, Any]:
    """The n-th statement of a learner playing an activity: answers and interactions, and one in
    ten ``completed`` with a score."""
    from xapi.api import actor_for

    kind = "completed" if n % 10 == 9 else ("answered" if n % 2 else "interacted")
    return {
        "id": str(uuid.uuid4()),
        "actor": actor_for(user),
        "verb": {"id": VERB + kind, "display": {"en-US": kind}},
        "object": {
            "objectType": "Activity",
            "id": activity if kind == "completed" else f"{activity}?subContentId={n % 7}",
            "definition": {
                "name": {"en-US": "Crossing the river"},
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                "interactionType": "choice",
                "correctResponsesPattern": ["1"],
                "choices": [{"id": i, "description": {"en-US": f"Option {i}"}} for i in "0123"],
            },
        },
        "context": {
            "contextActivities": {
                "parent": [{"id": activity, "objectType": "Activity"}],
                "category": [{"id": LIBRARY, "objectType": "Activity"}],
            },
            "extensions": {f"{H5P}/x-api/h5p-local-content-id": 1},
        },
        "result": {
            "score": {"min": 0, "max": 4, "raw": n % 5, "scaled": (n % 5) / 4},
            "completion": True,
            "success": n % 5 >= 3,
            "duration": f"PT{n % 60}.{n % 100:02d}S",
            "response": "1",
        },
        "timestamp": "2024-05-01T10:30:00.000Z",
    }


def main(argv: list[str] | None = None) -> int:
    args = common.arguments(__doc__, argv, ("--statements", 2000, "per batch size"))
    with common.django_run("xAPI statements"):
        from django.conf import settings

        from tests.factories import practitioner
        from xapi.models import Statement

        user = practitioner(first_name="Aigul", last_name="Bench")
        client = common.signed_in(user, enforce_csrf_checks=True)
        client.cookies["csrftoken"] = "b" * 32  # the X-CSRFToken header repeats it
        activity = f"{settings.SITE_URL}/h5p/activities/bench-activity"
        numbers = iter(range(10**9))

        def post(size: int) -> tuple[float, int, int]:
            """Milliseconds, status and queries of one request of ``size`` statements."""
            body = json.dumps([statement(user, next(numbers), activity) for _ in range(size)])
            headers = {"HTTP_X_CSRFTOKEN": "b" * 32, **HEADERS}
            ms, statements, response = common.call(
                lambda: client.post("/xapi/statements", body, "application/json", **headers)
            )
            return ms, response.status_code, statements

        rows, checks = [], []
        with common.Idle() as idle:
            for batch in (1, 10):
                for _ in range(20):  # warm-up, not counted
                    post(batch)
                before = Statement.objects.count()
                posts = [post(batch) for _ in range(args.statements // batch)]
                ms, statuses, queries = zip(*posts, strict=True)
                stored = Statement.objects.count() - before
                per_second = len(ms) * batch / sum(ms) * 1000
                rows.append([f"{batch} a request", per_second, *common.spread(ms), max(queries)])
                all_200 = "yes" if set(statuses) == {200} else sorted(set(statuses))
                figure, wanted = f"{stored:,}, {all_200}", f"{len(ms) * batch:,}, yes"
                checks += [
                    Check.equal(f"{batch} a request: stored, every answer a 200", figure, wanted),
                    Check.bound(f"{batch} a request: queries", max(queries), "<=", MAX_QUERIES),
                ]
        say(common.table(rows, ["batch", "statements/s", "ms p50", "p95", "max", "queries"]))
        for label, query in (("newest 100", {}), ("verb=completed", {"verb": VERB + "completed"})):
            get = partial(client.get, "/xapi/statements", query, **HEADERS)
            calls = [common.call(get) for _ in range(30)]
            assert all(response.status_code == 200 for *_, response in calls)
            median = statistics.median(ms for ms, *_ in calls)
            say(f"GET /xapi/statements, {label}: median {median:.1f} ms of 30")
        return common.report(checks, idle, strict=args.strict)


if __name__ == "__main__":
    raise SystemExit(main())
