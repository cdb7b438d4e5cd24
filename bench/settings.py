"""Benchmark settings: the test settings on a throwaway SQLite file, the cache as in production.

The benchmark script sets ``BENCH_DB_PATH`` (and ``MEDIA_ROOT``, ``BENCH_STATIC_ROOT``) to files in
a temporary folder before Django starts, in its own process and in the servers it launches, so a
benchmark never touches ``db.sqlite3`` or ``media/``. The URLconf adds a bare reference view
(see ``bench/urls.py``) without changing the production one.

Cache, as production runs it: ``BENCH_CACHE=redis`` uses the fail-open Redis cache
(``core.cache``) on ``BENCH_REDIS_URL`` (db 13 of the Redis on 127.0.0.1:6379, which the script
flushes at its start and end), ``BENCH_CACHE=locmem`` (the default when the variable is not set)
the local-memory cache, one per process. The script picks Redis when one answers there.

``PAGE_CACHE_SECONDS`` (whole-page cache for anonymous readers) comes from the environment,
600 by default as in production with Redis; the test settings' 0 is not inherited. The script
runs one server with it on and one with ``PAGE_CACHE_SECONDS=0``. ``REPORTS_PERIOD_CACHE_SECONDS``
(how long the dashboard keeps its period figures) likewise: 300 by default, as in production.
"""

import os
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from bench import BENCH_REDIS_URL
from curriculum.settings.base import redis_cache
from curriculum.settings.test import *  # noqa: F403

_TMP = Path(tempfile.gettempdir())

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "bench.urls"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("BENCH_DB_PATH", str(_TMP / "zhusan-bench.sqlite3")),
        # As in base settings: one connection per worker, kept between requests.
        "CONN_MAX_AGE": int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        "CONN_HEALTH_CHECKS": True,
    }
}

BENCH_CACHE = os.environ.get("BENCH_CACHE", "locmem")
if BENCH_CACHE == "redis":
    CACHES = {"default": redis_cache(BENCH_REDIS_URL)}  # the fail-open cache production runs
elif BENCH_CACHE == "locmem":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "zhusan-bench",
        }
    }
else:
    raise ImproperlyConfigured(f"BENCH_CACHE must be 'redis' or 'locmem', not {BENCH_CACHE!r}")

PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
# The dashboard keeps its "in the period" figures as production does (300 s), not the test
# settings' 0; a benchmark that wants them counted every time sets it to 0.
REPORTS_PERIOD_CACHE_SECONDS = int(os.environ.get("REPORTS_PERIOD_CACHE_SECONDS", "300"))

MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", str(_TMP / "zhusan-bench-media")))
STATIC_ROOT = Path(os.environ.get("BENCH_STATIC_ROOT", str(_TMP / "zhusan-bench-static")))

# Quiet: no INFO lines from the import or the server in the benchmark's output.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
