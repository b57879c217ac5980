"""Settings of ``bench_cleanup``: the app alone on PostgreSQL (database ``BENCH_PG_DB``)."""

from __future__ import annotations

import os

SECRET_KEY = "benchmarks-only-not-secret"  # noqa: S105
USE_TZ = True
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "django_tyntec2fa"]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": os.environ.get("PGHOST", "127.0.0.1"),
        "PORT": os.environ.get("PGPORT", "5432"),
        "USER": os.environ.get("PGUSER", "postgres"),
        "NAME": os.environ.get("BENCH_PG_DB", "postgres"),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
TYNTEC2FA_PROVIDER = "django_tyntec2fa.providers.local.LocalProvider"
