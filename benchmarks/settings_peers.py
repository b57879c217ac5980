"""Django settings shared by ``bench_gate`` and ``bench_login``: our app and both peers
(django-otp, django-two-factor-auth) installed side by side in one project.

Each measured variant gets its own middleware stack (``STACKS``); everything else, the
database, the session engine, the user model and the page, is the same for all.
``BENCH_SQLITE`` names the SQLite file (the WSGI server of ``bench_gate`` shares it).
"""

from __future__ import annotations

import os
from pathlib import Path

SECRET_KEY = "benchmarks-only-not-secret"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
USE_TZ = True
TIME_ZONE = "UTC"
USE_I18N = True
LANGUAGE_CODE = "en"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django_tyntec2fa",
    "django_otp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_totp",
    "formtools",
    "phonenumber_field",
    "two_factor",
    "two_factor.plugins.phonenumber",
]

_BEFORE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
_AFTER = ["django.contrib.messages.middleware.MessageMiddleware"]
#: The variants: plain Django (the floor), ours, django-otp (also under two-factor-auth).
STACKS = {
    "floor": [*_BEFORE, *_AFTER],
    "ours": [*_BEFORE, "django_tyntec2fa.gate.middleware.SecondFactorMiddleware", *_AFTER],
    "otp": [*_BEFORE, "django_otp.middleware.OTPMiddleware", *_AFTER],
}
MIDDLEWARE = STACKS["ours"]

ROOT_URLCONF = "benchmarks.urls_peers"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).resolve().parent / "templates"],
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

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("BENCH_SQLITE", ":memory:"),
        # Persistent connections, as production sites run; the same for every variant.
        "CONN_MAX_AGE": 600,
    }
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The password hash would dominate a login (PBKDF2: ~0.3 s) and hide what the second
# factor costs; both logins use the same fast hasher.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"

# Ours: the local provider, codes to the in-memory outbox; rate limits far above what
# one benchmark user does (they are still counted, so their cost is measured).
TYNTEC2FA_PROVIDER = "django_tyntec2fa.providers.local.LocalProvider"
TYNTEC2FA_LOCAL_SINK = "django_tyntec2fa.providers.sinks.OutboxSink"
TYNTEC2FA_ALLOW_LOCAL_PROVIDER = True
TYNTEC2FA_SEND_RATE_USER = "1000000/m"
TYNTEC2FA_SEND_RATE_NUMBER = "1000000/m"
TYNTEC2FA_SEND_RATE_NUMBER_VOICE = "1000000/m"
TYNTEC2FA_SEND_RATE_IP = "1000000/m"
TYNTEC2FA_SEND_RATE_SESSION = "1000000/m"
TYNTEC2FA_SEND_RATE_PREFIX = "1000000/m"
TYNTEC2FA_VERIFY_RATE_USER = "1000000/m"
TYNTEC2FA_VERIFY_RATE_IP = "1000000/m"

# django-two-factor-auth: its fake gateway logs the token (bench_login reads the log).
TWO_FACTOR_SMS_GATEWAY = "two_factor.gateways.fake.Fake"
TWO_FACTOR_CALL_GATEWAY = "two_factor.gateways.fake.Fake"
