"""Settings for BPO Portal, read from the environment.

DATABASE_URL  database to use (default: SQLite file db.sqlite3 in the project root)
SECRET_KEY    signing key; without it, development reads var/secret_key (made by `make setup`)
DEBUG         "1"/"true" turns debug mode on; off unless set
ALLOWED_HOSTS comma-separated host names
CACHE_DIR     folder of the cache shared by the worker processes (default: var/cache)
CACHE_URL     redis://host:port/db: a Redis server shared by several app servers instead
HTTPS         "1" when served over HTTPS (behind a proxy that sets X-Forwarded-Proto): turns on
              redirects to HTTPS, HSTS and secure cookies
TRUSTED_PROXIES how many proxies in front add to X-Forwarded-For (default 0)
TRUSTED_PROXY_ADDRESSES comma-separated addresses of those proxies (default 127.0.0.1,::1): only
              a request coming from one of them has its X-Forwarded-For read
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

TRUE_VALUES = {"1", "true", "yes", "on"}


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in TRUE_VALUES


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

# Production sets SECRET_KEY. Without it, development reads this machine's own random key,
# which `make setup` writes to var/secret_key (never committed): there is no published
# development key. `manage.py check --deploy`, which `make serve` and gunicorn.conf.py run, refuses
# that fallback (core/checks.py); only debug mode may run on a throwaway key.
DEVELOPMENT_KEY_FILE = BASE_DIR / "var" / "secret_key"
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
SECRET_KEY_FROM_FILE = False
if not SECRET_KEY and DEVELOPMENT_KEY_FILE.is_file():
    SECRET_KEY = DEVELOPMENT_KEY_FILE.read_text().strip()
    SECRET_KEY_FROM_FILE = bool(SECRET_KEY)
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set, and there is no development key in var/secret_key. For "
            "development, run `make setup` (it writes this machine's own key there). In "
            "production, set SECRET_KEY to a long random value, the same on every server."
        )
    SECRET_KEY = get_random_secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_filters",
    "simple_history",
    "import_export",
    "axes",
    "bpo_portal.core",
    "bpo_portal.sources",
    "bpo_portal.directory",
    "bpo_portal.sector",
    "bpo_portal.background",
    "bpo_portal.portal",
]

# The header middleware come first, so that static files and the 400 for a bad Host (raised by
# CommonMiddleware) carry their headers too; a database gone away is a 503 (core/middleware.py).
MIDDLEWARE = [
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "bpo_portal.core.middleware.BodyLimit",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "bpo_portal.portal.throttle.CostlyRequestBudget",
    "axes.middleware.AxesMiddleware",
    "bpo_portal.core.middleware.DatabaseUnavailable",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "bpo_portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bpo_portal.sources.citations.footnotes",
            ],
        },
    },
]

WSGI_APPLICATION = "bpo_portal.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,  # a kept connection is checked before a request reuses it
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Readers never block the writer (WAL); a writer waits for the lock instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

# Shared by every worker process, so a page is computed once per data change, not once per
# worker. Keys carry the data version, so old entries are simply never read again. Several app
# servers share a Redis server instead (CACHE_URL=redis://host:6379/0); if it goes away, pages
# are computed rather than broken: short timeouts, and after a failure Redis is skipped for a
# while (core/cachebackends.py), so a hung server costs one page a quarter of a second.
CACHE_URL = os.environ.get("CACHE_URL", "").strip()
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "bpo_portal.core.cachebackends.GuardedRedisCache",
            "LOCATION": CACHE_URL,
            "TIMEOUT": 3600,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "bpo_portal.core.filecache.FileCache",
            "LOCATION": os.environ.get("CACHE_DIR", str(BASE_DIR / "var" / "cache")),
            "TIMEOUT": 3600,
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Asia/Karachi"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]
KNOWLEDGE_FILE = BASE_DIR / "fixtures" / "knowledge.yaml"
ARTICLES_DIR = Path(os.environ.get("BPO_ARTICLES_DIR", BASE_DIR.parent / "shared" / "articles"))

LOGIN_URL = "admin:login"

# Headers: a strict Content-Security-Policy (no inline scripts or styles anywhere), no
# framing, no MIME sniffing, and referrers kept on the site.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

HTTPS = env_bool("HTTPS")
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# Behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS if HTTPS and host != "*"]

# Oversized requests are refused: a body declared larger than its path allows with a 413 page
# before it is read (core/middleware.py), form data over the Django limit with a 400 page.
# A correction of two 2,000-character fields in Urdu script comes to about 24 KB once encoded.
REQUEST_BODY_LIMIT = 10 * 1024 * 1024  # admin imports included
REQUEST_BODY_LIMITS = {"/suggest/": 32 * 1024}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# Sign-in: five failures for one user name from one address lock it out for an hour.
# Messages travel in a cookie only, never in the session, so a page that carries none can be
# served from the shared page cache (core/caching.py) without reading the session.
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"

# The open-data package is built by a thread of the worker that first sees a new data version
# (or by `manage.py build_data_package`); requests meanwhile get the last complete one.
DATA_PACKAGE_IN_BACKGROUND = True

# How many proxies in front of the app add the address they saw to X-Forwarded-For (1 behind
# one load balancer): the reader's address, for sign-in lockouts and for limiting suggestions,
# is then the one the outermost proxy saw. X-Forwarded-For is read only on requests that come
# from one of TRUSTED_PROXY_ADDRESSES: a client reaching the app directly cannot choose its address.
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
TRUSTED_PROXY_ADDRESSES = env_list("TRUSTED_PROXY_ADDRESSES", "127.0.0.1,::1")
AXES_CLIENT_IP_CALLABLE = "bpo_portal.portal.selectors.client_address"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "lockout.html"

# Curators' CSV imports run in one transaction; import needs "change", export "view".
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
