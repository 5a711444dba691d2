"""TLSMon settings: one module, every value read from the environment (see README).

With no DATABASE_URL the project runs on SQLite, and with no REDIS_URL Celery runs tasks
in-process and the cache is local memory, so one command starts a working instance on a laptop.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from tlsmon.env import (
    envbool,
    envchoice,
    envdomain,
    envfloat,
    envint,
    envlist,
    envsecret,
    envstr,
    parse_nameservers,
    parse_networks,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = envbool("DEBUG", False)

SECRET_KEY = envsecret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY (or SECRET_KEY_FILE) to a long random string, "
            "or set DEBUG=true for a local development instance."
        )
    SECRET_KEY = "insecure-development-key-only-used-when-DEBUG-is-true-0123456789abcdef"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])

TLSMON_BASE_URL = envstr("TLSMON_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# A name, never an IP: report addresses and authorization record names are built under it.
TLSMON_REPORT_DOMAIN = envdomain("TLSMON_REPORT_DOMAIN", "reports.tlsmon.localhost")
CSRF_TRUSTED_ORIGINS = envlist(
    "CSRF_TRUSTED_ORIGINS", [TLSMON_BASE_URL] if TLSMON_BASE_URL.startswith("https://") else []
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "scans",
    "reports",
    "portfolio",
    "notify",
    "web",
    "demo",
    "axes",
    "allauth",  # django-allauth, account flows only (no social login)
    "allauth.account",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last, so it sees the lockout flag the login attempt set and answers with our page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tlsmon.urls"
WSGI_APPLICATION = "tlsmon.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = envsecret("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        # Health checks: a persistent connection that PostgreSQL dropped (restart, killed
        # backend) is replaced at the next request instead of failing it.
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=envint("TLSMON_DB_CONN_MAX_AGE", 60, minimum=0),
            conn_health_checks=True,
        )
    }
else:
    SQLITE_PATH = Path(envstr("TLSMON_SQLITE_PATH", str(BASE_DIR / "var" / "tlsmon.sqlite3")))
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)  # first run: var/ does not exist yet
    # The quickstart serves threads (runserver) and runs tasks in-process: write transactions
    # take the lock up front (IMMEDIATE) and wait for it, and WAL lets reads go on meanwhile,
    # so two concurrent report deliveries queue up instead of failing with "database is locked".
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL;",
            },
            # A file, not shared-cache memory: only a file honours the lock timeout.
            "TEST": {"NAME": str(SQLITE_PATH.with_name(f"test_{SQLITE_PATH.name}"))},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and shared cache (throttling counters) ---------------------------------
REDIS_URL = envsecret("REDIS_URL")
# Seconds to connect to / hear back from the Redis cache: a hung Redis fails fast, throttles open.
REDIS_TIMEOUT = envfloat("TLSMON_REDIS_CACHE_TIMEOUT", 1.0, minimum=0.1)
_REDIS_CACHE = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": REDIS_URL,
    "KEY_PREFIX": "tlsmon",
    "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
}
_LOCAL_CACHE = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
CACHES = {"default": _REDIS_CACHE if REDIS_URL else _LOCAL_CACHE}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# A task is acknowledged only once it finished, so a worker that dies mid-task gets it
# redelivered; tasks are written to be idempotent for that reason.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = envint("TLSMON_TASK_TIME_LIMIT", 15 * 60, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 5
# Redis redelivers unacknowledged tasks after this many seconds; keep it above the time limit.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 300}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Email -----------------------------------------------------------------------------------
EMAIL_HOST = envstr("EMAIL_HOST")
EMAIL_PORT = envint("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are exclusive; set only one")
EMAIL_TIMEOUT = 30
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "TLSMon <tlsmon@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- DNS -------------------------------------------------------------------------------------
TLSMON_DNS_NAMESERVERS = parse_nameservers(envlist("TLSMON_DNS_NAMESERVERS", []))
# The budget of one lookup, in seconds, shared by its tries (scans.dns.attempt_timeouts).
TLSMON_DNS_TIMEOUT = envfloat("TLSMON_DNS_TIMEOUT", 5.0, minimum=0.1)
# Extra tries after a timeout or SERVFAIL before a lookup counts as "error": three, so that
# 1% packet loss (about 2% per query and answer) leaves ~1 lookup in 6 million unanswered.
TLSMON_DNS_RETRIES = envint("TLSMON_DNS_RETRIES", 3, minimum=0, maximum=5)

# --- Scans -----------------------------------------------------------------------------------
# Domains scanned at once inside one worker task (bounded asyncio concurrency).
TLSMON_SCAN_CONCURRENCY = envint("TLSMON_SCAN_CONCURRENCY", 200, minimum=1, maximum=5000)
# Domains per Celery task when a scan round fans out.
TLSMON_SCAN_CHUNK_SIZE = envint("TLSMON_SCAN_CHUNK_SIZE", 250, minimum=1, maximum=5000)
# A claimed domain whose scan never finished (worker died) is due again after this lease.
TLSMON_SCAN_LEASE_MINUTES = envint("TLSMON_SCAN_LEASE_MINUTES", 60, minimum=5)
# An on-demand scan of a domain scanned this recently (or still queued) returns that scan.
TLSMON_SCAN_COOLDOWN_SECONDS = envint("TLSMON_SCAN_COOLDOWN_SECONDS", 60, minimum=0, maximum=86400)
# Seconds a chunk that a worker has started holds its domains (renewed every third of it while
# it runs): a chunk whose worker died is due again this soon, and the every-minute scheduler
# round claims it (README, "What happens when…").
TLSMON_SCAN_RUNNING_LEASE = envint("TLSMON_SCAN_RUNNING_LEASE", 60, minimum=15, maximum=3600)
# Most domains one scheduler round claims; the rest wait for the next round.
TLSMON_SCAN_ROUND_MAX = envint("TLSMON_SCAN_ROUND_MAX", 50000, minimum=1)
# MTA-STS policy fetch limits (RFC 8461 suggests 1 minute and 64 KB).
TLSMON_MTA_STS_TIMEOUT = envfloat("TLSMON_MTA_STS_TIMEOUT", 10.0, minimum=0.1)
TLSMON_MTA_STS_MAX_BYTES = envint("TLSMON_MTA_STS_MAX_BYTES", 64 * 1024, minimum=1024)
# Tests only: let the policy fetch reach loopback/private addresses, a port other than 443
# and a private CA bundle. Never set these in production.
TLSMON_FETCH_ALLOW_PRIVATE = envbool("TLSMON_FETCH_ALLOW_PRIVATE", False)
TLSMON_MTA_STS_PORT = envint("TLSMON_MTA_STS_PORT", 443, minimum=1, maximum=65535)
TLSMON_MTA_STS_CA_FILE = envstr("TLSMON_MTA_STS_CA_FILE", "")

# --- Reports ---------------------------------------------------------------------------------
TLSMON_REPORT_MAX_COMPRESSED = envint(
    "TLSMON_REPORT_MAX_COMPRESSED", 10 * 1024 * 1024, minimum=1024
)
TLSMON_REPORT_MAX_DECOMPRESSED = envint(
    "TLSMON_REPORT_MAX_DECOMPRESSED", 50 * 1024 * 1024, minimum=1024
)
# CPU seconds one delivery may take to unpack and parse (all attachments, members and layers).
TLSMON_REPORT_MAX_CPU_SECONDS = envfloat("TLSMON_REPORT_MAX_CPU_SECONDS", 10.0, minimum=0.1)
# Abuse limits of the public intake: POSTs per minute per report token (0: no limit), bytes of
# rejected deliveries stored per organization and UTC day (beyond it: refused, counted, not
# kept), and how long raw bodies are kept (rejected/duplicate ones; accepted ones).
TLSMON_REPORT_RATE_PER_MINUTE = envint("TLSMON_REPORT_RATE_PER_MINUTE", 120, minimum=0)
TLSMON_REPORT_REJECTED_BYTES_PER_DAY = envint(
    "TLSMON_REPORT_REJECTED_BYTES_PER_DAY", 50 * 1024 * 1024, minimum=0
)
TLSMON_RETENTION_REJECTED_DAYS = envint("TLSMON_RETENTION_REJECTED_DAYS", 30, minimum=1)
TLSMON_RETENTION_RAW_DAYS = envint("TLSMON_RETENTION_RAW_DAYS", 400, minimum=1)
# Coverage gap "reports_silent": a record is published but no report arrived for this many days.
TLSMON_REPORTS_SILENT_DAYS = envint("TLSMON_REPORTS_SILENT_DAYS", 3, minimum=1, maximum=365)
# Alerts (README "Alerts and webhooks"; "reports stopped" uses TLSMON_REPORTS_SILENT_DAYS).
TLSMON_ALERT_SPIKE_MIN_FAILED = envint("TLSMON_ALERT_SPIKE_MIN_FAILED", 10, minimum=1)
TLSMON_ALERT_SPIKE_FACTOR = envfloat("TLSMON_ALERT_SPIKE_FACTOR", 3.0, minimum=1.0)
TLSMON_ALERT_FIRST_REPORT_DAYS = envint("TLSMON_ALERT_FIRST_REPORT_DAYS", 4, minimum=1)
TLSMON_ALERT_MUTE_DAYS = envint("TLSMON_ALERT_MUTE_DAYS", 7, minimum=0)
TLSMON_WEBHOOK_RETRY_HOURS = envint("TLSMON_WEBHOOK_RETRY_HOURS", 24, minimum=1)
TLSMON_WEBHOOK_DISABLE_AFTER = envint("TLSMON_WEBHOOK_DISABLE_AFTER", 20, minimum=1)
# DKIM of report emails (RFC 8460 section 3): "record" the outcome on the submission,
# "require" a passing signature (unsigned or failing mail is rejected), or "off".
TLSMON_REPORT_DKIM = envchoice("TLSMON_REPORT_DKIM", "record", ("off", "record", "require"))
# IMAP mailbox polled for reports mailed to <token>@TLSMON_REPORT_DOMAIN (blank host: off).
TLSMON_IMAP_HOST = envstr("TLSMON_IMAP_HOST", "")
TLSMON_IMAP_PORT = envint("TLSMON_IMAP_PORT", 993, minimum=1, maximum=65535)
# "ssl" (implicit TLS, port 993), "starttls" or "plain" (loopback tests only).
TLSMON_IMAP_SECURITY = envchoice("TLSMON_IMAP_SECURITY", "ssl", ("ssl", "starttls", "plain"))
TLSMON_IMAP_USER = envstr("TLSMON_IMAP_USER", "")
TLSMON_IMAP_PASSWORD = envsecret("TLSMON_IMAP_PASSWORD", "")
TLSMON_IMAP_FOLDER = envstr("TLSMON_IMAP_FOLDER", "INBOX")
TLSMON_IMAP_PROCESSED_FOLDER = envstr("TLSMON_IMAP_PROCESSED_FOLDER", "TLSMon/Processed")
TLSMON_IMAP_FAILED_FOLDER = envstr("TLSMON_IMAP_FAILED_FOLDER", "TLSMon/Failed")
TLSMON_IMAP_BATCH = envint("TLSMON_IMAP_BATCH", 100, minimum=1, maximum=5000)

# --- API -------------------------------------------------------------------------------------
TLSMON_API_THROTTLE_RATE = envstr("TLSMON_API_THROTTLE_RATE", "1200/minute")
TLSMON_ANON_THROTTLE_RATE = envstr("TLSMON_ANON_THROTTLE_RATE", "60/minute")
TLSMON_BULK_MAX_ROWS = envint("TLSMON_BULK_MAX_ROWS", 1000, minimum=1)

# The domain name index carries the organization as a non-key column (PostgreSQL, where it
# serves the coverage pages); SQLite, the quickstart's database, just builds it without.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.TokenScopePermission"],
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.TokenRateThrottle",
        "api.throttling.AnonymousRateThrottle",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.StablePageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "api.ordering.StableOrderingFilter",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "TLSMon API",
    "DESCRIPTION": (
        "Multi-tenant SMTP TLS Reporting (RFC 8460) monitoring. Authenticate with "
        "`Authorization: Bearer <token>`; a token belongs to one organization and, for an MSP, "
        "also reaches its client organizations. Every 4xx answer has the `Error` shape."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ScanStatusEnum": "scans.models.ScanStatus",
        "ScanVerdictEnum": "accounts.models.ScanVerdict",
        "ScanMtaStsEnum": "accounts.models.ScanMtaSts",
        "SubmissionStatusEnum": "reports.models.intake.SubmissionStatus",
        "ExternalAuthorizationStatusEnum": "scans.models.ExternalAuthorizationStatus",
        "AlertSeverityEnum": "notify.models.AlertSeverity",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
    ],
    "SECURITY": [{"BearerAuth": []}],
    "APPEND_COMPONENTS": {"securitySchemes": {"BearerAuth": {"type": "http", "scheme": "bearer"}}},
}

# --- Client addresses behind a reverse proxy ------------------------------------------------
# Addresses or networks of the proxies in front of TLSMon. X-Forwarded-For is believed only for
# the hops these appended (see api/client_address.py); empty: the header is ignored.
TLSMON_TRUSTED_PROXIES = parse_networks(
    "TLSMON_TRUSTED_PROXIES", envlist("TLSMON_TRUSTED_PROXIES", [])
)

# --- Login protection and accounts: tlsmon/settings_accounts.py --------------------------------
from tlsmon.settings_accounts import *  # noqa: E402, F403
from tlsmon.settings_accounts import TLSMON_LOGIN_LOCKOUT_STORE  # noqa: E402

if TLSMON_LOGIN_LOCKOUT_STORE == "cache" and not REDIS_URL:
    raise ImproperlyConfigured("TLSMON_LOGIN_LOCKOUT_STORE=cache needs REDIS_URL (a shared cache)")

# --- Static files, i18n ----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Security (production defaults; DEBUG=true relaxes them for a laptop) --------------------
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if envbool("TLSMON_BEHIND_PROXY", False) else None
)
SECURE_SSL_REDIRECT = envbool("TLSMON_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = envint("TLSMON_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("TLSMON_LOG_LEVEL", "INFO").upper()},
}
