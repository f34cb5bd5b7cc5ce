"""Newzone settings: every deployment value comes from the environment (see .env.example).

A bad value stops start-up with a message that names the variable, instead of a half-working site.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 0 or 1, got {value!r}.")


def env_int(name, default, minimum=0):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {number}.")
    return number


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0 (see .env.example).")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "projects.views.errors.csrf_failure"

INSTALLED_APPS = [
    # The admin, open only to administrators (projects/admin_site.py).
    "projects.admin_config.NewzoneAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "newzone.staticfiles.NewzoneStaticFilesConfig",
    "django.contrib.humanize",
    "django.forms",  # the widget templates, for FORM_RENDERER below
    "django_filters",
    "simple_history",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "projects",
]

MIDDLEWARE = [
    "newzone.limits.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "newzone.sessions.SlidingSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newzone.urls"
WSGI_APPLICATION = "newzone.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "projects.context_processors.navigation",
            ],
            # {% translate "literal" %} without a lazy string (newzone/i18n_tags.py).
            "libraries": {"i18n": "newzone.i18n_tags"},
        },
    },
]

# Widgets render through the project's templates (so templates/ can override one), <select> in Python.
FORM_RENDERER = "projects.forms.renderer.FormRenderer"

# SQLite in a git-ignored file by default; DATABASE_URL=postgres://… switches to PostgreSQL.
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
try:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL cannot be read: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer instead of failing at once with "database is locked".
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
else:
    # No JIT compilation: the dashboard's aggregates with correlated subqueries pass PostgreSQL's
    # jit_above_cost and then spend 30–40 ms compiling for a 30 ms query (measured by `make bench`).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = "-c jit=off"
    # Parameters bound by the server, and a query run twice on a connection prepared there: planning
    # was most of the database's time for the pages' small queries (issue 18). A persistent
    # connection keeps its prepared queries until it closes (restart the server after migrating).
    if env_bool("DB_PREPARED", True):
        options["server_side_binding"] = True
        options["prepare_threshold"] = 2
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Administrators (the role) hold every model permission in the admin.
    "projects.admin_site.AdministratorRoleBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Brute-force protection: lock one username from one address, so one person's typos
# never lock out a whole office behind one NAT address.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# The login audit (/audit/logins/): successes in AccessLog, each failure (and lockout) in AccessFailureLog.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Behind the proxy every request comes from the proxy's address: the lock-out reads the client's
# from X-Forwarded-For, the PROXY_COUNT-th hop from the right (newzone/client_ip.py).
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
PROXY_COUNT = env_int("PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "newzone.client_ip.client_ip"

# Sessions expire after inactivity (seconds; default 8 hours), slid by newzone.sessions.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 8 * 3600, minimum=60)
SESSION_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Digit grouping in Chinese and one date format in both languages (newzone/formats/).
FORMAT_MODULE_PATH = ["newzone.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap's stylesheet, installed from the npm registry by `make install`.
    ("vendor/bootstrap/css", BASE_DIR / "node_modules" / "bootstrap" / "dist" / "css"),
    # The pages' scripts with the parts of ECharts and Bootstrap they use, and the map's with Leaflet,
    # its marker clusters, the reader of offline PMTiles archives and their stylesheets, bundled from
    # frontend/ by esbuild (`make install`; git-ignored).
    ("bundles", BASE_DIR / "frontend-build"),
]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "media")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploads on S3-compatible object storage when several app servers share them.
if os.environ.get("S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"],
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "default_acl": None,
            "querystring_auth": True,
        },
    }

# Uploads: photos from phones, ledgers from Excel.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 15, minimum=1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES * 2
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The map's offline tile archive (PMTiles or MBTiles), uploaded by an administrator; the request
# limit below lets it through.
MAP_TILES_MAX_BYTES = env_int("MAP_TILES_MAX_MB", 150, minimum=1) * 1024 * 1024
# A whole request (ten photos at most, plus the form) — refused with 413 before it is read
# (newzone/limits.py). The proxy's client_max_body_size should be a little above.
REQUEST_MAX_BYTES = max(UPLOAD_MAX_BYTES * 11, MAP_TILES_MAX_BYTES + 1024 * 1024)

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "newzone@localhost")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Where notifications go besides the in-app message centre: dotted paths of sender classes
# (projects/notifications.py). An SMS or WeCom sender is one more entry.
NOTIFICATION_SENDERS = env_list("NOTIFICATION_SENDERS", "projects.notifications.EmailSender")
# The zone's WeCom and DingTalk group robots (a park's or department's own robot is set in the
# admin under "Group robots"); the DingTalk secret signs each post (加签). SMS goes through the
# provider adapter SMS_PROVIDER names, configured by its own variables (projects/sms.py).
WECOM_WEBHOOK_URL = os.environ.get("WECOM_WEBHOOK_URL", "")
DINGTALK_WEBHOOK_URL = os.environ.get("DINGTALK_WEBHOOK_URL", "")
DINGTALK_SECRET = os.environ.get("DINGTALK_SECRET", "")
SMS_PROVIDER = os.environ.get("SMS_PROVIDER", "")
ALIYUN_SMS_ENDPOINT = os.environ.get("ALIYUN_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/")
ALIYUN_SMS_ACCESS_KEY_ID = os.environ.get("ALIYUN_SMS_ACCESS_KEY_ID", "")
ALIYUN_SMS_ACCESS_KEY_SECRET = os.environ.get("ALIYUN_SMS_ACCESS_KEY_SECRET", "")
ALIYUN_SMS_SIGN_NAME = os.environ.get("ALIYUN_SMS_SIGN_NAME", "")
ALIYUN_SMS_TEMPLATE_CODE = os.environ.get("ALIYUN_SMS_TEMPLATE_CODE", "")

# Background jobs (projects/jobs.py): a task queue in the app's own database, run by
# `manage.py run_jobs`. A running job without a sign of life for this long lost its worker
# and is queued again.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
JOB_STALE_MINUTES = env_int("JOB_STALE_MINUTES", 10, minimum=1)

# Security headers. HTTPS settings default on in production and off for `make run`.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
SILENCED_SYSTEM_CHECKS = [
    # "i18n" names both Django's library and newzone/i18n_tags.py, which replaces it on purpose (see
    # TEMPLATES); tests/test_i18n_tags.py fails on any other library name used twice.
    "templates.W003",
]
if not SECURE_HSTS_PRELOAD:
    # Preloading is a browser-vendor list a zone's intranet host cannot join.
    SILENCED_SYSTEM_CHECKS.append("security.W021")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
