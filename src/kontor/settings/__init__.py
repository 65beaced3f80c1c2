"""Kontor settings: defaults here, everything deployment-specific from the environment.

See docs/configuration.md for every variable.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parents[3]
VAR_DIR = Path(os.environ.get("KONTOR_VAR_DIR", BASE_DIR / "var"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _env_hour(name: str) -> int:
    raw = os.environ.get(name, "").strip() or "0"
    if not raw.isdigit() or not 0 <= int(raw) <= 23:
        raise ImproperlyConfigured(f"{name} must be an hour from 0 to 23, not {raw!r}.")
    return int(raw)


def _env_date(name: str) -> date | None:
    raw = os.environ.get(name, "").strip()
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a date as YYYY-MM-DD, not {raw!r}.") from exc


DEBUG = _env_bool("KONTOR_DEBUG", False)
SECRET_KEY = os.environ.get("KONTOR_SECRET_KEY", "")
if not SECRET_KEY:
    secret_file = VAR_DIR / "secret_key"
    if secret_file.exists():
        SECRET_KEY = secret_file.read_text().strip()
    else:
        raise ImproperlyConfigured(
            "KONTOR_SECRET_KEY is not set and var/secret_key does not exist; "
            "run `make demo` or set KONTOR_SECRET_KEY (see docs/configuration.md)."
        )

ALLOWED_HOSTS = _env_list("KONTOR_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = _env_list("KONTOR_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "kontor.backoffice.admin_config.KontorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "kontor.core",
    "kontor.customers",
    "kontor.catalog",
    "kontor.contracts",
    "kontor.billing",
    "kontor.invoicing",
    "kontor.documents",
    "kontor.delivery",
    "kontor.backoffice",
    "kontor.api",
    "kontor.cli",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "kontor.urls"
WSGI_APPLICATION = "kontor.wsgi.application"

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

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'kontor.sqlite3'}",
        conn_max_age=int(os.environ.get("KONTOR_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web server and a billing run share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch"), ("en", "English"), ("sv", "Svenska")]
LOCALE_PATHS = [Path(__file__).resolve().parents[1] / "locale"]
TIME_ZONE = os.environ.get("KONTOR_TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# WhiteNoise serves the static files (admin CSS/JS) from the app directories, also without
# `collectstatic`, so `make demo` and small installs need no separate web server for them.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # collectstatic target; WhiteNoise warns if absent
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(os.environ.get("KONTOR_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"

LOGIN_URL = "admin:login"

# Uploaded evidence documents and legal texts: keep the size sane.
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
KONTOR_MAX_UPLOAD_BYTES = int(os.environ.get("KONTOR_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))

# A directory with the provider's own Typst templates (invoice.typ, logo); empty: built-in.
KONTOR_DOCUMENT_TEMPLATES = os.environ.get("KONTOR_DOCUMENT_TEMPLATES", "")

# Background work: without a broker, Celery runs tasks in-process (eager).
KONTOR_BROKER_URL = os.environ.get("KONTOR_BROKER_URL", "")
CELERY_BROKER_URL = KONTOR_BROKER_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not KONTOR_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Periodic jobs for `celery -A kontor.celery beat` (without a broker: cron, docs/operations.md).
# Each job is safe to run twice and picks up whatever an earlier tick or a lost task left.
CELERY_BEAT_SCHEDULE = {
    "render-documents": {
        "task": "kontor.documents.tasks.process_document_outbox",
        "schedule": 60.0,
    },
    "send-due-deliveries": {
        "task": "kontor.delivery.tasks.send_due_deliveries",
        "schedule": 60.0,
    },
}
CELERY_RESULT_BACKEND = os.environ.get("KONTOR_RESULT_BACKEND", "") or None
# The queue tasks are sent to and workers read (`celery worker -Q <name>`).
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("KONTOR_CELERY_QUEUE", "") or "celery"
# Accounts per billing-run chunk (one transaction, one task with a broker).
KONTOR_BILLING_CHUNK_SIZE = int(os.environ.get("KONTOR_BILLING_CHUNK_SIZE", "") or "1000")

# Invoice delivery (docs/delivery.md). Without KONTOR_SMTP_URL mails go to the console.
KONTOR_SMTP_URL = os.environ.get("KONTOR_SMTP_URL", "")
if KONTOR_SMTP_URL:
    _smtp = urlsplit(KONTOR_SMTP_URL)
    _smtp_query = {k: v[-1] for k, v in parse_qs(_smtp.query).items()}
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _smtp.hostname or "127.0.0.1"
    EMAIL_PORT = _smtp.port or (465 if _smtp.scheme == "smtps" else 25)
    EMAIL_HOST_USER = unquote(_smtp.username or "")
    EMAIL_HOST_PASSWORD = unquote(_smtp.password or "")
    _yes = {"1", "true", "yes", "on"}
    EMAIL_USE_SSL = _smtp.scheme == "smtps" or _smtp_query.get("ssl", "").lower() in _yes
    EMAIL_USE_TLS = not EMAIL_USE_SSL and _smtp_query.get("tls", "").lower() in _yes
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_TIMEOUT = int(os.environ.get("KONTOR_SMTP_TIMEOUT", "") or "30")
KONTOR_MAIL_FROM = os.environ.get("KONTOR_MAIL_FROM", "") or "kontor@localhost"
DEFAULT_FROM_EMAIL = KONTOR_MAIL_FROM
KONTOR_MAIL_REPLY_TO = os.environ.get("KONTOR_MAIL_REPLY_TO", "")
KONTOR_MAIL_BCC_ARCHIVE = os.environ.get("KONTOR_MAIL_BCC_ARCHIVE", "")
KONTOR_LINK_MAX_AGE_DAYS = int(os.environ.get("KONTOR_LINK_MAX_AGE_DAYS", "") or "30")
KONTOR_PUBLIC_URL = os.environ.get("KONTOR_PUBLIC_URL", "") or "http://127.0.0.1:8000"
KONTOR_DELIVERY_MAX_ATTEMPTS = int(os.environ.get("KONTOR_DELIVERY_MAX_ATTEMPTS", "") or "8")
# E-mails due on their send date go out from this hour (provider time zone); 0: from midnight.
KONTOR_SEND_HOUR = _env_hour("KONTOR_SEND_HOUR")
# Invoices finalized and due before this day are not sent automatically; empty: the day
# delivery first ran on this database (docs/delivery.md, "First start").
KONTOR_DELIVERY_SINCE = _env_date("KONTOR_DELIVERY_SINCE")
KONTOR_POSTAL_SURCHARGE = os.environ.get("KONTOR_POSTAL_SURCHARGE", "")
KONTOR_POSTAL_SURCHARGE_TAX_CATEGORY = (
    os.environ.get("KONTOR_POSTAL_SURCHARGE_TAX_CATEGORY", "") or "S"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KONTOR_LOG_LEVEL", "WARNING")},
}

if not DEBUG:
    SESSION_COOKIE_HTTPONLY = True
    X_FRAME_OPTIONS = "DENY"
