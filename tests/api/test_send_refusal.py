"""When the password step cannot send a code, the API's answer says why and what to do
(``send_error``) instead of an empty challenge (issue 15); when the service is down it
is a 503 that keeps the login pending (issue 12). The page: tests/views/."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from django_tyntec2fa.abuse.counters import UNREACHABLE_RETRY_AFTER
from django_tyntec2fa.abuse.masking import mask_number
from django_tyntec2fa.flows import refusals
from django_tyntec2fa.models import DestinationBlock, Scope

from .helpers import ALICE_PRIMARY, LOGIN_HEADER, PASSWORD, get, password, post


def test_the_password_answer_says_why_no_code_was_sent(
    client: Client, alice: Any, outbox: Any
) -> None:
    block = DestinationBlock.objects.create(
        scope=Scope.PREFIX, value=ALICE_PRIMARY[:-4], until=timezone.now() + dt.timedelta(hours=1)
    )
    body = password(client, alice).json()
    assert outbox == []
    assert body["status"] == "second_factor_required" and body["challenge"] is None
    error = body["send_error"]
    assert error["code"] == "destination_blocked"
    assert error["detail"] and error["hint"] == str(refusals.WAIT_HINT)
    assert 0 < error["retry_after"] <= 3600
    assert get(client, "challenge").json()["send_error"] == error
    # A code that goes out later ends it.
    block.delete()
    assert post(client, "challenge-send").status_code == 200
    assert "send_error" not in get(client, "challenge").json()


def test_a_refused_country_says_to_use_another_phone(
    client: Client, alice: Any, settings: Any
) -> None:
    settings.TYNTEC2FA_SMS_COUNTRIES = ["FR"]
    error = password(client, alice).json()["send_error"]
    assert error["code"] == "destination_refused"
    assert error["hint"] == str(refusals.ELSEWHERE_HINT) and error["retry_after"] is None


def test_a_sent_code_has_no_send_error(client: Client, alice: Any) -> None:
    assert "send_error" not in password(client, alice).json()


# --- The service is down at the password step: 503, and the login stays pending -----

UNREACHABLE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: the connection is refused
    }
}


@pytest.fixture
def outage(settings: Any) -> Iterator[Callable[[], None]]:
    """The rate-limit cache goes down (no code is sent without its limits: fail
    closed); calling the fixture's value brings it back (so does the teardown, before
    the site's fixture clears the cache). The password step's own limits are off
    (``None``): with them on, an outage refuses the step before the password is tried
    (``tests/api/test_login_throttle.py``); these tests are about what follows it."""
    settings.TYNTEC2FA_RATELIMIT_ENABLE = True
    settings.TYNTEC2FA_LOGIN_RATE_IP = settings.TYNTEC2FA_LOGIN_RATE_USER = None
    working = settings.CACHES

    def back() -> None:
        settings.CACHES = working

    settings.CACHES = UNREACHABLE
    yield back
    back()


def _credentials(user: Any, **extra: Any) -> dict[str, Any]:
    return {"username": user.get_username(), "password": PASSWORD, **extra}


def test_an_outage_at_the_password_step_is_a_503_that_keeps_the_login_pending_r1_s1(
    client: Client, alice: Any, outbox: Any, settings: Any, outage: Callable[[], None]
) -> None:
    """503 with ``Retry-After`` and the one error shape, on top of the login's state;
    the session cookie is set as SessionMiddleware sets it (which it does not on a 5xx),
    so the same cookie jar sends a code once the service is back and signs in with it,
    without the password again. Nobody is signed in by the 503 (R1, S1)."""
    settings.SESSION_COOKIE_NAME = "site_session"
    settings.SESSION_COOKIE_SAMESITE = "Strict"
    settings.SESSION_COOKIE_DOMAIN = "testserver"

    response = post(client, "login", _credentials(alice))

    assert response.status_code == 503, response.content
    assert int(response["Retry-After"]) == UNREACHABLE_RETRY_AFTER
    body = response.json()
    assert body["code"] == "provider_unavailable" == body["send_error"]["code"]
    assert body["detail"] == body["send_error"]["detail"] and body["detail"]
    assert body["status"] == "second_factor_required" and body["challenge"] is None
    assert body["devices"][0]["number"] == mask_number(ALICE_PRIMARY)
    cookie = response.cookies["site_session"]
    assert cookie.value and cookie["domain"] == "testserver" and cookie["path"] == "/"
    assert cookie["samesite"] == "Strict" and cookie["secure"] and cookie["httponly"]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE and cookie["expires"]
    assert "Cookie" in response["Vary"]
    assert outbox == []
    assert get(client, "login").json()["status"] == "second_factor_required"  # not signed in

    outage()  # the service is back
    sent = post(client, "challenge-send", {})
    assert sent.status_code == 200, sent.content
    assert sent.json()["challenge"] is not None and "send_error" not in sent.json()
    verified = post(client, "challenge-verify", {"code": outbox[-1].code})
    assert verified.status_code == 200, verified.content
    assert verified.json()["status"] == "authenticated"


@pytest.mark.usefixtures("outage")
def test_the_503_cookie_of_a_browser_session_ends_with_the_browser(
    client: Client, alice: Any, settings: Any
) -> None:
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True

    response = post(client, "login", _credentials(alice))

    assert response.status_code == 503
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value and cookie["max-age"] == "" and cookie["expires"] == ""


def test_an_app_gets_its_login_token_with_the_503_and_no_cookie_r1(
    client: Client, alice: Any, outbox: Any, outage: Callable[[], None]
) -> None:
    """An app's pending login lives in its own login session (``transport``), saved
    whatever the status: the 503 carries ``login_token`` and sets no cookie."""

    response = post(client, "login", _credentials(alice, token=True))

    assert response.status_code == 503, response.content
    assert response.json()["code"] == "provider_unavailable"
    assert not response.cookies  # apps keep no cookie, also on a 503
    header = {LOGIN_HEADER: response.json()["login_token"]}
    outage()
    assert post(client, "challenge-send", {}, header).status_code == 200
    verified = post(client, "challenge-verify", {"code": outbox[-1].code}, header)
    assert verified.status_code == 200, verified.content
    assert verified.json()["status"] == "authenticated" and verified.json()["token"]


def test_other_refusals_at_the_password_step_stay_200(
    client: Client, alice: Any, settings: Any
) -> None:
    """Only an outage is a 5xx; a refused number is an answer about the login."""
    settings.TYNTEC2FA_SMS_COUNTRIES = ["FR"]
    response = post(client, "login", _credentials(alice))
    assert response.status_code == 200
    assert response.json()["send_error"]["code"] == "destination_refused"
    assert "Retry-After" not in response
