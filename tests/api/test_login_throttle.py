"""``POST /api/login/`` is throttled per client IP and per username before the password
is tried (issue 23.4): 429 with ``Retry-After`` and the error shape with
``retry_after``, the same answer for a right and a wrong password (U1); on PostgreSQL
and Redis, parallel password steps are counted exactly."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import time_machine
from django.contrib.auth.signals import user_login_failed
from django.db import connection
from django.test import Client, override_settings

from django_tyntec2fa.models import AuditEvent, Challenge

from .helpers import PASSWORD, assert_error, post

LIMIT = 3
THREADS = 12
JOIN_TIMEOUT = 60.0
UNREACHABLE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: the connection is refused
    }
}


def attempt(client: Client, username: str, password: str = "wrong password", **extra: Any) -> Any:
    return post(client, "login", {"username": username, "password": password, **extra})


@pytest.fixture
def failures() -> Any:
    """How many passwords were tried (``user_login_failed``)."""
    tried: list[str] = []

    def receiver(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
        tried.append(credentials.get("username", ""))

    user_login_failed.connect(receiver, dispatch_uid="test_api_login_throttle")
    yield tried
    user_login_failed.disconnect(dispatch_uid="test_api_login_throttle")


@pytest.mark.parametrize("token", [False, True])
def test_a_refused_password_step_does_not_tell_whether_the_password_is_right_u1(
    client: Client, alice: Any, settings: Any, failures: list[str], token: bool
) -> None:
    settings.TYNTEC2FA_LOGIN_RATE_USER = f"{LIMIT}/10m"
    name = alice.get_username()
    # The clock stands still: the two refusals' waits would differ by the second that
    # may tick between them.
    with time_machine.travel(time.time(), tick=False):
        for variant in (name, name.upper(), f"  {name}\t")[:LIMIT]:
            assert_error(attempt(client, variant, token=token), 400, "invalid_credentials")
        wrong = attempt(client, name, token=token)
        right = attempt(client, name, PASSWORD, token=token)
    for refused in (wrong, right):
        body = assert_error(refused, 429, "rate_limited")
        assert 0 < int(refused["Retry-After"]) <= 600
        assert body["retry_after"] == int(refused["Retry-After"])
        assert "Too many sign-in attempts" in body["detail"]
    assert wrong.json() == right.json()
    assert len(failures) == LIMIT
    assert not Challenge.objects.exists()
    assert (
        AuditEvent.objects.filter(
            kind=AuditEvent.Kind.RATE_LIMITED, detail="login: rate limit tyntec2fa.login.user"
        ).count()
        == 2
    )


def test_the_ip_limit_counts_across_usernames(client: Client, alice: Any, settings: Any) -> None:
    settings.TYNTEC2FA_LOGIN_RATE_IP = f"{LIMIT}/m"
    for number in range(LIMIT):
        assert_error(attempt(client, f"user{number}"), 400, "invalid_credentials")
    assert_error(attempt(client, alice.get_username(), PASSWORD), 429, "rate_limited")


def test_an_unreachable_rate_limit_cache_refuses_before_the_password_p7(
    client: Client, alice: Any, failures: list[str]
) -> None:
    # Only for these two requests: the fixtures' teardown clears the working cache.
    with override_settings(CACHES=UNREACHABLE):
        wrong = attempt(client, alice.get_username())
        right = attempt(client, alice.get_username(), PASSWORD)
    for refused in (wrong, right):
        body = assert_error(refused, 503, "provider_unavailable")
        assert refused["Retry-After"] == "60" and body["retry_after"] == 60
    assert wrong.json() == right.json()
    assert failures == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_password_steps_are_counted_exactly_on_redis(
    alice: Any, settings: Any, failures: list[str]
) -> None:
    """Redis counts atomically across threads (processes alike): of 12 parallel wrong
    passwords for one username exactly 3 are tried, 9 are refused (P7)."""
    assert connection.vendor == "postgresql", "run with --ds=tests.settings_postgres"
    assert "Redis" in settings.CACHES["default"]["BACKEND"]
    settings.TYNTEC2FA_LOGIN_RATE_USER = f"{LIMIT}/10m"
    settings.TYNTEC2FA_LOGIN_RATE_IP = "1000/m"
    barrier = threading.Barrier(THREADS, timeout=JOIN_TIMEOUT)
    statuses: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            barrier.wait()
            status = attempt(Client(), alice.get_username()).status_code
            with lock:
                statuses.append(status)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert sorted(statuses) == [400] * LIMIT + [429] * (THREADS - LIMIT)
    assert len(failures) == LIMIT
