"""The password step of the app's ``LoginView`` is throttled per client IP and per
username (``TYNTEC2FA_LOGIN_RATE_IP``, ``TYNTEC2FA_LOGIN_RATE_USER``, issue 23.4): a
refused step answers 429 with ``Retry-After`` and the same page whether the password
was right or wrong, since the limit is decided before the password is tried (U1)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.signals import user_login_failed
from django.test import Client

from django_tyntec2fa.models import AuditEvent, Challenge
from django_tyntec2fa.providers import sinks

from .helpers import LOGIN_2FA, PASSWORD

#: The CSRF token is masked anew on every page; the rest of a page must not differ.
CSRF_VALUE = re.compile(rb'(?<=name="csrfmiddlewaretoken" value=")[^"]+')
REFUSED = "Too many sign-in attempts. Please wait a few minutes and try again."
UNREACHABLE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: the connection is refused
    }
}


def page(response: Any) -> bytes:
    return CSRF_VALUE.sub(b"", response.content)


def attempt(client: Client, username: str, password: str = "wrong password") -> Any:
    return client.post(LOGIN_2FA, {"username": username, "password": password})


@pytest.fixture
def failures() -> Any:
    """The usernames ``user_login_failed`` was sent for: a password that was tried."""
    tried: list[str] = []

    def receiver(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
        tried.append(credentials.get("username", ""))

    user_login_failed.connect(receiver, dispatch_uid="test_login_throttle")
    yield tried
    user_login_failed.disconnect(dispatch_uid="test_login_throttle")


def test_wrong_passwords_per_username_end_in_429_and_the_right_one_is_refused_alike_u1(
    client: Client, alice: Any, settings: Any, failures: list[str]
) -> None:
    """Case and spaces do not make a new count (U2); once refused, the right password
    gets the very page a wrong one gets, no code goes out and no password is tried."""
    settings.TYNTEC2FA_LOGIN_RATE_USER = "3/10m"
    name = alice.get_username()
    for variant in (name, f" {name.upper()} ", name.title()):
        assert attempt(client, variant).status_code == 200  # the form's ordinary error
    assert len(failures) == 3

    wrong = attempt(client, name)
    right = attempt(client, name, PASSWORD)
    for refused in (wrong, right):
        assert refused.status_code == 429
        assert 0 < int(refused["Retry-After"]) <= 600
        assert REFUSED in refused.content.decode()
        assert refused.context["form"].non_field_errors() == [REFUSED]
    assert page(wrong) == page(right)
    assert len(failures) == 3  # neither refused password was tried
    assert not Challenge.objects.exists() and sinks.outbox == []
    refusals = AuditEvent.objects.filter(kind=AuditEvent.Kind.RATE_LIMITED)
    assert refusals.count() == 2
    assert {event.detail for event in refusals} == {"login: rate limit tyntec2fa.login.user"}
    assert all(event.ip == "127.0.0.1" and event.user_id is None for event in refusals)
    # Another username from the same IP is still answered.
    assert attempt(client, "somebody-else").status_code == 200


def test_an_unknown_username_is_refused_like_a_known_one_u1(
    client: Client, alice: Any, settings: Any
) -> None:
    settings.TYNTEC2FA_LOGIN_RATE_USER = "1/10m"
    attempt(client, alice.get_username())
    attempt(client, "nobody")
    known = attempt(client, alice.get_username())
    unknown = attempt(client, "nobody")
    assert known.status_code == unknown.status_code == 429
    assert page(known).replace(alice.get_username().encode(), b"") == page(unknown).replace(
        b"nobody", b""
    )


def test_the_ip_limit_counts_across_usernames(client: Client, alice: Any, settings: Any) -> None:
    settings.TYNTEC2FA_LOGIN_RATE_IP = "4/m"
    for number in range(4):
        assert attempt(client, f"user{number}").status_code == 200
    refused = attempt(client, alice.get_username(), PASSWORD)
    assert refused.status_code == 429 and REFUSED in refused.content.decode()
    assert AuditEvent.objects.get(kind=AuditEvent.Kind.RATE_LIMITED).detail == (
        "login: rate limit tyntec2fa.login.ip"
    )


def test_a_right_password_counts_too(client: Client, alice: Any, settings: Any) -> None:
    """The count is taken before anyone knows whether the password is right."""
    settings.TYNTEC2FA_LOGIN_RATE_USER = "1/10m"
    assert attempt(client, alice.get_username(), PASSWORD).status_code == 302
    assert attempt(Client(), alice.get_username(), PASSWORD).status_code == 429


def test_limits_set_to_none_are_off(client: Client, alice: Any, settings: Any) -> None:
    """A site that throttles logins with django-axes switches the app's limits off."""
    settings.TYNTEC2FA_LOGIN_RATE_IP = None
    settings.TYNTEC2FA_LOGIN_RATE_USER = None
    for _ in range(40):
        assert attempt(client, alice.get_username()).status_code == 200
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.RATE_LIMITED).exists()


def test_an_unreachable_rate_limit_cache_refuses_before_the_password_p7(
    client: Client, alice: Any, settings: Any, failures: list[str]
) -> None:
    """Fail closed: without its counts no password is tried; 503 with ``Retry-After``,
    the same for a right and a wrong password."""
    settings.CACHES = UNREACHABLE
    wrong = attempt(client, alice.get_username())
    right = attempt(client, alice.get_username(), PASSWORD)
    for refused in (wrong, right):
        assert refused.status_code == 503
        assert refused["Retry-After"] == "60"
        assert "Signing in is not possible right now." in refused.content.decode()
    assert page(wrong) == page(right)
    assert failures == []
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PROVIDER_ERROR).count() == 2
