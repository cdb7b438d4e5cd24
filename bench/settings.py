"""Settings for the benchmarks: the test settings on a throwaway SQLite file.

The benchmark script sets ``BENCH_DB_PATH`` (and ``MEDIA_ROOT``, ``BENCH_STATIC_ROOT``) to files in
a temporary folder before Django starts, in its own process and in the server it launches, so a
benchmark never touches ``db.sqlite3`` or ``media/``. The URLconf adds a bare reference view
(see ``bench/urls.py``) without changing the production one.
"""

import os
import tempfile
from pathlib import Path

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

MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", str(_TMP / "zhusan-bench-media")))
STATIC_ROOT = Path(os.environ.get("BENCH_STATIC_ROOT", str(_TMP / "zhusan-bench-static")))

# Quiet: no INFO lines from the import or the server in the benchmark's output.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
