"""Benchmark settings: production's, with the benchmark URLconf and quiet logging.

The harness (``bench/common.py``, :func:`bench.common.production_environment`) sets what production
needs before Django starts, here and in the servers it launches: ``SECRET_KEY``,
``ALLOWED_HOSTS``, ``SITE_URL``, ``DATABASE_URL`` (a throwaway PostgreSQL database), ``REDIS_URL``
(the benchmarks' Redis database, flushed at start and end), and ``MEDIA_ROOT``, ``H5P_ROOT`` and
``STATIC_ROOT`` in a temporary folder. Nothing else differs from ``curriculum.settings.production``.
"""

import os

from curriculum.settings.production import *  # noqa: F403
from curriculum.settings.production import STATIC_ROOT

# /bench/bare/ beside the site's own URLs (bench/urls.py).
ROOT_URLCONF = "bench.urls"

# The base settings do not read it from the environment; collectstatic must not write into the
# project's staticfiles/.
STATIC_ROOT = os.environ.get("STATIC_ROOT") or STATIC_ROOT

# Warnings and errors only: no INFO lines from the import or the servers in the report.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # Without a broker, kombu warns on each task that it falls back to 'localhost' (memory://).
    "loggers": {"kombu.connection": {"level": "ERROR"}},
}
