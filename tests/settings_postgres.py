"""The real services: PostgreSQL (row locks) and Redis, for race and rate-limit tests."""

from __future__ import annotations

import os

from .settings import *  # noqa: F403

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": os.environ.get("PGHOST", "127.0.0.1"),
        "PORT": os.environ.get("PGPORT", "5432"),
        "NAME": os.environ.get("PGDATABASE", "test"),
        "USER": os.environ.get("PGUSER", "postgres"),
        "PASSWORD": os.environ.get("PGPASSWORD", ""),
        # One test database per run, so two runs on one server (tox envs, a developer
        # and CI) cannot drop each other's database.
        "TEST": {"NAME": f"test_tyntec2fa_{os.getpid()}"},
    }
}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
    }
}
