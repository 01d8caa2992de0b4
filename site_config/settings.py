"""The one settings module, configured from the environment (see README.md).

Development: DJANGO_DEBUG=1. Production: DJANGO_DEBUG unset, DJANGO_SECRET_KEY and
DJANGO_ALLOWED_HOSTS set; DATABASE_URL for PostgreSQL.
"""

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key
from django.utils.csp import CSP

if TYPE_CHECKING:
    from django_stubs_ext.settings import TemplatesSetting

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}.")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production needs a long random secret: "
            "export DJANGO_SECRET_KEY=... (or set DJANGO_DEBUG=1 for development)."
        )
    # Development only: a key for this process, never written anywhere.
    SECRET_KEY = get_random_secret_key()

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.forms",  # widget templates for the admin form's TemplatesSetting renderer
    "markdownx",
    "reversion",
    "axes",
    "django_tasks_db",
    "blog",
    "site_config",  # the site's plumbing: page cache, health, media, error pages
    "blog.newsletter",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "site_config.middleware.permissions_policy",
    # Outside the page cache, so a cached page also answers 304 to a matching revisit.
    "django.middleware.http.ConditionalGetMiddleware",
    "site_config.cache.PageCacheMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "site_config.urls"
WSGI_APPLICATION = "site_config.wsgi.application"

TEMPLATES: "list[TemplatesSetting]" = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "site_config.context_processors.site",
            ],
        },
    },
]

# SQLite file at the project root unless DATABASE_URL says otherwise
# (postgres:// or postgresql://). Health checks let a worker survive a database restart.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Readers and the writer at once: WAL lets reads go on during a write; IMMEDIATE takes
    # the write lock at the start of a transaction, so a busy writer waits (up to the
    # timeout) instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        # A page cache of 512 KiB per connection (SQLite's default: 2 MiB), of which a worker
        # holds one per thread: the system caches the file anyway. Measured: a worker's peak
        # RSS 0.6-0.9 MiB lower, cold pages and imports as fast.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-512;"
        ),
    }
else:
    # Fail fast when the database is down; the site answers 503 until it is back.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 3


AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Admin logins: 5 failures for one username from one client address lock that pair out for
# 15 minutes. Only the pair: a stranger elsewhere can lock out themselves, never the writer.
# The address is the client's, behind the TLS proxy too (site_config/proxy.py).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "site_config.proxy.client_ip"
AXES_RESET_ON_SUCCESS = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]

LANGUAGE_CODE = "en-us"
USE_I18N = False
USE_TZ = True
# The site's time zone decides which day it is: an essay dated today is public today.
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Whole public pages are cached (site_config/cache.py) in each worker's memory, under keys
# that carry a generation kept in the shared "default" cache, so an edit in one process is
# seen by all. The file cache needs no extra service; set REDIS_URL to share the generation
# between several servers (short timeouts: a Redis that is down must not hold a request).
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("DJANGO_CACHE_DIR", str(BASE_DIR / ".cache")),
        }
    }
# How long a page is cached, by the site and (max-age) by browsers and CDNs.
CACHE_MIDDLEWARE_SECONDS = int(os.environ.get("DJANGO_PAGE_CACHE_SECONDS", "300"))
# The most memory each worker gives cached pages (their pickled bytes); 16 MiB holds about
# 500 essay pages.
PAGE_CACHE_MAX_BYTES = int(os.environ.get("DJANGO_PAGE_CACHE_MAX_BYTES", 16 * 1024 * 1024))

# The admin lives at /<DJANGO_ADMIN_PATH>/ (default "admin"): moving it off the well-known
# path turns away most scripted login attempts.
ADMIN_PATH = os.environ.get("DJANGO_ADMIN_PATH", "admin").strip("/") + "/"

# The site as readers see it.
SITE_NAME = os.environ.get("SITE_NAME", "Words")
SITE_AUTHOR = os.environ.get("SITE_AUTHOR", "The writer")
SITE_DESCRIPTION = os.environ.get("SITE_DESCRIPTION", "Essays.")
# A paragraph under the description on the home page (optional).
SITE_INTRO = os.environ.get("SITE_INTRO", "")
# Notes beside the text (margin on wide screens, in place on narrow ones) or at the end only.
SITE_NOTES = os.environ.get("DJANGO_SITE_NOTES", "sidenotes")
if SITE_NOTES not in {"sidenotes", "endnotes"}:
    raise ImproperlyConfigured(
        f"DJANGO_SITE_NOTES must be sidenotes or endnotes, not {SITE_NOTES!r}."
    )

