"""``/healthz/``: the state of the database, the cache and the Celery broker, as JSON.

Answers 200 when every dependency works and 503 when one does not, so a load balancer or an
orchestrator can act on it. It names no host, user or password.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

Check = dict[str, Any]


def check_database() -> Check:
    """Run a trivial query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"status": "ok", "backend": connection.vendor}


def check_cache() -> Check:
    """Write, read back and delete a key."""
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    ok = cache.get(key) == "1"
    cache.delete(key)
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    if not ok:
        return {"status": "error", "backend": backend, "error": "value written was not read back"}
    return {"status": "ok", "backend": backend}


def check_broker() -> Check:
    """Open a connection to the broker; in eager mode there is none to open."""
    # The project's Celery app (``curriculum.celery``) is the current one once it is loaded;
    # ``core`` is the bottom layer and imports nothing of the project's.
    from celery import current_app as app

    if app.conf.task_always_eager:
        return {"status": "ok", "mode": "eager"}
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        transport = conn.transport_cls
    return {"status": "ok", "mode": "worker", "transport": str(transport)}


CHECKS: dict[str, Callable[[], Check]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Run every check and report each one with its time in milliseconds."""
    results: dict[str, Check] = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            result = check()
        except Exception as exc:  # noqa: BLE001 - a health check reports every failure
            result = {"status": "error", "error": exc.__class__.__name__}
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
        results[name] = result
    healthy = all(r["status"] == "ok" for r in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": results},
        status=200 if healthy else 503,
    )
