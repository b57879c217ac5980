"""Settings of the demo site, read from environment variables.

With nothing set it runs on SQLite, a local-memory cache and the local provider, which
prints codes to the console and lists them on the DEBUG-only outbox page. The same
project runs on PostgreSQL (``DATABASE_URL``), Redis (``REDIS_URL``) and the fake or the
real tyntec (``TYNTEC2FA_PROVIDER=tyntec``, ``TYNTEC2FA_API_URL``, ``TYNTEC2FA_API_KEY``).
"""

from __future__ import annotations

import json
import os
from importlib.util import find_spec
from pathlib import Path

from django_tyntec2fa.conf import LOCAL_PROVIDER, TYNTEC_PROVIDER

from .env import cache_from_url, database_from_url, flag

BASE_DIR = Path(__file__).resolve().parent.parent

# A demo key for a demo site on 127.0.0.1; a real site reads its key from the environment.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "demo-only-insecure-key")
DEBUG = flag(os.environ.get("DJANGO_DEBUG"), True)
ALLOWED_HOSTS = ["127.0.0.1", "localhost", *os.environ.get("DJANGO_ALLOWED_HOSTS", "").split()]

INSTALLED_APPS = [
    # First, so its templates (django_tyntec2fa/base.html, registration/*) win.
    "example",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_tyntec2fa",
]
# The OpenAPI schema of the JSON API (/api/schema/, /api/docs/): the extra "schema".
API_SCHEMA = find_spec("drf_spectacular") is not None
if API_SCHEMA:
    INSTALLED_APPS.append("drf_spectacular")
# Its documentation page serves Redoc from drf-spectacular-sidecar (also in the extra
# "schema"), so it works without internet; without the sidecar there is no such page.
API_DOCS = API_SCHEMA and find_spec("drf_spectacular_sidecar") is not None
if API_DOCS:
    INSTALLED_APPS.append("drf_spectacular_sidecar")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # DEBUG only: the outbox plays the phone, readable while a login waits for its code.
    "example.middleware.OutboxMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Right after authentication: everything below sees the pending user as anonymous.
    "django_tyntec2fa.gate.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "example.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "example.context_processors.demo",
            ]
        },
    }
]
WSGI_APPLICATION = "example.wsgi.application"

DATABASES = {
    "default": database_from_url(os.environ.get("DATABASE_URL") or "sqlite:///db.sqlite3", BASE_DIR)
}
CACHES = {"default": cache_from_url(os.environ.get("REDIS_URL", ""))}
if not os.environ.get("REDIS_URL"):
    # `make demo` is one runserver process, so its in-process cache counts the rate
    # limits correctly; any deployment with several workers sets REDIS_URL (P7).
    SILENCED_SYSTEM_CHECKS = ["django_tyntec2fa.W013"]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("fr", "Français")]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
STATIC_URL = "static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# The provider: "local" (default), "tyntec", or an import path. The tyntec provider
# reads its key from the TYNTEC2FA_API_KEY environment variable itself, so the key
# never sits in this settings module.
_PROVIDERS = {"local": LOCAL_PROVIDER, "tyntec": TYNTEC_PROVIDER}
_provider = os.environ.get("TYNTEC2FA_PROVIDER") or "local"
TYNTEC2FA_PROVIDER = _PROVIDERS.get(_provider, _provider)
if os.environ.get("TYNTEC2FA_API_URL"):
    TYNTEC2FA_API_URL = os.environ["TYNTEC2FA_API_URL"]
# The local provider: nothing leaves this machine; codes go to the console and to the
# DEBUG-only outbox page (/outbox/).
TYNTEC2FA_LOCAL_SINK = "django_tyntec2fa.providers.sinks.ConsoleAndOutboxSink"
TYNTEC2FA_ALLOW_LOCAL_PROVIDER = flag(os.environ.get("TYNTEC2FA_ALLOW_LOCAL_PROVIDER"), False)
TYNTEC2FA_SERVICE_NAME = "Example"

# Mail (password resets, the security notices of docs/recovery.md) goes to the console,
# like the codes, unless the environment names another backend: with
# EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend and EMAIL_FILE_PATH=<dir>
# each message is a file there, which a script can read while the demo runs.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or "django.core.mail.backends.console.EmailBackend"
if os.environ.get("EMAIL_FILE_PATH"):
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL") or "security@example.invalid"

