"""Django settings of the service; every deployment choice comes from the environment.

HYPOSTI_DATA: data folder (SQLite file, generated secret key). DATABASE_URL: PostgreSQL instead of
SQLite. HYPOSTI_SECRET_KEY: the key, else one generated into the data folder (never in the repo).
HYPOSTI_ALLOWED_HOSTS: comma-separated host names (default local only).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from hyposti.service.database import data_dir, database_settings

DATA_DIR = data_dir()


def _secret_key(folder: Path) -> str:
    if os.environ.get("HYPOSTI_SECRET_KEY"):
        return os.environ["HYPOSTI_SECRET_KEY"]
    key_file = folder / "secret_key"
    if not key_file.exists():
        folder.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key(DATA_DIR)
DEBUG = os.environ.get("HYPOSTI_DEBUG") == "1"
ALLOWED_HOSTS = os.environ.get("HYPOSTI_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "simple_history",
    "ninja",
    "hyposti.service",
    "hyposti.web",
]
# A change's reason is free text (up to 2,000 characters through the API) and goes into every
# history row; django-simple-history's default column holds 100 characters, which PostgreSQL
# enforces (SQLite does not), so a longer reason failed the save there.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "hyposti.service.urls"
WSGI_APPLICATION = "hyposti.service.wsgi.application"
TEMPLATES: list[dict[str, object]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
LOGIN_URL = "/login/"

DATABASES = {"default": database_settings(os.environ.get("DATABASE_URL"), DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
#: API tokens expire after this many hours (21 CFR 11.300: periodic re-authentication).
API_TOKEN_HOURS = int(os.environ.get("HYPOSTI_TOKEN_HOURS", "12"))
#: Failed logins allowed per user name per quarter hour before further attempts are refused.
LOGIN_FAILURES_ALLOWED = 5

USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-gb"
USE_I18N = False
NINJA_PAGINATION_PER_PAGE = 100
