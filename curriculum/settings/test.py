"""Test settings: fast hashing, in-memory email, uploads to a temporary folder (see conftest)."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import REDIS_URL, env_list

DEBUG = False
SECRET_KEY = "test-only-not-secret-zhusan-academy-0123456789-abcdefghijklmnopqrstuvwxyz"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SITE_URL = WAGTAILADMIN_BASE_URL = "http://testserver"
# Serve static files from the app folders without collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Tests that need the whole-page cache turn it on themselves; so do those of the dashboard's
# period cache (figures kept across tests would hide another test's data).
PAGE_CACHE_SECONDS = 0
REPORTS_PERIOD_CACHE_SECONDS = 0

# pytest-xdist: each worker has its own test database (pytest-django) and, with Redis, its own
# Redis database for the cache, so one worker's ``cache.clear()`` (FLUSHDB) empties nobody
# else's. gw0 takes the database below REDIS_URL's, gw1 the one below that, and so on, round
# Redis's 16 databases.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _XDIST_WORKER.startswith("gw"):
    _base, _, _number = REDIS_URL.rpartition("/")
    _database = (int(_number) - 1 - int(_XDIST_WORKER[2:])) % 16
    CACHES["default"]["LOCATION"] = f"{_base}/{_database}"

# Unpacked H5P packages never go to private/h5p: each test gets a folder (tests/conftest.py), and
# anything outside a test (a session fixture) this one.
H5P_ROOT = Path(tempfile.mkdtemp(prefix="zhusan-h5p-"))
