"""``/healthz/``: the state of the database, the cache, the Celery broker and its workers, as JSON.

Answers 200 when every dependency works and 503 when one does not, so a load balancer or an
orchestrator can act on it, and always within :data:`DEADLINE` seconds: the checks run side by
side, each with its own short timeout, and one that has not answered by the deadline is reported
as timed out. With a broker, it is also 503 when no worker answers a ping (tasks would pile up);
in eager mode (no broker) there is no worker to ask. It names no host, user or password.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

Check = dict[str, Any]

#: The whole answer takes at most this long (seconds), whatever is down; under the 2 s a load
#: balancer is usually given.
DEADLINE = 1.5
#: How long the broker and a worker each get to answer (seconds).
BROKER_TIMEOUT = 0.5
WORKER_TIMEOUT = 0.5


def check_database() -> Check:
    """Run a trivial query (on this thread's own connection, closed afterwards)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"status": "ok", "backend": connection.vendor}
    finally:
        connection.close()


def check_cache() -> Check:
    """Write, read back and delete a key. The cache fails open (a dead Redis reads as a miss),
    so a value not read back is how a dead cache shows."""
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    ok = cache.get(key) == "1"
    cache.delete(key)
    backend = str(settings.CACHES["default"]["BACKEND"]).rsplit(".", 1)[-1]
    if not ok:
        return {"status": "error", "backend": backend, "error": "value written was not read back"}
    return {"status": "ok", "backend": backend}


def _celery_app() -> Any:
    # The project's Celery app (``curriculum.celery``) is the current one once it is loaded;
    # ``core`` is the bottom layer and imports nothing of the project's.
    from celery import current_app

    return current_app


def check_broker() -> Check:
    """Open a connection to the broker; in eager mode there is none to open."""
    app = _celery_app()
    if app.conf.task_always_eager:
        return {"status": "ok", "mode": "eager"}
    with app.connection_for_write() as conn:
        conn.ensure_connection(
            max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT
        )
        transport = conn.transport_cls
    return {"status": "ok", "mode": "worker", "transport": str(transport)}


def check_workers() -> Check:
    """Ask every worker for a ping: none answering means nothing consumes the queue."""
    app = _celery_app()
    if app.conf.task_always_eager:
        return {"status": "ok", "mode": "eager"}
    replies = app.control.ping(timeout=WORKER_TIMEOUT) or []
    if not replies:
        return {"status": "error", "workers": 0, "error": "no worker answered"}
    return {"status": "ok", "workers": len(replies)}


CHECKS: dict[str, Callable[[], Check]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "workers": check_workers,
}


def _timed(check: Callable[[], Check]) -> Check:
    started = time.perf_counter()
    try:
        result = check()
    except Exception as exc:  # noqa: BLE001 - a health check reports every failure
        result = {"status": "error", "error": exc.__class__.__name__}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Run every check at once and report each one with its time in milliseconds.

    The cache is checked on this thread (Django's caches are per thread, and the cache's own
    timeouts bound it: ``settings.base``), the others on threads of their own."""
    started = time.perf_counter()
    others = {name: check for name, check in CHECKS.items() if name != "cache"}
    pool = ThreadPoolExecutor(max_workers=len(others), thread_name_prefix="healthz")
    futures: dict[str, Future[Check]] = {
        name: pool.submit(_timed, check) for name, check in others.items()
    }
    results: dict[str, Check] = {}
    if "cache" in CHECKS:
        results["cache"] = _timed(CHECKS["cache"])
    wait(futures.values(), timeout=max(0.0, DEADLINE - (time.perf_counter() - started)))
    # A check still running is left to finish on its own timeout; the answer does not wait.
    pool.shutdown(wait=False, cancel_futures=True)
    for name, future in futures.items():
        if future.done():
            results[name] = future.result()
        else:
            results[name] = {"status": "error", "error": "timeout", "ms": DEADLINE * 1000}
    healthy = all(r["status"] == "ok" for r in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": results},
        status=200 if healthy else 503,
    )
