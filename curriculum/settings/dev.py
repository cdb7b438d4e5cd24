"""Development settings: the default for ``manage.py``. Debug on (``make run`` turns it off, to
show the site as its users see it), console email, local hosts."""

from .base import *  # noqa: F403
from .base import SECRET_KEY, env_bool, env_list

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "dev-only-not-secret-zhusan-academy-change-me-in-production-0123456789"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")

# With DEBUG off (``make run``), the site still serves itself: WhiteNoise finds the static files in
# the apps' folders (no collectstatic), and the media files come from Django's static view.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
SERVE_MEDIA = True