# Security. DJANGO_HTTPS says the site is served over HTTPS (default: in production).
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# Behind a TLS-terminating proxy: its X-Forwarded-Proto and X-Forwarded-For are believed.
BEHIND_TLS_PROXY = env_bool("DJANGO_BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Features no page of this site uses (site_config.middleware.permissions_policy).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# django-markdownx: the essay editor. Its views check no user: they are routed behind the
# admin login in site_config/urls.py, at these paths, which the widget writes into the page
# verbatim. The preview is the site's renderer (through blog.editor.preview_html); uploads
# are checked by their real bytes (blog.uploads.ImageForm), JPEG, PNG and WebP only, stored
# under MEDIA_PATH and served from MEDIA_URL by site_config.media.
MARKDOWNX_URLS_PATH = f"/{ADMIN_PATH}markdownx/markdownify/"
MARKDOWNX_UPLOAD_URLS_PATH = f"/{ADMIN_PATH}markdownx/upload/"
MARKDOWNX_MARKDOWNIFY_FUNCTION = "blog.editor.preview_html"
MARKDOWNX_EDITOR_RESIZABLE = False  # the editor keeps its height; the panes scroll together
MARKDOWNX_MEDIA_PATH = "images/"
MARKDOWNX_UPLOAD_MAX_SIZE = int(os.environ.get("DJANGO_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))
# Scaled down to this width (a height of 0: any), never up; JPEG and WebP at this quality.
MARKDOWNX_IMAGE_MAX_SIZE: dict[str, Any] = {
    "size": (int(os.environ.get("DJANGO_IMAGE_MAX_WIDTH", 1600)), 0),
    "quality": 85,
}
# Memory the pixels of one upload may take while it is cleaned, checked before decoding
# (blog/images.py): with it, a worker serving an upload stays under about 100 MB
# (bench/uploads.py). About 4 megapixels for an RGB PNG; JPEGs are decoded reduced.
BLOG_IMAGE_MAX_MEMORY = 32 * 1024 * 1024

# Email (Django's MAILERS): SMTP from the environment whenever DJANGO_EMAIL_HOST is set, in
# every mode. Without it, development prints emails to the console of the process that
# sends them, and production hands them to the machine's own mail server (localhost:25).
# A provider's HTTP API instead: django-anymail's backend here (README, Production).
_email_host = os.environ.get("DJANGO_EMAIL_HOST", "")
if _email_host or not DEBUG:
    _port = int(os.environ.get("DJANGO_EMAIL_PORT") or (587 if _email_host else 25))
    _mailer = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _email_host or "localhost",
            "port": _port,
            "username": os.environ.get("DJANGO_EMAIL_HOST_USER", ""),
            "password": os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("DJANGO_EMAIL_USE_TLS", _port == 587),
            "timeout": 30,  # seconds per SMTP operation: a stuck server holds no one long
        },
    }
else:
    _mailer = {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
MAILERS = {"default": _mailer}
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "webmaster@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Work outside the request (the newsletter's emails): Django's tasks framework, queued in
# the database; `manage.py db_worker` runs them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The newsletter (blog/newsletter). Links in emails need the site's address: no request
# is at hand in the worker.
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/") or (
    f"https://{ALLOWED_HOSTS[0].lstrip('.')}"
    if ALLOWED_HOSTS and not DEBUG
    else "http://127.0.0.1:8000"
)
# Messages per second each sending worker keeps under (0: no limit); your provider's limit.
NEWSLETTER_SEND_RATE = float(os.environ.get("DJANGO_NEWSLETTER_SEND_RATE", "10"))
# A delivery claimed by a worker that died is sent again after this many seconds.
NEWSLETTER_CLAIM_SECONDS = int(os.environ.get("DJANGO_NEWSLETTER_CLAIM_SECONDS", "600"))

# Essays in markdown files with front matter load with `loaddata essay.md`.
SERIALIZATION_MODULES = {"md": "blog.serializers"}
# The largest essay file import_essays and loaddata read (essays are a few KB to a few
# hundred); a bigger file is refused, whatever it is, before it fills the memory.
BLOG_IMPORT_MAX_BYTES = int(os.environ.get("DJANGO_IMPORT_MAX_BYTES", 4 * 1024 * 1024))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
