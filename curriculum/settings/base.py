"""Settings shared by every environment, read from the environment (12-factor).

With nothing set, the project runs on SQLite with Celery tasks executed eagerly in-process and a
local-memory cache. ``DATABASE_URL``, ``CELERY_BROKER_URL`` and ``REDIS_URL`` switch to PostgreSQL,
a real Celery worker and the Redis cache; nothing else changes.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean from the environment: 1/true/yes/on are true, 0/false/no/off false."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated list from the environment, dropping blanks."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Ours first, so our templates override third-party ones.
    "core",
    "accounts",
    "xapi",
    "courses",
    "learners",
    "activities",
    "quizzes",
    "certification",
    "reports",
    # The project package is an app too, at the top of the layers: it composes the others
    # (``load_initial_data``), as its URLs and settings do.
    "curriculum",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.locales",
    "wagtail",
    "modelcluster",
    "taggit",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Sign-in defences (h5, docs/decisions/0011-sign-in-defences.md): lockout and two-factor.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    # Request body caps (h6): first, so an oversized body is refused before anything reads it.
    "core.limits.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (h6): django-csp, with a nonce for the CMS's inline scripts.
    "core.csp.SiteCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.page_cache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.SiteLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: private, no-store on every response for a signed-in user (h6).
    "core.middleware.PrivateCacheMiddleware",
    # Two-factor (h5): whether this session passed the code step; the code or the enrolment
    # comes before anything else.
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "learners.middleware.ProfileRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Sign-in lockout (h5): last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "curriculum.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "curriculum.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "curriculum.wsgi.application"

# Database: SQLite by default; DATABASE_URL=postgres://... for PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writes (Wagtail's autosave and the editor's Save, two learners at once) wait
    # their turn instead of failing with "database is locked": WAL lets readers and the one writer
    # work side by side, IMMEDIATE takes the write lock when a transaction begins (a deferred one
    # that reads first cannot wait for it later), and the timeout is how long a writer waits.
    # docs/decisions/0006-sqlite-concurrent-writes.md
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (h2) --------------------------------------------------------------------------------
# Redis when REDIS_URL is set, otherwise memory local to the process. The Redis cache fails open
# (core.cache): with Redis down or hanging a read is a miss and a write does nothing, no call waits
# more than REDIS_CACHE_TIMEOUT seconds, and a failed Redis is left alone for
# REDIS_CACHE_RETRY_SECONDS. docs/decisions/0008-cache-fails-open.md. It must not share a Redis
# database with the broker (``check --deploy``: core.E010).
REDIS_URL = os.environ.get("REDIS_URL", "")


def redis_cache(url: str) -> dict[str, object]:
    """The ``CACHES`` entry for a fail-open Redis cache at ``url``."""
    timeout = float(os.environ.get("REDIS_CACHE_TIMEOUT", "0.25"))
    return {
        "BACKEND": "core.cache.FailOpenRedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "zhusan",
        "OPTIONS": {
            "socket_connect_timeout": timeout,
            "socket_timeout": timeout,
            "circuit_breaker_seconds": float(os.environ.get("REDIS_CACHE_RETRY_SECONDS", "5")),
        },
    }


CACHES: dict[str, dict[str, object]]
if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL)}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "zhusan",
        }
    }

# --- Sign-in defences (h5) -------------------------------------------------------------------
# docs/decisions/0011-sign-in-defences.md has the reasons for each number.
# django-axes first, so a locked-out account is refused before its password is hashed.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Argon2 with parameters sized for two cores (~20 ms a hash); the others verify older hashes,
# which are upgraded to Argon2 when their owner next signs in.
PASSWORD_HASHERS = [
    "accounts.hashers.ZhusanArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Lockout: 5 wrong passwords for one account (from any address) lock it for 15 minutes. Not by
# address alone: a cohort signs in from one classroom behind one NAT address.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks for "ip_address" in the parameters, against attackers rotating user agents or
# cookies; counting by username alone is not affected by those, and adding the address alone
# would lock a whole classroom out (the decision has the reasoning).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
# A lockout ends 15 minutes after it began: attempts during it are refused without being
# recorded, so they neither extend it (the owner retrying early is not punished) nor write.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The database, not the cache: sign-in keeps working (and counting) with Redis down.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_CLIENT_IP_CALLABLE = "accounts.throttling.client_address"  # follows TRUSTED_PROXY_COUNT
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# No row per successful sign-in (Django's last_login records it): one write less when a cohort
# signs in together, and none for sign-ins without a request address (force_login in tests and
# scripts), which axes would log as "unknown" and PostgreSQL's inet column refuses.
AXES_DISABLE_ACCESS_LOG = True
# Password-reset emails: at most this many an hour for one address, and from one client address.
PASSWORD_RESET_PER_ACCOUNT_PER_HOUR = 3
PASSWORD_RESET_PER_ADDRESS_PER_HOUR = 20
# Two-factor sign-in (django-otp): who must use it. Names are role groups, plus "superuser".
# Production requires it of superusers and the Ministry; elsewhere it is optional.
TWO_FACTOR_REQUIRED_ROLES = env_list("TWO_FACTOR_REQUIRED_ROLES")
OTP_TOTP_ISSUER = "Zhusan Academy"
# --- end sign-in defences ---------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"  # curriculum.views.home: each role's home
LOGOUT_REDIRECT_URL = "/"
# How many days the link in an invitation email works (people whose account was made for them).
INVITATION_VALID_DAYS = int(os.environ.get("INVITATION_VALID_DAYS", "14"))

# Languages: English for international partners, Russian and Kazakh for practitioners.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ru", _("Russian")),
    ("kk", _("Kazakh")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["curriculum.formats"]  # Kazakh dates (Django ships no kk formats)
TIME_ZONE = "Asia/Almaty"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # The H5P player, from npm (package-lock.json pins it with its integrity hash; `make install`
    # runs `npm ci`): served from this site, so activities play without the Internet.
    ("h5p-standalone", BASE_DIR / "node_modules" / "h5p-standalone" / "dist"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Serve MEDIA_ROOT from Django itself (development only: production has its web server do it).
SERVE_MEDIA = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Request body caps (h6, issue #12; core.limits, docs/deployment.md "Request limits"). Checked
# from Content-Length before anything reads the body: first matching path prefix wins, otherwise
# REQUEST_BODY_MAX_BYTES (forms, sign-in, autosave). The reverse proxy's caps should match.
_MB = 1024 * 1024
REQUEST_BODY_MAX_BYTES = int(os.environ.get("REQUEST_BODY_MAX_BYTES", str(1 * _MB)))
# Documents carry lesson videos; Wagtail checks images again (WAGTAILIMAGES_MAX_UPLOAD_SIZE).
DOCUMENT_UPLOAD_MAX_BYTES = int(os.environ.get("DOCUMENT_UPLOAD_MAX_BYTES", str(100 * _MB)))
WAGTAILIMAGES_MAX_UPLOAD_SIZE = int(os.environ.get("IMAGE_UPLOAD_MAX_BYTES", str(10 * _MB)))
CMS_REQUEST_MAX_BYTES = int(os.environ.get("CMS_REQUEST_MAX_BYTES", str(10 * _MB)))
#: H5P packages (activities.package.validation.Limits): the largest upload, and what it may
#: unpack to (zip bombs); see docs/h5p.md.
H5P_MAX_PACKAGE_BYTES = int(os.environ.get("H5P_MAX_PACKAGE_MB", "50")) * _MB
REQUEST_BODY_LIMITS = [
    ("/admin/login/", REQUEST_BODY_MAX_BYTES),
    ("/admin/documents/", DOCUMENT_UPLOAD_MAX_BYTES),
    ("/admin/images/", WAGTAILIMAGES_MAX_UPLOAD_SIZE + _MB),  # the form around the file
    ("/admin/snippets/activities/", H5P_MAX_PACKAGE_BYTES + _MB),  # an H5P package
    ("/admin/", CMS_REQUEST_MAX_BYTES),  # page editor, imports, everything else in the CMS
]
# Django's own limits, coherent with the caps: the non-file part of a form may be as large as the
# largest non-upload cap (a long page in the editor); a file part over 2.5 MB goes to a temporary
# file instead of memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = CMS_REQUEST_MAX_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * _MB)
WAGTAILDOCS_EXTENSIONS = ["pdf", "txt", "docx", "odt", "pptx", "xlsx", "csv", "mp4", "webm", "vtt"]

# Email: console by default; set EMAIL_URL-style settings in production.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Zhusan Academy <no-reply@localhost>")

# --- Celery (h1) -------------------------------------------------------------------------------
# A real broker when CELERY_BROKER_URL is set; otherwise tasks run eagerly in-process.
# Durability and timeouts: docs/decisions/0007-durable-tasks.md and docs/deployment.md.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
# No result backend: nothing in the project reads a task's result (the database is the record).
# A benchmark or a worker test that reads results sets CELERY_RESULT_BACKEND.
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_IGNORE_RESULT = not CELERY_RESULT_BACKEND
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged when it has run, and given back at once when its worker process dies, so
# every task must be idempotent (each is: see the decision).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Publishing from a request: a dead or hung broker costs well under a second, then the request
# goes on (``core.tasks.enqueue_on_commit``) and the sweeps do the work later.
TASK_BROKER_TIMEOUT = float(os.environ.get("CELERY_BROKER_TIMEOUT", "0.3"))  # seconds
CELERY_BROKER_CONNECTION_TIMEOUT = TASK_BROKER_TIMEOUT
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.1,
    "interval_max": 0.1,
}
#: Redelivery of a task whose worker vanished (killed as a whole, so it could not give it back):
#: after this many seconds. Longer than the longest task (the specialists import, whose worst case
#: is measured in docs/deployment.md), or a task still running would be started a second time.
TASK_VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "600"))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": TASK_VISIBILITY_TIMEOUT,
    "socket_connect_timeout": TASK_BROKER_TIMEOUT,
    # A broker that accepts but does not answer (stopped, overloaded); a worker may set more.
    "socket_timeout": float(os.environ.get("CELERY_BROKER_SOCKET_TIMEOUT", "0.5")),
}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
# Celery beat (``celery -A curriculum beat``) runs these on a schedule.
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE = {
    "quizzes-close-overdue-attempts": {
        "task": "quizzes.close_overdue_attempts",
        "schedule": 300.0,  # seconds
    },
    "quizzes-notify-graded-sweep": {
        "task": "quizzes.notify_graded_sweep",
        "schedule": 600.0,  # grade notices whose task was lost (a worker or the broker went away)
        "options": {"expires": 600},
    },
    "quizzes-remind-graders": {
        "task": "quizzes.remind_graders",
        "schedule": crontab(hour=8, minute=0),  # written work waiting too long, to its trainers
        "options": {"expires": 3600},
    },
    "accounts-send-pending-invitations": {
        "task": "accounts.send_pending_invitations",
        "schedule": 600.0,  # invitations whose task was lost (a worker or the broker went away)
    },
    "certification-nightly": {
        "task": "certification.nightly",
        "schedule": crontab(hour=2, minute=30),  # expiry and reminders, at night (TIME_ZONE)
    },
    # Durable tasks (docs/decisions/0007-durable-tasks.md): sweeps that redo from the database
    # whatever a lost task left undone.
    # A sweep no worker took before the next one is due expires instead of piling up.
    "certification-issue-due": {
        "task": "certification.issue_due",
        "schedule": 600.0,  # certificates due and missing, for learners active in the window
        "options": {"expires": 600},
    },
    "learners-import-jobs-sweep": {
        "task": "learners.import_jobs_sweep",
        "schedule": 120.0,  # import jobs whose task was lost, or whose worker died mid-run
        "options": {"expires": 120},
    },
    "certification-refresher-requests-sweep": {
        "task": "certification.refresher_requests_sweep",
        "schedule": 120.0,  # refresher assignments whose task was lost, or whose worker died
        "options": {"expires": 120},
    },
    "learners-cohort-join-invitations-sweep": {
        "task": "learners.cohort_join_invitations_sweep",
        "schedule": 300.0,  # cohort join emails whose task was lost, or that the server refused
        "options": {"expires": 300},
    },
    "reports-refresh-stale": {
        "task": "reports.refresh_stale",
        "schedule": 120.0,  # dashboard facts of people marked stale whose refresh task was lost
        "options": {"expires": 120},
    },
    "reports-rebuild-facts": {
        "task": "reports.rebuild_facts",
        "schedule": crontab(hour=3, minute=30),  # every practitioner's facts, after the expiry
    },
    "reports-export-jobs-sweep": {
        "task": "reports.export_jobs_sweep",
        "schedule": 120.0,  # dashboard exports whose task was lost, or whose worker died mid-run
        "options": {"expires": 120},
    },
    "reports-delete-old-exports": {
        "task": "reports.delete_old_exports",
        "schedule": crontab(hour=3, minute=15),  # exports older than REPORTS_EXPORT_DAYS
        "options": {"expires": 3600},
    },
}
#: Written tasks: a first marking within this many percentage points of the pass mark is marked
#: again by a second grader (0: never); work waiting longer than this many days is flagged to
#: its trainers (``quizzes.grading``).
QUIZZES_BORDERLINE_MARGIN = int(os.environ.get("QUIZZES_BORDERLINE_MARGIN", "5"))
QUIZZES_GRADING_OVERDUE_DAYS = int(os.environ.get("QUIZZES_GRADING_OVERDUE_DAYS", "7"))
#: How far back the certificate sweep looks for activity (hours); ``issue_due_certificates --all``
#: checks everyone.
CERTIFICATION_SWEEP_WINDOW_HOURS = int(os.environ.get("CERTIFICATION_SWEEP_WINDOW_HOURS", "72"))
#: An import job "Running" with no sign of life for this many minutes has lost its worker.
IMPORT_JOB_STALE_MINUTES = int(os.environ.get("IMPORT_JOB_STALE_MINUTES", "5"))
#: The oversight dashboard hides any figure computed from fewer than this many people (and
#: whatever else would let it be worked out by subtraction: ``reports.suppression``), so a
#: small region or specialty cannot point at one practitioner.
REPORTS_MIN_CELL = int(os.environ.get("REPORTS_MIN_CELL", "5"))
# How long the dashboard keeps its "in the period" figures (seconds; 0: count them every time).
# The page says when they were counted; the status table is always live.
REPORTS_PERIOD_CACHE_SECONDS = int(os.environ.get("REPORTS_PERIOD_CACHE_SECONDS", "300"))
#: Dashboard exports (CSV, XLSX, PDF) are deleted, with their files, this many days after they
#: were made.
REPORTS_EXPORT_DAYS = int(os.environ.get("REPORTS_EXPORT_DAYS", "7"))
#: Where export files are kept: outside MEDIA_ROOT, so no URL reaches them; only the requester
#: downloads one, through ``reports.views_exports.export_download``.
#: Where H5P packages are unpacked (libraries once, each version's content): outside MEDIA_ROOT,
#: so only ``activities.views`` serves them, with its own headers (docs/h5p.md).
H5P_ROOT = Path(os.environ.get("H5P_ROOT") or BASE_DIR / "private" / "h5p")
#: The origin that serves activities (https://h5p.example.org); empty: this site, with the
#: iframe's sandbox giving the activity an opaque origin of its own (docs/h5p.md).
H5P_CONTENT_ORIGIN = os.environ.get("H5P_CONTENT_ORIGIN", "").strip().rstrip("/")
REPORTS_EXPORT_ROOT = Path(
    os.environ.get("REPORTS_EXPORT_ROOT") or BASE_DIR / "private" / "exports"
)

# Wagtail
WAGTAIL_SITE_NAME = "Zhusan Academy"
# The site's public address: every absolute link (a certificate's QR code and printed link, the
# links in emails, the CMS's own) is built from it (``core.api.absolute_url``). Production requires
# it; ``check --deploy`` refuses one that is not https or points at this machine.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").strip().rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL
# Whom a holder asks about a revoked certificate (My learning and the PDF name it); empty: the
# track's issuing body, without an address.
CERTIFICATE_CONTACT_EMAIL = os.environ.get("CERTIFICATE_CONTACT_EMAIL", "").strip()
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# Wagtail's index updates (reference and search) run as Django Tasks at once, as by default; in
# a bulk change (the curriculum import) once per object at the end (core/indexing.py).
TASKS = {"default": {"BACKEND": "core.indexing.DeferrableBackend"}}
WAGTAIL_ENABLE_UPDATE_CHECK = False  # deployments may be offline
# No pictures from gravatar.com: it would send a hash of each CMS user's email address abroad, and
# fails on a closed network.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILADMIN_NOTIFICATION_USE_HTML = True
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAILEMBEDS_RESPONSIVE_HTML = True

# How long a rendered lesson body may be served from cache; the key includes the published
# revision, so a new publication is visible at once whatever this is.
# Whole pages for anonymous readers (core.page_cache); 0 turns it off. Correct across processes
# only with a shared cache, so production turns it off without REDIS_URL.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
# What every request works out again from published pages (routes, sites, lesson sequences,
# private pages), kept in each process's memory until a publish moves the page cache's generation
# (core.page_cache.page_memo). Needs a cache all processes share, or one process (make run).
PAGE_MEMO = env_bool("PAGE_MEMO", True)
LESSON_BODY_CACHE_SECONDS = int(os.environ.get("LESSON_BODY_CACHE_SECONDS", str(60 * 60 * 24)))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Wagtail logs every page action and background task at INFO; the audit log keeps them.
        "wagtail": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},  # logs every step of every PDF at INFO
    },
}

# Content-Security-Policy (h6, issue #12; core.csp, docs/decisions/0012-headers-and-limits.md).
# Scripts only from this site, or inline with the request's nonce (the CMS's few inline scripts);
# no 'unsafe-inline' for scripts. Styles allow 'unsafe-inline': the Wagtail admin (Draftail, its
# React widgets, the userbar) sets style attributes throughout, and styles cannot run code.
# CSP_REPORT_ONLY=true sends the same policy as report-only, to roll it out; CSP_REPORT_URI
# (optional) is where browsers send violation reports.
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE  # noqa: E402

CSP_REPORT_ONLY = env_bool("CSP_REPORT_ONLY", False)
_CSP_DIRECTIVES: dict[str, list[str] | object] = {
    "default-src": [SELF],
    "script-src": [SELF, NONCE],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:", "blob:"],  # the CMS previews chosen images before upload
    "media-src": [SELF, "blob:"],
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [NONE],  # 'self' where X-Frame-Options is SAMEORIGIN (Wagtail's preview)
    "frame-src": [SELF],
    "connect-src": [SELF],
    "worker-src": [SELF],
    "report-uri": env_list("CSP_REPORT_URI") or None,
}
CONTENT_SECURITY_POLICY: dict[str, object] | None = {"DIRECTIVES": _CSP_DIRECTIVES}
CONTENT_SECURITY_POLICY_REPORT_ONLY: dict[str, object] | None = None
if CSP_REPORT_ONLY:
    CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_REPORT_ONLY = None, CONTENT_SECURITY_POLICY

# How many reverse proxies in front of the site append to ``X-Forwarded-For``. With 0 the client
# address is ``REMOTE_ADDR``; with N, it is the Nth address from the right of that header (the
# one the outermost proxy we run saw), which a client cannot forge. Used by the per-address limit
# of the public certificate check; behind a proxy with 0, every visitor would share one limit.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
