"""Settings for Coalition CRM, read from environment variables.

Every variable has a default that is safe for a laptop; with DEBUG off the defaults
tighten (secure cookies, no wildcard hosts, a secret key is required).
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)

_DEV_SECRET_KEY = "insecure-development-key-never-use-in-production"
# `make setup` writes this checkout's own key there, so that `manage.py` commands work as
# the docs show them, with DEBUG off, and sign links the same way as `make run`.
SECRET_KEY_FILE = Path(env("SECRET_KEY_FILE", str(BASE_DIR / "var" / "secret-key")))


def _secret_key():
    if key := env("SECRET_KEY"):
        return key
    if SECRET_KEY_FILE.is_file():
        return SECRET_KEY_FILE.read_text().strip()
    return _DEV_SECRET_KEY if DEBUG else ""


SECRET_KEY = _secret_key()
if not SECRET_KEY:
    raise ImproperlyConfigured(
        f"SECRET_KEY must be set when DEBUG is off (or run `make setup`, which writes a key "
        f"into {SECRET_KEY_FILE})."
    )
# Old keys still verify signed links and match suppressions after a rotation. A laptop
# database made before its checkout had a key file was signed with the development key.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS") + (
    [_DEV_SECRET_KEY] if DEBUG and SECRET_KEY != _DEV_SECRET_KEY else []
)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_countries",
    "django_filters",
    "django_htmx",
    "django_tasks_db",
    "import_export",
    "phonenumber_field",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "accounts",
    "crm",
    "outreach",
    "webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "crm.middleware.NoStoreForStaffMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# The embedded SQLite file is the zero-set-up default; DATABASE_URL selects PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'coalition.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the task worker write while the web server reads.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Repeated failed sign-ins lock the (account, address) pair and, separately, the address
# they came from (staff sign-in and admin alike), for half an hour; a stranger's guesses
# from elsewhere do not lock the owner out. Guesses spread over many addresses: after
# SIGN_IN_ACCOUNT_FAILURE_LIMIT on one account, its password alone no longer signs in,
# a password with a valid code still does (accounts/lockout.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(env("SIGN_IN_FAILURE_LIMIT", "5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
SIGN_IN_ACCOUNT_FAILURE_LIMIT = int(env("SIGN_IN_ACCOUNT_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(env("SIGN_IN_LOCKOUT_MINUTES", "30")))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# No table of every successful sign-in with addresses and browsers: the log line is enough.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
if env_bool("BEHIND_TLS_PROXY"):
    AXES_IPWARE_PROXY_COUNT = 1
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

LOGIN_URL = "login"
# Two-step sign-in (docs/security.md): when on, members of the admin role and superusers
# must set up an authenticator app before they can use any staff page or the admin.
REQUIRE_TWO_FACTOR_FOR_ADMINS = env_bool("REQUIRE_TWO_FACTOR_FOR_ADMINS")
OTP_TOTP_ISSUER = "Coalition CRM"
LOGIN_REDIRECT_URL = "outreach:dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = env("LANGUAGE_CODE", "en")
LANGUAGES = [
    ("en", "English"),
    ("nl", "Nederlands"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("ja", "日本語"),
]
TIME_ZONE = env("TIME_ZONE", "Europe/Brussels")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Console by default (messages are printed where `make run` runs); EMAIL_BACKEND=smtp
# sends through EMAIL_HOST.
_EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
_email_backend = _EMAIL_BACKENDS.get(env("EMAIL_BACKEND", "console"), env("EMAIL_BACKEND"))
MAILERS = {"default": {"BACKEND": _email_backend}}
if _email_backend == _EMAIL_BACKENDS["smtp"]:
    MAILERS["default"]["OPTIONS"] = {
        "host": env("EMAIL_HOST", "localhost"),
        "port": int(env("EMAIL_PORT", "587")),
        "username": env("EMAIL_HOST_USER") or None,
        "password": env("EMAIL_HOST_PASSWORD") or None,
        "use_tls": env_bool("EMAIL_USE_TLS", default=True),
    }
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Coalition CRM <coalition@localhost>")

# Background work goes through Django's Tasks framework. The default queue lives in the
# database (no extra service; its worker is `manage.py db_worker`, started by `make run`).
# TASKS_BACKEND=rq queues on Redis (REDIS_URL) for several workers: the scale path.
REDIS_URL = env("REDIS_URL")
TASKS_BACKEND = env("TASKS_BACKEND", "database")
if TASKS_BACKEND == "rq":
    if not REDIS_URL:
        raise ImproperlyConfigured("TASKS_BACKEND=rq needs REDIS_URL.")
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
else:
    TASKS = {"default": {"BACKEND": TASKS_BACKEND}}

# A shared cache (rate limits, cached counts) must be shared by every app process: Redis
# when there is one, else this process's memory (fine for one process).
if REDIS_URL:
    CACHES = {
        "default": {
            # Degrades to no cache, with a warning, while Redis is unreachable.
            "BACKEND": "config.cache.DegradingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "coalition",
            # Short timeouts: an unreachable Redis must not hold every request up.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Figures read from many signatures (public counts and list pages, report series) are
# cached for this many seconds, or until a signature changes (outreach/signature_cache.py).
# Only with a cache that every process shares: off (0) without REDIS_URL.
SIGNATURE_FIGURES_CACHE_SECONDS = int(
    env("SIGNATURE_FIGURES_CACHE_SECONDS", "300" if REDIS_URL else "0")
)

# Nothing on a page comes from another host: the users of this tool fight surveillance.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(env("SESSION_COOKIE_AGE", str(60 * 60 * 12)))
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
# Asking browsers to preload HTTPS for a whole domain is the deployer's decision, made for
# the domain, not the app's default.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Load balancers probe the health check over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # the embeddable snippet opts out on its own view
if env_bool("BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Requests larger than this are refused before they reach a view (imports set their own,
# larger limit for the uploaded file itself).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

PHONENUMBER_DEFAULT_REGION = env("PHONENUMBER_DEFAULT_REGION") or None
PHONENUMBER_DEFAULT_FORMAT = "E164"
# Kosovo has no ISO 3166 code yet; XK is the code the EU, CLDR and banks use for it.
COUNTRIES_OVERRIDE = {"XK": {"names": ["Kosovo"], "alpha3": "XKX"}}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "accounts.authentication.SignedInSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["crm.api_base.RolePermissions"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "crm.api_base.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "crm.api_base.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.UserRateThrottle",
        "crm.api_base.TokenRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env("API_RATE_PER_USER", "5000/hour"),
        "token": env("API_RATE_PER_TOKEN", "2000/hour"),
    },
}
# API tokens: named, hashed, revocable (accounts.ApiToken); only their digest is stored.
KNOX_TOKEN_MODEL = "accounts.ApiToken"
# knox's own migrations create its AuthToken table even though the model is swapped for
# accounts.ApiToken; that orphan table's key to auth_user made PostgreSQL refuse to
# TRUNCATE (flush) in transactional tests. Without its migrations no table is made.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {"TOKEN_TTL": datetime.timedelta(days=90), "AUTO_REFRESH": False}
SPECTACULAR_SETTINGS = {
    "TITLE": "Coalition CRM API",
    "DESCRIPTION": "Organisations, contacts, asks, outreach and signatures. See docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's files come from the app itself (drf-spectacular-sidecar), not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "outreach.models.Stage",
        "LanguageEnum": "config.settings.LANGUAGES",
    },
}

# One line per event; as JSON (for log collectors) unless LOG_FORMAT=text, which is the
# default when DEBUG is on.
LOG_FORMAT = env("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # ISO 8601 in UTC, whatever the process's time zone
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Public sign-on. The rate-limit counters live in the cache (CACHES above: shared through
# Redis when REDIS_URL is set, as it must be with several app processes).
# "<count>/<seconds>": sign-form submissions allowed per client address and per e-mail.
PUBLIC_SIGN_RATE_PER_IP = env("PUBLIC_SIGN_RATE_PER_IP", "20/3600")
PUBLIC_SIGN_RATE_PER_EMAIL = env("PUBLIC_SIGN_RATE_PER_EMAIL", "5/3600")
# The sign form's time challenge (outreach/challenge.py): a submission sooner than this
# after the page was served is refused (bots post at once; people take longer).
PUBLIC_SIGN_MIN_SECONDS = int(env("PUBLIC_SIGN_MIN_SECONDS", "2"))
# A sign-on e-mail the mail server refuses is tried again after each of these pauses
# (seconds), then recorded as failed for staff to see and send again.
SIGN_ON_EMAIL_RETRY_SECONDS = [
    int(seconds) for seconds in env("SIGN_ON_EMAIL_RETRY_SECONDS", "30,300,1800").split(",")
]
# How long a confirmation link works (seconds).
PUBLIC_SIGN_CONFIRM_MAX_AGE = int(env("PUBLIC_SIGN_CONFIRM_MAX_AGE", str(7 * 24 * 3600)))

# Spreadsheet import limits (bigger files are refused with a clear message, 413 in the UI).
IMPORT_MAX_BYTES = int(env("IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
IMPORT_MAX_UNCOMPRESSED_BYTES = int(env("IMPORT_MAX_UNCOMPRESSED_BYTES", str(100 * 1024 * 1024)))
IMPORT_MAX_ROWS = int(env("IMPORT_MAX_ROWS", "200000"))
# The mapping page has one field per column (and DATA_UPLOAD_MAX_NUMBER_FIELDS is 1000).
IMPORT_MAX_COLUMNS = int(env("IMPORT_MAX_COLUMNS", "200"))
# Files of imports left unfinished are dropped after this many days (they hold personal data).
IMPORT_KEEP_FILES_DAYS = int(env("IMPORT_KEEP_FILES_DAYS", "2"))

# Data protection (crm/privacy.py): contacts with no activity, signature or consent for
# this many days are anonymised by `manage.py apply_retention`.
RETENTION_DAYS = int(env("RETENTION_DAYS", str(3 * 365)))

# Exports of more rows than this are written by the task worker, with progress, and kept
# for their owner to download for EXPORT_FILES_KEEP_HOURS, then deleted.
EXPORT_IN_BACKGROUND_AFTER = int(env("EXPORT_IN_BACKGROUND_AFTER", "5000"))
EXPORT_FILES_KEEP_HOURS = int(env("EXPORT_FILES_KEEP_HOURS", "24"))

# Password reset (accounts/views_password.py): links work once, for an hour; requests
# are limited per client address and per e-mail ("<count>/<seconds>").
PASSWORD_RESET_TIMEOUT = int(env("PASSWORD_RESET_TIMEOUT", "3600"))
PASSWORD_RESET_RATE_PER_IP = env("PASSWORD_RESET_RATE_PER_IP", "10/3600")
PASSWORD_RESET_RATE_PER_EMAIL = env("PASSWORD_RESET_RATE_PER_EMAIL", "3/3600")

# Reading this many contacts' details through the API within an hour leaves an audit line
# like an export's (and again at every multiple): paging is an export by other means.
API_PAGING_AUDIT_AFTER = int(env("API_PAGING_AUDIT_AFTER", "100"))

# Webhooks (docs/webhooks.md): endpoints must be https:// (http:// too with DEBUG or this
# setting), and may not be inside this server's networks (loopback, private, link-local)
# unless WEBHOOKS_ALLOW_PRIVATE is on (a receiver on the same private network).
WEBHOOKS_ALLOW_HTTP = env_bool("WEBHOOKS_ALLOW_HTTP")
WEBHOOKS_ALLOW_PRIVATE = env_bool("WEBHOOKS_ALLOW_PRIVATE")
