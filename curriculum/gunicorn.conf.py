"""Gunicorn settings for production: ``gunicorn -c curriculum/gunicorn.conf.py curriculum.wsgi``.

Sized for the reference machine (2 cores, PostgreSQL, Redis and the Celery worker beside it).
Every value can be overridden from the environment (``GUNICORN_*``) or on the command line.

Why ``gthread``: a sign-in spends most of its time hashing the password (Argon2, tens of
milliseconds of CPU) and every other request mostly waits on PostgreSQL or Redis. With the
``sync`` class one slow request holds a whole process, so 20 people signing in at 9:00 queue
behind each other on 2 processes. Threads let a process keep answering page requests while
another thread hashes (argon2-cffi and psycopg release the GIL while they work), and CPU-bound
hashing is spread over ``workers`` processes, one per core plus one. See docs/deployment.md.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
# One process per core plus one keeps both cores busy when a process waits on its GIL.
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1)
# Threads per process: requests in flight per process. More threads than this mostly adds
# GIL contention on 2 cores; PostgreSQL connections = workers x threads (keep under its limit).
threads = _int("GUNICORN_THREADS", 6)
# A request that runs longer than this is a bug or a stuck dependency: the process is replaced
# (the cache and health check answer within 2 s, PDFs take under 5 s).
timeout = _int("GUNICORN_TIMEOUT", 30)
# On a restart (HUP, deploy), requests in flight get this long to finish.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle each process after this many requests (with jitter, so they do not all restart at
# once): bounds the effect of a slow leak in a dependency.
max_requests = _int("GUNICORN_MAX_REQUESTS", 10000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 1000)
# Load Django once in the master and fork: faster restarts of a killed worker, shared memory.
# Database and Redis connections are opened lazily per process, after the fork.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() in {"1", "true", "yes", "on"}
# Bodies above Django's own caps are refused by the reverse proxy first (docs/deployment.md);
# these are gunicorn's limits on the request line and headers.
limit_request_line = 4094
limit_request_fields = 100
# No runtime control socket (gunicornc): restarts go through the service manager, and two
# instances on one machine would otherwise fight over the same socket path.
control_socket_disable = os.environ.get("GUNICORN_CONTROL_SOCKET", "") == ""
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# /dev/shm for the heartbeat files: a worker is not killed because a disk stalled.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108


def when_ready(server: object) -> None:
    """With the app preloaded, import the URLconf in the master before the workers fork.

    Django imports it on the first request, and Wagtail imports every app's ``wagtail_hooks``
    with it: done here, each worker starts with it in memory (copy-on-write), and a broken
    import stops the server at start instead of answering 500 to the first requests. No
    connection opened here may be shared by the forked workers."""
    if not preload_app:
        return
    from django.db import connections
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imported for its side effect
    connections.close_all()
