"""Benchmark settings on PostgreSQL: ``bench.settings`` with the database on a PostgreSQL server.

For the benchmarks that need PostgreSQL (``bench/progress_at_scale.py``). The script creates a
throwaway database on the server (``zhusan_bench_<pid>``), points ``BENCH_PG_NAME`` at it before
Django starts and drops it when it ends, so a benchmark never touches another database.

``BENCH_PG_HOST`` (127.0.0.1), ``BENCH_PG_PORT`` (5432), ``BENCH_PG_USER`` (postgres) and
``BENCH_PG_PASSWORD`` (empty: trust authentication, or libpq's ``PGPASSWORD``) say where the server
is. Everything else (cache, page cache, URLconf, logging) is as in ``bench.settings``.
"""

import os

from bench.settings import *  # noqa: F403

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("BENCH_PG_NAME", "zhusan_bench"),
        "HOST": os.environ.get("BENCH_PG_HOST", "127.0.0.1"),
        "PORT": os.environ.get("BENCH_PG_PORT", "5432"),
        "USER": os.environ.get("BENCH_PG_USER", "postgres"),
        "PASSWORD": os.environ.get("BENCH_PG_PASSWORD", ""),
        # As in base settings: one connection per worker, kept between requests.
        "CONN_MAX_AGE": int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        "CONN_HEALTH_CHECKS": True,
    }
}
