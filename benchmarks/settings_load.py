"""Settings of ``bench_load``: the example project as configured by its environment
(PostgreSQL via ``DATABASE_URL``, Redis via ``REDIS_URL``, the tyntec provider pointed
at the fake), with the abuse limits raised so a load test is not refused as abuse.

Every limit is still checked on every request (its cost is measured); it just never
trips. ``example_project`` must be on ``sys.path``.
"""

from __future__ import annotations

from example.settings import *  # noqa: F403
from example.settings import DATABASES

# Persistent database connections, as a production deployment runs.
DATABASES["default"]["CONN_MAX_AGE"] = 60
# The password hash would dominate the login POST (PBKDF2: ~0.3 s of CPU each).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

_HIGH = "1000000/m"
TYNTEC2FA_SEND_RATE_USER = _HIGH
TYNTEC2FA_SEND_RATE_NUMBER = _HIGH
TYNTEC2FA_SEND_RATE_NUMBER_VOICE = _HIGH
TYNTEC2FA_SEND_RATE_IP = _HIGH
TYNTEC2FA_SEND_RATE_SESSION = _HIGH
TYNTEC2FA_SEND_RATE_PREFIX = _HIGH
TYNTEC2FA_VERIFY_RATE_USER = _HIGH
TYNTEC2FA_VERIFY_RATE_IP = _HIGH
TYNTEC2FA_RESEND_COOLDOWN = 0
TYNTEC2FA_MAX_RESENDS = 1_000_000
# The send phase resends without verifying; the conversion defence must not block it.
TYNTEC2FA_CONVERSION_MIN_SENDS = 1_000_000_000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": "WARNING"},
}
