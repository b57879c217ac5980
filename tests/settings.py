"""Test settings: the embedded default, SQLite + locmem cache + the local provider."""

from __future__ import annotations

import django

SECRET_KEY = "tests-only-not-secret"
DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"
USE_I18N = True
LANGUAGE_CODE = "en"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "rest_framework",
    "rest_framework.authtoken",
    "django_tyntec2fa",
]

# The JSON API (tests/api): only authentication classes that enforce the second factor
# (S6; checks E015/W022, tests/api/test_authentication_classes.py).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "django_tyntec2fa.api.authentication.SecondFactorTokenAuthentication",
    ],
}

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_tyntec2fa.gate.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

# The production baseline for the session cookie (S8; check W012). The test client
# sends Secure cookies over plain http too.
SESSION_COOKIE_SECURE = True

ROOT_URLCONF = "tests.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast tests only

TYNTEC2FA_PROVIDER = "django_tyntec2fa.providers.local.LocalProvider"
TYNTEC2FA_LOCAL_SINK = "django_tyntec2fa.providers.sinks.OutboxSink"
# Tests run with DEBUG=False, so the local provider needs the explicit opt-in (R5).
TYNTEC2FA_ALLOW_LOCAL_PROVIDER = True
# The circuit breaker keeps its state in the cache across calls: off here, so a test
# that provokes provider failures does not open it for the next one. Its own tests
# (tests/faults/test_breaker.py) and the black-box site switch it on.
TYNTEC2FA_BREAKER_FAILURES = 0

# Django 6.1 configures email as MAILERS and deprecates EMAIL_BACKEND (a project without
# MAILERS gets RemovedInDjango2028Warning at each send, an error in the newest cell).
# The test runner points every alias at the locmem backend (django.core.mail.outbox).
if django.VERSION >= (6, 1):
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
