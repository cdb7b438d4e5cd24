"""Development settings: the default for ``manage.py``. Debug on, console email, local hosts."""

from .base import *  # noqa: F403
from .base import SECRET_KEY, env_bool, env_list

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "dev-only-not-secret-zhusan-academy-change-me-in-production-0123456789"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
