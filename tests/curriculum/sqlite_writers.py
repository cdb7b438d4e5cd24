"""Several CMS editors saving at once, on a SQLite file, with the project's settings.

Run by ``test_sqlite_concurrency`` in a process of its own, because the tests' database is
SQLite in memory, shared by the threads of one process, where writes never contend::

    DATABASE_URL=sqlite:////tmp/copy.sqlite3 python -m tests.curriculum.sqlite_writers \
        PARENT_ID USER_ID COUNT [--without-sqlite-options]

Each of COUNT processes (as gunicorn's workers are) signs in as the user and, released together,
posts Wagtail's "add a lesson" form under the module PARENT_ID (saved as a draft), as an editor's
click and Wagtail's autosave arrive together. It prints a JSON object: the status of every
response, and the error of every request that raised. (Processes, not threads: Wagtail's
StreamField validation of a draft changes its blocks for the time of a request, so threads of one
process must not validate drafts at the same moment, whatever the database.) ``--without-sqlite-options`` drops the SQLite options from the
settings (to show that the test fails without them).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
from queue import Empty
from typing import Any


def main(argv: list[str]) -> int:
    parent_id, user_id, count = (int(value) for value in argv[:3])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "curriculum.settings.test")
    from django.conf import settings

    if "--without-sqlite-options" in argv:
        settings.DATABASES["default"]["OPTIONS"] = {}  # before any connection is made
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from wagtail.test.utils.form_data import nested_form_data, streamfield

    user = User.objects.get(pk=user_id)
    connection.close()  # each process opens its own
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(count)
    queue = context.Queue()

    def save(index: int) -> None:
        try:
            client = Client()
            client.force_login(user)
            data = nested_form_data(
                {
                    "title": f"Lesson saved at once {index}",
                    "slug": f"saved-at-once-{index}",
                    "summary": "Saved while others saved.",
                    "estimated_minutes": 5,
                    "body": streamfield([("markdown", f"Body {index}.")]),
                }
            )
            barrier.wait()
            response = client.post(f"/admin/pages/add/courses/lessonpage/{parent_id}/", data)
            queue.put(("status", response.status_code))
        except Exception as exc:  # noqa: BLE001 - reported to the test
            queue.put(("error", f"{type(exc).__name__}: {exc}"))
        finally:
            connection.close()

    processes = [context.Process(target=save, args=(i,)) for i in range(count)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=240)
    reports = []
    for _ in range(count):
        try:
            reports.append(queue.get(timeout=30))
        except Empty:
            reports.append(("error", "a writer ended without a report"))
    statuses = [value for kind, value in reports if kind == "status"]
    errors = [value for kind, value in reports if kind == "error"]
    result: dict[str, Any] = {
        "statuses": sorted(statuses),
        "errors": errors,
        "options": settings.DATABASES["default"].get("OPTIONS", {}),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
