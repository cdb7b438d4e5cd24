"""Benchmark settings: production's, with the benchmark URLconf and quiet logging. The
environment production needs comes from :func:`bench.common.django_run`."""

import os
from pathlib import Path

from curriculum.settings.production import *  # noqa: F403
from curriculum.settings.production import STATIC_ROOT

# /bench/bare/ beside the site's own URLs (bench/urls.py).
ROOT_URLCONF = "bench.urls"

# Not read from the environment by the base settings; collectstatic must not fill staticfiles/.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or STATIC_ROOT)

# Warnings and errors only: no INFO lines from the import or the servers in the report.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # Without a broker, kombu warns on each task that it falls back to 'localhost' (memory://).
    "loggers": {"kombu.connection": {"level": "ERROR"}},
}