# "Don't ask for a code on this browser for 30 days" (S9; the app's default is 0, off).
# TYNTEC2FA_TRUST_BROWSER_DAYS=0 in the environment turns it off again.
TYNTEC2FA_TRUST_BROWSER_DAYS = int(os.environ.get("TYNTEC2FA_TRUST_BROWSER_DAYS") or 30)

# Knobs for the browser test and for experiments; unset, the app's defaults apply.
# The step-up age decides when the sensitive page asks for a fresh code (S10).
if os.environ.get("TYNTEC2FA_STEP_UP_MAX_AGE"):
    TYNTEC2FA_STEP_UP_MAX_AGE = int(os.environ["TYNTEC2FA_STEP_UP_MAX_AGE"])
if os.environ.get("TYNTEC2FA_RESEND_COOLDOWN"):
    TYNTEC2FA_RESEND_COOLDOWN = int(os.environ["TYNTEC2FA_RESEND_COOLDOWN"])
# The code's delivery status (docs/flows.md): what the local provider reports, e.g.
# TYNTEC2FA_LOCAL_DELIVERY='{"SMS": "failed"}' and TYNTEC2FA_LOCAL_DELIVERY_DELAY=4 to
# watch "Call me instead" come first; and the voice fallback.
if os.environ.get("TYNTEC2FA_LOCAL_DELIVERY"):
    _delivery = os.environ["TYNTEC2FA_LOCAL_DELIVERY"]
    TYNTEC2FA_LOCAL_DELIVERY = json.loads(_delivery) if _delivery.startswith("{") else _delivery
if os.environ.get("TYNTEC2FA_LOCAL_DELIVERY_DELAY"):
    TYNTEC2FA_LOCAL_DELIVERY_DELAY = float(os.environ["TYNTEC2FA_LOCAL_DELIVERY_DELAY"])
if os.environ.get("TYNTEC2FA_FALLBACK_AFTER"):
    TYNTEC2FA_FALLBACK_AFTER = int(os.environ["TYNTEC2FA_FALLBACK_AFTER"])
TYNTEC2FA_AUTO_VOICE_FALLBACK = flag(os.environ.get("TYNTEC2FA_AUTO_VOICE_FALLBACK"), False)

# The JSON API under /api/: only authentication classes that enforce the second factor
# (checks E015/W022). Apps get their token from /api/challenge/verify/ (docs/api.md).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "django_tyntec2fa.api.authentication.SecondFactorTokenAuthentication",
    ],
}
if API_SCHEMA:
    REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "drf_spectacular.openapi.AutoSchema"
    SPECTACULAR_SETTINGS = {
        "TITLE": "django-tyntec2fa example API",
        "DESCRIPTION": "The second factor for single-page and mobile clients (docs/api.md).",
        "VERSION": "1",
        "SERVE_INCLUDE_SCHEMA": False,
        # Redoc from this site's static files (drf-spectacular-sidecar), not a CDN.
        "REDOC_DIST": "SIDECAR",
    }

# Limits for black-box tests that hammer the API (tests/test_schemathesis.py), read from
# the environment like the knobs above; unset, the app's defaults apply.
for _name in (
    "SEND_RATE_USER",
    "SEND_RATE_NUMBER",
    "SEND_RATE_NUMBER_VOICE",
    "SEND_RATE_IP",
    "SEND_RATE_SESSION",
    "SEND_RATE_PREFIX",
    "VERIFY_RATE_USER",
    "VERIFY_RATE_IP",
    "LOGIN_RATE_IP",
    "LOGIN_RATE_USER",
):
    if os.environ.get(f"TYNTEC2FA_{_name}"):
        globals()[f"TYNTEC2FA_{_name}"] = os.environ[f"TYNTEC2FA_{_name}"]
for _name in (
    "LOCKOUT_THRESHOLD",
    "BACKOFF_AFTER",
    "BACKOFF_BASE",
    "MAX_RESENDS",
    "CONVERSION_MIN_SENDS",
):
    if os.environ.get(f"TYNTEC2FA_{_name}"):
        globals()[f"TYNTEC2FA_{_name}"] = int(os.environ[f"TYNTEC2FA_{_name}"])
