"""Production settings: refuses to start without a secret key, allowed hosts and the site's address.

Passes ``manage.py check --deploy`` with no warnings. TLS is assumed to end at this process or at a
proxy that sets ``X-Forwarded-Proto`` (set ``SECURE_PROXY_SSL_HEADER_ENABLED=true`` then).
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, REDIS_URL, SECRET_KEY, env_bool, env_list

DEBUG = False

# The page cache's invalidation lives in the cache: with several worker processes it needs the
# shared Redis cache. Without it, each process would keep its own (possibly stale) copy.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600" if REDIS_URL else "0"))
# Likewise the page memo (routes, sites, lesson sequences kept in process memory): it learns of a
# publish from the generation in the shared cache.
PAGE_MEMO = env_bool("PAGE_MEMO", bool(REDIS_URL))

if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set it to a long random string, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(64))'."
    )
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. Set it to the comma-separated host names this site answers to."
    )

# The public address every absolute link is built from (certificates' QR codes, emails). No
# default: a wrong one would be printed on certificates. ``check --deploy`` also refuses one that
# is not https or points at this machine (``core.sites.check_site_url``).
SITE_URL = os.environ.get("SITE_URL", "").strip().rstrip("/")
if not SITE_URL:
    raise ImproperlyConfigured(
        "SITE_URL is not set. Set it to the site's public address, e.g. "
        "https://academy.example.kz: certificates' QR codes and the links in emails use it."
        + (
            " (WAGTAILADMIN_BASE_URL is no longer read: it follows SITE_URL.)"
            if os.environ.get("WAGTAILADMIN_BASE_URL")
            else ""
        )
    )
WAGTAILADMIN_BASE_URL = SITE_URL

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
if env_bool("SECURE_PROXY_SSL_HEADER_ENABLED", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"  # Wagtail's preview views set SAMEORIGIN on themselves

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)

# Two-factor sign-in (h5): required of administrators and the Ministry (who can revoke
# certificates) unless TWO_FACTOR_REQUIRED_ROLES says otherwise ("none" requires it of nobody).
TWO_FACTOR_REQUIRED_ROLES = [
    role
    for role in env_list("TWO_FACTOR_REQUIRED_ROLES", "superuser,Ministry")
    if role.lower() != "none"
]
