"""Settings for the 职教通讯 CMS, read from the environment.

Safe defaults: SQLite beside the code, DEBUG off, only loopback hosts. Production sets at least
``SECRET_KEY``, ``ALLOWED_HOSTS`` and ``DATABASE_URL``; without a real ``SECRET_KEY`` and with DEBUG
off the site refuses to start.
"""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured

from core.env import env_bool, env_int, env_list, env_networks, env_s3, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("ZHIJIAO_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

_DEV_SECRET = "django-insecure-development-only-key"
SECRET_KEY = env_str("SECRET_KEY") or (_DEV_SECRET if DEBUG else "")
# Production asks of the key exactly what `check --deploy` does (security.W009: Django's own
# constants), so a key the site starts with never draws that warning.
if not DEBUG and (
    len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH
    or len(set(SECRET_KEY)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
    or SECRET_KEY.startswith(SECRET_KEY_INSECURE_PREFIX)
):
    raise ImproperlyConfigured(
        "SECRET_KEY 未设置、过短或不够随机：生产环境（DEBUG=0）需要至少 "
        f"{SECRET_KEY_MIN_LENGTH} 个字符、其中至少 {SECRET_KEY_MIN_UNIQUE_CHARACTERS} "
        "个不同字符的随机密钥，且不以 "
        f"{SECRET_KEY_INSECURE_PREFIX} 开头 (set SECRET_KEY to a random string of "
        f"{SECRET_KEY_MIN_LENGTH}+ characters with {SECRET_KEY_MIN_UNIQUE_CHARACTERS}+ different "
        "ones, e.g. the output of python -c 'import secrets; print(secrets.token_urlsafe(50))', "
        "or DEBUG=1 for development)"
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "taggit",
    "simple_history",
    "django_prose_editor",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    # The layers, bottom first (docs/architecture.md): core, the three content apps, the features
    # that span them, the project.
    "core",
    "communities",
    "issues",
    "articles",
    "importer",
    "search",
    "printing",
    "sources",
    "readership",
    "zhijiao",
]

MIDDLEWARE = [
    # First: drops X-Forwarded-* unless the reverse proxy sent them, before anything reads them.
    "zhijiao.access.ProxyHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Counts what readers open once the response has gone out (readership/middleware.py): after
    # authentication (staff are not counted), before the access check (a refused visitor is not).
    "readership.middleware.ReadershipMiddleware",
    "zhijiao.access.AccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records who made each change in the revision history.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its 429 response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhijiao.urls"
WSGI_APPLICATION = "zhijiao.wsgi.application"

TEMPLATES = [
    # The public pages (jinja2/) first; the admin and the libraries' pages in Django's language.
    {
        "BACKEND": "zhijiao.templating.Jinja2",
        "DIRS": [BASE_DIR / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "zhijiao.templating.environment",
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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

# SQLite by default (embedded, nothing to install); PostgreSQL when DATABASE_URL says so.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of one failing with
    # "database is locked" half-way through an import; the timeout is how long they queue.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    # Tests use a file, not memory, so that a second connection (the backup's) reads it as in
    # production.
    # One per process, so that two test runs on one machine never share it.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"zhijiao-test-{os.getpid()}.sqlite3")
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))

# Hashed, compressed static files in production; plain files where no collectstatic ran (DEBUG,
# tests).
_STATIC_BACKEND = (
    "whitenoise.storage.CompressedManifestStaticFilesStorage"
    if env_bool("ZHIJIAO_MANIFEST_STATIC", not DEBUG)
    else "django.contrib.staticfiles.storage.StaticFilesStorage"
)
# The files the app writes (PDFs, attachments, import stashes; the media of a backup) go through
# default_storage: the local disk (MEDIA_ROOT) by default, or one S3-compatible bucket
# (ZHIJIAO_S3_BUCKET or ZHIJIAO_STORAGE_URL, see core/env.py and zhijiao/storage.py), which is
# what lets two app servers see each other's files. In the bucket the media live under media/ and
# the archives of `make backup` under backups/ (or in ZHIJIAO_S3_BACKUP_BUCKET): never one inside
# the other. Without a bucket the archives stay in VAR_DIR/backups (zhijiao/backup.py).
ZHIJIAO_S3 = env_s3()
STORAGES = {
    "default": (
        ZHIJIAO_S3.storage(location="media")
        if ZHIJIAO_S3
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {"BACKEND": _STATIC_BACKEND},
}
if ZHIJIAO_S3:
    STORAGES["backups"] = ZHIJIAO_S3.storage(location="backups", backups=True)
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [
    "map",
    "jpg",
    "jpeg",
    "png",
    "gif",
    "webp",
    "zip",
    "gz",
    "tgz",
    "bz2",
    "tbz",
    "xz",
    "br",
    "swf",
    "flv",
    "woff",
    "woff2",
]

# The largest issue file an editor may upload for import (bytes); the seeds are under 0.5 MB.
ZHIJIAO_IMPORT_MAX_BYTES = env_int("ZHIJIAO_IMPORT_MAX_BYTES", 10 * 1024 * 1024)
# Source documents for the 素材库 (newsletters arrive as PDFs with pictures, so larger).
ZHIJIAO_SOURCE_MAX_BYTES = env_int("ZHIJIAO_SOURCE_MAX_BYTES", 20 * 1024 * 1024)
# The largest image or document an editor may attach to an article (bytes).
ZHIJIAO_UPLOAD_MAX_BYTES = env_int("ZHIJIAO_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
# Where `make run` and the tests find the seed issues.
ZHIJIAO_SEEDS_DIR = Path(env_str("ZHIJIAO_SEEDS", str(BASE_DIR.parent / "shared" / "seeds")))

LOGIN_URL = "admin:login"

# The newsletter is 内部资料: with ZHIJIAO_REQUIRE_LOGIN=1 or a ZHIJIAO_ALLOWED_NETWORKS list (CIDR,
# e.g. "10.0.0.0/8,192.168.0.0/16": the campus network) every public page and the API need a login
# (zhijiao/access.py), except for visitors from the listed networks.
ZHIJIAO_REQUIRE_LOGIN = env_bool("ZHIJIAO_REQUIRE_LOGIN", False)
ZHIJIAO_ALLOWED_NETWORKS = env_networks("ZHIJIAO_ALLOWED_NETWORKS")

# Behind the reverse proxy (ZHIJIAO_BEHIND_PROXY=1) its X-Forwarded-For and X-Forwarded-Proto are
# believed, but only from the peers listed here (CIDR; the proxy on the same host by default):
# whoever else reaches gunicorn could write them too. zhijiao/access.py reads them.
ZHIJIAO_BEHIND_PROXY = env_bool("ZHIJIAO_BEHIND_PROXY", False)
ZHIJIAO_TRUSTED_PROXIES = env_networks("ZHIJIAO_TRUSTED_PROXIES", ["127.0.0.0/8", "::1"])
# Django believes this header from anyone; zhijiao.access.ProxyHeadersMiddleware removes it first
# unless a trusted proxy sent it (and the proxy must set it, not pass on the client's).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if ZHIJIAO_BEHIND_PROXY else None

# One unit of content work (core/changes.py). The models whose saves and deletes it records: what
# the public pages, the search index, the mentions and the PDFs are made of.
ZHIJIAO_CONTENT_MODELS = [
    "issues.Issue",
    "issues.Section",
    "articles.Article",
    "articles.Attachment",
    "communities.Registry",
    "communities.Organization",
    "communities.Community",
    "communities.LeadUnit",
    "taggit.Tag",
    "taggit.TaggedItem",
]
# What follows from a change, in this order, in its transaction: topic tags first (they change an
# article's tags, which the index holds), then the mentions, then the search index. The page token
# is replaced after these, as the unit's last write.
ZHIJIAO_CONTENT_STEPS = [
    "articles.topics.follow_change",
    "articles.mentions.follow_change",
    "search.indexing.follow_change",
    "articles.related.follow_change",
]
# What the search index holds, one source per kind of document, each in its own app (the search
# package imports none); in this order a rebuild writes them (search/documents.py).
ZHIJIAO_SEARCH_DOCUMENTS = [
    "articles.search_documents.ARTICLES",
    "communities.search_documents.COMMUNITIES",
    "communities.search_documents.ORGANIZATIONS",
]
# What is kept under a narrower token than the pages' (core/kept.py): part -> (its token's row in
# zhijiao_contentgeneration, created by core/migrations/0002; the models it is derived from). A
# unit that writes one of these models replaces the part's token, right before the page token.
ZHIJIAO_KEPT_PARTS = {
    # Each article's related list as a page reads it (articles/related.py), from what the lists
    # are made of: texts, tags, mentions and their names, and what is published. First: a unit
    # writing the lists locks this row before the others (core/kept.py, take_turn).
    "related": (
        3,
        [
            "articles.Article",
            "articles.Mention",
            "issues.Issue",
            "taggit.Tag",
            "taggit.TaggedItem",
            "communities.Community",
            "communities.Organization",
        ],
    ),
    # The registry's facets, figures and list rows (communities/summary.py).
    "registry": (
        2,
        [
            "communities.Registry",
            "communities.Organization",
            "communities.Community",
            "communities.LeadUnit",
        ],
    ),
}
# And once the change is committed: the PDFs of what was just published are built.
ZHIJIAO_AFTER_COMMIT_STEPS = [
    "printing.warm.follow_change",
]

# 阅读统计 (readership/): what readers open, download and search for, by the COUNTER rules,
# without cookies or addresses (the README's section 阅读统计 says what is stored). Each process
# writes its events in batches (FLUSH_EVENTS events or FLUSH_SECONDS seconds, whichever first;
# 0 seconds: at once); the app aggregates them into daily rows every ROLLUP_SECONDS (0: only
# `manage.py readership_rollup`, e.g. from cron); raw events are kept RAW_DAYS days, daily rows
# DAILY_DAYS days. SHOW_COUNT puts "阅读 N 次" on article pages.
ZHIJIAO_READERSHIP_COUNTING = env_bool("ZHIJIAO_READERSHIP_COUNTING", True)
ZHIJIAO_READERSHIP_FLUSH_SECONDS = env_int("ZHIJIAO_READERSHIP_FLUSH_SECONDS", 5)
ZHIJIAO_READERSHIP_FLUSH_EVENTS = env_int("ZHIJIAO_READERSHIP_FLUSH_EVENTS", 200)
ZHIJIAO_READERSHIP_ROLLUP_SECONDS = env_int("ZHIJIAO_READERSHIP_ROLLUP_SECONDS", 300)
ZHIJIAO_READERSHIP_RAW_DAYS = env_int("ZHIJIAO_READERSHIP_RAW_DAYS", 2)
ZHIJIAO_READERSHIP_DAILY_DAYS = env_int("ZHIJIAO_READERSHIP_DAILY_DAYS", 400)
ZHIJIAO_READERSHIP_SHOW_COUNT = env_bool("ZHIJIAO_READERSHIP_SHOW_COUNT", False)
# "Very few results" on the admin's list of searches.
ZHIJIAO_READERSHIP_FEW_RESULTS = env_int("ZHIJIAO_READERSHIP_FEW_RESULTS", 3)
# The reader's address (only ever hashed): the same one the access middleware checks.
ZHIJIAO_READERSHIP_CLIENT_ADDRESS = "zhijiao.access.client_address"

# Published pages are kept for readers who are not staff (core/pagecache.py) at most this many
# seconds; a change to content retires them at once whatever this says. 0 turns the cache off.
ZHIJIAO_PAGE_CACHE_SECONDS = env_int("ZHIJIAO_PAGE_CACHE_SECONDS", 600)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Each process keeps its own copies: the token that retires them is in the database, so a
    # change on one machine retires the pages on all, and a restart loses nothing but copies.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "zhijiao-pages",
        "OPTIONS": {"MAX_ENTRIES": env_int("ZHIJIAO_PAGE_CACHE_ENTRIES", 500)},
    },
    # Derived data kept per part token (core/kept.py), the same way: copies in each process,
    # the token in the database. Kept until its token is replaced (then never asked for again).
    "kept": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "zhijiao-kept",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 1000},
    },
}

# The JSON API: read-only, paginated, documented by its own OpenAPI schema at /api/schema/.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # Empty query parameters documented as "no filter", numbers as bounded integers.
    "DEFAULT_SCHEMA_CLASS": "core.api.ApiSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "职教通讯 API",
    "DESCRIPTION": "《职教通讯》期刊、文章、行业产教融合共同体与全文检索（只读）",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and Redoc from the sidecar package: no CDN on the intranet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# --- Security (check --deploy is clean with the production environment in the README) ---------
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    # HSTS only once the site is known to answer on HTTPS: ZHIJIAO_HSTS=1 turns on a year;
    # SECURE_HSTS_SECONDS sets another duration (0 turns it off).
    SECURE_HSTS_SECONDS = env_int(
        "SECURE_HSTS_SECONDS", 31536000 if env_bool("ZHIJIAO_HSTS", False) else 0
    )
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
    # The container's health check asks over plain HTTP on loopback.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
SILENCED_SYSTEM_CHECKS = [
    # security.W005 (HSTS without includeSubDomains): the CMS is one host of the school's domain;
    # includeSubDomains would force HTTPS on every other school host, which the CMS does not own.
    # A school that serves all its hosts over HTTPS sets SECURE_HSTS_INCLUDE_SUBDOMAINS=1.
    "security.W005",
    # security.W021 (no HSTS preload): the browsers' preload list is for public domains and needs
    # includeSubDomains; an intranet host is not submitted to it.
    "security.W021",
]

# Content-Security-Policy (django-csp): everything from this host only; no inline script except
# with the per-request nonce (templates write nonce="{{ request.csp_nonce }}"). Styles keep
# 'unsafe-inline': the admin and Swagger UI set style="…" attributes (and Swagger UI injects
# <style>), which no nonce can cover; a style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        # Swagger UI's and the admin's icons are data: SVGs in their stylesheets.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Where the admin lives (e.g. "redaktion/" to keep it off the obvious path); the access middleware
# leaves it open, as it has its own login. Never empty: the admin would take the whole site.
ZHIJIAO_ADMIN_PATH = env_str("ZHIJIAO_ADMIN_PATH", "admin/").strip("/") + "/"
if ZHIJIAO_ADMIN_PATH == "/":
    raise ImproperlyConfigured("ZHIJIAO_ADMIN_PATH must name a path such as admin/")

# Login attempts (django-axes): after AXES_FAILURE_LIMIT failures for one user name from one
# address, that pair gets 429 for AXES_COOLOFF_HOURS; a successful login resets the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(hours=env_int("AXES_COOLOFF_HOURS", 1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The same client address as the access middleware: behind a trusted proxy, the right-most
# X-Forwarded-For entry that is not one of ZHIJIAO_TRUSTED_PROXIES; otherwise REMOTE_ADDR.
AXES_CLIENT_IP_CALLABLE = "zhijiao.access.client_address"
