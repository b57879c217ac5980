"""The example project's settings as the black-box tests serve it (DEBUG off,
PostgreSQL, Redis, the fake tyntec: all from the environment, see ``harness.site_env``),
plus what these tests need to measure exactly:

* no account backoff and loose verify rate limits, so each of K parallel wrong codes
  reaches the row lock and is counted (the L4 counting rule, as ``tests/flows/test_races.py``);
* explicit send limits, the numbers the tests assert on (P3, P6, U2);
* a per-run cache key prefix, so the tests delete only their own rate-limit counters;
* plain-http cookies (the test client talks http to 127.0.0.1) and a fast password
  hasher (dozens of logins per test, not the point here).
"""

from __future__ import annotations

import os

from example.settings import *  # noqa: F403
from example.settings import CACHES

CACHES["default"]["KEY_PREFIX"] = os.environ["BLACKBOX_CACHE_PREFIX"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The insecure cookie, on purpose (plain http); whatever the example silences stays.
SILENCED_SYSTEM_CHECKS = [*globals().get("SILENCED_SYSTEM_CHECKS", []), "django_tyntec2fa.W012"]

# tyntec's default application allows 3 attempts too; the app's limit must not exceed it.
TYNTEC2FA_MAX_ATTEMPTS = 3
TYNTEC2FA_LOCKOUT_THRESHOLD = 100
TYNTEC2FA_BACKOFF_AFTER = 100
TYNTEC2FA_VERIFY_RATE_USER = "1000/m"
TYNTEC2FA_VERIFY_RATE_IP = "1000/m"
TYNTEC2FA_SEND_RATE_USER = "5/10m"
TYNTEC2FA_SEND_RATE_NUMBER = "5/10m"
# The outage test (test_outage.py) signs in 17 users from 127.0.0.1 on a site of its own.
TYNTEC2FA_SEND_RATE_IP = os.environ.get("BLACKBOX_SEND_RATE_IP", "8/h")
# Not what these tests measure: high enough never to be the limit that trips.
TYNTEC2FA_SEND_RATE_PREFIX = "1000/h"
TYNTEC2FA_SEND_RATE_SESSION = "1000/h"
# test_enroll_probes.py's site: clients at several addresses behind one proxy, which
# the test plays with X-Forwarded-For (every request still comes from 127.0.0.1).
TYNTEC2FA_TRUSTED_PROXY_COUNT = int(os.environ.get("BLACKBOX_TRUSTED_PROXY_COUNT", "0"))
TYNTEC2FA_LOGIN_RATE_IP = "1000/m"
TYNTEC2FA_LOGIN_RATE_USER = "1000/m"

# With DEBUG off Django logs an unexpected error only to the admins' mail: put its
# traceback in gunicorn's log instead, so a 500 of a black-box test can be explained.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["stderr"], "level": "ERROR"}},
}
