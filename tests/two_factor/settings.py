"""Settings of the django-two-factor-auth site the ``contrib.two_factor`` tests serve.

django_tyntec2fa is not in INSTALLED_APPS: django-two-factor-auth is this site's second
factor, and the gateway needs none of the app's models, views or middleware. The
database file, tyntec's URL and key come from the environment (``site.py``).
"""

from __future__ import annotations

import os

SECRET_KEY = "django-two-factor-auth-site-for-tests-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "tests.two_factor.urls"
USE_TZ = True
USE_I18N = True
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("fr", "Français")]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django_otp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_totp",
    "two_factor",
    "two_factor.plugins.phonenumber",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ]
        },
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("TWO_FACTOR_SITE_DB", ":memory:"),
    }
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # tests only: fast

LOGIN_URL = "two_factor:login"
LOGIN_REDIRECT_URL = "/secret/"
# The tests enter a wrong code and then the right one at once: no throttle wait between.
TWO_FACTOR_PHONE_THROTTLE_FACTOR = 0

# What docs/two_factor.md tells a site to set.
TWO_FACTOR_SMS_GATEWAY = "django_tyntec2fa.contrib.two_factor.TyntecGateway"
TWO_FACTOR_CALL_GATEWAY = "django_tyntec2fa.contrib.two_factor.TyntecGateway"
TYNTEC2FA_API_URL = os.environ.get("TYNTEC2FA_API_URL", "http://127.0.0.1:9")
# TYNTEC2FA_API_KEY comes from the environment, as docs/two_factor.md advises.
# Generous: the outage tests use error answers, not timeouts, and a loaded machine is slow.
TYNTEC2FA_TIMEOUT = (5.0, 10.0)
TYNTEC2FA_BREAKER_FAILURES = 2

# Every record of every logger at DEBUG (urllib3's request lines included) goes to the
# server's output, which the tests search for the code and the full number (G4).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler", "level": "DEBUG"}},
    "root": {"handlers": ["console"], "level": "DEBUG"},
}
