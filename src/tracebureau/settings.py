"""The one settings module. Everything that differs between installations comes from the
environment (see README, "Configuration"); the embedded default is SQLite in ./data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from tracebureau.env import env_bool, env_int, env_list, env_str, local_secret

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("TRACEBUREAU_DATA_DIR", str(Path.cwd() / "data"))).resolve()

DEBUG = env_bool("TRACEBUREAU_DEBUG", False)
SECRET_KEY = env_str("TRACEBUREAU_SECRET_KEY", "") or local_secret(DATA_DIR)
if len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("TRACEBUREAU_SECRET_KEY must be at least 32 characters long.")
ALLOWED_HOSTS = env_list("TRACEBUREAU_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("TRACEBUREAU_CSRF_TRUSTED_ORIGINS", [])

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
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "tracebureau.core",
    "tracebureau.accounts",
    "tracebureau.registry",
    "tracebureau.timeline",
    "tracebureau.reporting",
    "tracebureau.lists",
    "tracebureau.identification",
    "tracebureau.exchanges",
    "tracebureau.families",
    "tracebureau.press",
    "tracebureau.interchange",
    "tracebureau.audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tracebureau.accounts.middleware.SessionIdleMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tracebureau.audit.middleware.AuditContextMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tracebureau.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged on the way in into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracebureau.urls"
WSGI_APPLICATION = "tracebureau.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # core.views.home: the first page the user's roles open
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "tracebureau.core.context_processors.capabilities",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'tracebureau.sqlite3'}"),
        conn_max_age=env_int("TRACEBUREAU_DB_CONN_MAX_AGE", 60, minimum=0),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Several staff write at once; without a busy timeout SQLite answers "database is locked".
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2 (memory-hard) for every new or changed password; the others only to check, and
# upgrade on sign-in, hashes written before Argon2 was the default.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# django-axes first: it refuses a locked-out username and address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env_str("TRACEBUREAU_LANGUAGE", "uk")
LANGUAGES = [("uk", _("Ukrainian")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("TRACEBUREAU_TIME_ZONE", "Europe/Kyiv")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request without it
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the app folders too, so `make demo` needs no collectstatic step to look right.
WHITENOISE_USE_FINDERS = True

# --- sign-in (README, "Sign-in") ------------------------------------------------------------

# Failed sign-ins, counted per user name and address together, so that one attacker cannot lock
# a colleague out from elsewhere and one address cannot try name after name unthrottled.
AXES_FAILURE_LIMIT = env_int("TRACEBUREAU_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("TRACEBUREAU_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "tracebureau.accounts.views.locked_out"
AXES_VERBOSE = False

# Whoever sees every agency's people signs in with a second factor (core.policy decides who).
# Off only for development: nothing else replaces it.
TRACEBUREAU_REQUIRE_TWO_FACTOR = env_bool("TRACEBUREAU_REQUIRE_TWO_FACTOR", True)
OTP_TOTP_ISSUER = env_str("TRACEBUREAU_TOTP_ISSUER", "tracebureau")
# An administrator removes a lost device in the admin, but never reads its secret there.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# A DNA identification is confirmed only at or above this likelihood ratio (as log10: 4 is an
# LR of 10 000, dvir's default for an undisputed identification), and by a second officer.
TRACEBUREAU_IDENTIFICATION_LOG10_LR = env_int("TRACEBUREAU_IDENTIFICATION_LOG10_LR", 4, minimum=1)
TRACEBUREAU_API_TOKEN_DAYS = env_int("TRACEBUREAU_API_TOKEN_DAYS", 30, minimum=1)
# Families: a tracing request unanswered for longer is flagged on the liaison's dashboard; the
# status lookup's one-time codes last this many days; this many failed lookups from one address
# (or at one reference) within the window lock the lookup for the rest of the window.
TRACEBUREAU_INQUIRY_ANSWER_HOURS = env_int("TRACEBUREAU_INQUIRY_ANSWER_HOURS", 72, minimum=1)
TRACEBUREAU_LOOKUP_CODE_DAYS = env_int("TRACEBUREAU_LOOKUP_CODE_DAYS", 14, minimum=1)
TRACEBUREAU_LOOKUP_MAX_FAILURES = env_int("TRACEBUREAU_LOOKUP_MAX_FAILURES", 5, minimum=1)
TRACEBUREAU_LOOKUP_LOCKOUT_MINUTES = env_int("TRACEBUREAU_LOOKUP_LOCKOUT_MINUTES", 30, minimum=1)
# Press releases: a count below this is never published (a release may raise it, not lower
# it); published counts are rounded to the nearest multiple of the rounding; headline totals
# of this step or more are said as "more than 200".
TRACEBUREAU_PRESS_MIN_CELL = env_int("TRACEBUREAU_PRESS_MIN_CELL", 10, minimum=2)
TRACEBUREAU_PRESS_ROUNDING = env_int("TRACEBUREAU_PRESS_ROUNDING", 5, minimum=1)
TRACEBUREAU_PRESS_PHRASE_STEP = env_int("TRACEBUREAU_PRESS_PHRASE_STEP", 100, minimum=10)
# The key that seals each transmission to the ICRC Central Tracing Agency (an HMAC of the batch's
# digest): set it apart from the secret key, and keep it, to prove later what was sent. Without
# it the seal is keyed by the secret key.
TRACEBUREAU_TRANSMISSION_KEY = env_str("TRACEBUREAU_TRANSMISSION_KEY", "") or SECRET_KEY
# The bureau's name as the ICRC and other bureaus know it: printed on capture cards and batches.
TRACEBUREAU_BUREAU_NAME = env_str(
    "TRACEBUREAU_BUREAU_NAME", "National Information Bureau of Ukraine / Національне інформаційне бюро"
)
# PFIF record ids are "domain/id": the domain that names this installation's records.
TRACEBUREAU_PFIF_DOMAIN = env_str("TRACEBUREAU_PFIF_DOMAIN", "nib.tracebureau.invalid")
# Where the linkage and kinship engines run: empty in this process; a Dask scheduler address
# ("tls://host:8786") to spread a national-size list or DNA batch over a cluster of the
# bureau's own machines (names and DNA profiles travel to it); "local:N" for N worker processes
# on this machine. The answers are the same either way.
TRACEBUREAU_DASK_SCHEDULER = env_str("TRACEBUREAU_DASK_SCHEDULER", "")

# A session ends after this long without a request, and when the browser closes: an unlocked
# screen in a shared office must not stay signed in. The expiry is moved by
# accounts.middleware.SessionIdleMiddleware, once a minute at most, not by a write per request.
SESSION_COOKIE_AGE = 60 * env_int("TRACEBUREAU_SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- transport and headers -------------------------------------------------------------------

# Production serves over HTTPS only. Off by default so that the local demo on plain
# http://127.0.0.1 works; `check --deploy` says so until it is set.
HTTPS = env_bool("TRACEBUREAU_HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = env_bool("TRACEBUREAU_SECURE_COOKIES", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("TRACEBUREAU_HSTS_SECONDS", 365 * 24 * 3600, minimum=0) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("TRACEBUREAU_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("TRACEBUREAU_HSTS_PRELOAD", False)
TRACEBUREAU_BEHIND_TLS_PROXY = env_bool("TRACEBUREAU_BEHIND_TLS_PROXY", False)
if TRACEBUREAU_BEHIND_TLS_PROXY:
    # Trust the proxy's word on the scheme and on the client's address, and only then: without a
    # proxy that overwrites them, a client could forge both headers.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The client's address as the proxy saw it (core.net): for axes, the audit trail and the lookup.
AXES_CLIENT_IP_CALLABLE = "tracebureau.core.net.client_ip"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Nothing inline, nothing from elsewhere: a page that an injected script could read would leak
# the people on it. data: images only, which Pico CSS and Swagger UI draw their icons with.
# Swagger UI at /api/docs/ fits too: its page is ours (accounts/swagger_ui.html), its start-up
# script a separate file (drf-spectacular's split view).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The bearer token first: when a request carries one, it alone decides who is calling.
        "tracebureau.accounts.authentication.BearerTokenAuthentication",
        "tracebureau.accounts.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "tracebureau API",
    "DESCRIPTION": "Registry of persons and their append-only timeline of events.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "kind", "side" or "category" field; name their enums so the schema
    # has no collision.
    "ENUM_NAME_OVERRIDES": {
        "EventKindEnum": "tracebureau.timeline.choices.EventKind",
        "PlaceKindEnum": "tracebureau.timeline.choices.PlaceKind",
        "SourceKindEnum": "tracebureau.timeline.choices.SourceKind",
        "SideEnum": "tracebureau.registry.choices.Side",
        "CategoryEnum": "tracebureau.registry.choices.Category",
        "ExchangeKindEnum": "tracebureau.exchanges.choices.ExchangeKind",
        "ExchangeStateEnum": "tracebureau.exchanges.choices.ExchangeState",
        "ReleaseStateEnum": "tracebureau.press.choices.ReleaseState",
        "TableKeyEnum": "tracebureau.press.choices.TableKey",
        "ExchangeSideEnum": "tracebureau.exchanges.choices.Side",
        "EntryCategoryEnum": "tracebureau.exchanges.choices.EntryCategory",
    },
}

# Background jobs (reconciliations): Django's tasks API, backported by django-tasks, queued in
# the database by django-tasks-db, so SQLite and PostgreSQL behave the same and no broker is
# needed. `tracebureau serve` starts the worker (`tracebureau worker`) beside the server.
TASKS = {
    "default": {
        "BACKEND": env_str("TRACEBUREAU_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# A running job whose worker has not reported progress for this long is taken for dead (its
# worker killed, its machine gone) and queued again by `tracebureau jobs recover`, which every
# worker runs as it starts. On the worker's own machine a dead process is seen at once; this
# is for workers elsewhere, so it must be longer than the longest silence of a live job.
TRACEBUREAU_JOB_STALE_AFTER = env_int("TRACEBUREAU_JOB_STALE_AFTER", 900, minimum=10)
# How many times a job is started in all before an interruption fails it for good.
TRACEBUREAU_JOB_MAX_ATTEMPTS = env_int("TRACEBUREAU_JOB_MAX_ATTEMPTS", 3, minimum=1)
# For tests only: a pause after each progress report, so a small job runs long enough to be
# killed in the middle.
TRACEBUREAU_JOB_THROTTLE_MS = env_int("TRACEBUREAU_JOB_THROTTLE_MS", 0, minimum=0)

# Reverting a person from the admin's history would bypass the services (versions, merges).
SIMPLE_HISTORY_REVERT_DISABLED = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("TRACEBUREAU_LOG_LEVEL", "INFO")},
}
