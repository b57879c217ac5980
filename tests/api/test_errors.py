"""Refusals of the API: one shape, stable codes, the right statuses (L7, R1, L2, S7)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from django_tyntec2fa.models import Challenge, FailureCounter

from ..steps import AssertNeverCached, LastCode, wrong_code
from .helpers import (
    ALICE_PRIMARY,
    JSON,
    PASSWORD,
    assert_error,
    get,
    password,
    post,
    session_login,
)


def _shape(body: dict[str, Any]) -> set[str]:
    return set(body)


def test_wrong_expired_and_used_codes_answer_alike_l7(
    client: Client, alice: Any, make_user: Any, last_code: LastCode
) -> None:
    """L7: the same status and the same body shape for a wrong, an expired and an
    already used code."""
    password(client, alice)
    wrong_answer = post(client, "challenge-verify", {"code": wrong_code(last_code())})

    # Past the code's lifetime (300 s), within the login's (600 s).
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=301), tick=False):
        expired_answer = post(client, "challenge-verify", {"code": last_code()})

    other = Client()
    bob = make_user("bobby", ["+4916000000001"])
    password(other, bob)
    code = last_code("+4916000000001")
    assert post(other, "challenge-verify", {"code": code}).status_code == 200
    # A used code: the challenge of a new pending login was verified meanwhile (say, by
    # a parallel request), and its code comes again.
    replay_client = Client()
    password(replay_client, bob)
    used_code = last_code("+4916000000001")
    Challenge.objects.filter(user=bob, status="pending").update(status="verified")
    used_answer = post(replay_client, "challenge-verify", {"code": used_code})

    answers = [wrong_answer, expired_answer, used_answer]
    assert {answer.status_code for answer in answers} == {400}
    # One shape: the error and what the user may do next (lockout.standing).
    shape = frozenset({"code", "detail", "tries_left", "retry_after", "locked"})
    assert {frozenset(answer.json()) for answer in answers} == {shape}
    assert wrong_answer.json()["code"] == "invalid_code"
    assert {expired_answer.json()["code"], used_answer.json()["code"]} == {"challenge_expired"}


def test_too_many_attempts_has_the_same_shape(
    client: Client, alice: Any, last_code: LastCode
) -> None:
    password(client, alice)
    code = last_code()
    for _attempt in range(2):
        assert_error(
            post(client, "challenge-verify", {"code": wrong_code(code)}), 400, "invalid_code"
        )
    last = post(client, "challenge-verify", {"code": wrong_code(code)})
    body = assert_error(last, 400, "too_many_attempts")
    assert set(body) == {"code", "detail", "tries_left", "retry_after", "locked"}


def test_verify_rate_limit_is_429_with_retry_after(
    client: Client, alice: Any, settings: Any, last_code: LastCode
) -> None:
    settings.TYNTEC2FA_VERIFY_RATE_USER = "1/h"
    password(client, alice)
    post(client, "challenge-verify", {"code": wrong_code(last_code())})
    limited = post(client, "challenge-verify", {"code": last_code()})
    assert_error(limited, 429, "rate_limited")
    assert 0 < int(limited["Retry-After"]) <= 3600


def test_send_rate_limit_is_429_with_retry_after(client: Client, alice: Any, settings: Any) -> None:
    settings.TYNTEC2FA_SEND_RATE_USER = "1/h"
    password(client, alice)  # the login code uses up the one send
    limited = post(client, "challenge-send", {"channel": "SMS"})
    assert_error(limited, 429, "rate_limited")
    assert int(limited["Retry-After"]) > 0


def test_resend_cooldown_is_429_with_retry_after(client: Client, alice: Any) -> None:
    password(client, alice)
    early = post(client, "challenge-resend", {"channel": "VOICE"})
    assert_error(early, 429, "resend_not_allowed")
    assert 0 < int(early["Retry-After"]) <= 30


def test_django_ratelimit_is_429_not_403(client: Client, db: None) -> None:
    """A project view behind django-ratelimit: DRF would answer its Ratelimited
    (a PermissionDenied) with 403; the API's handler answers 429 with Retry-After."""
    assert client.get("/probe/limited/", headers=JSON).status_code == 200
    limited = client.get("/probe/limited/", headers=JSON)
    assert_error(limited, 429, "rate_limited")
    assert int(limited["Retry-After"]) > 0


def test_a_drf_throttle_is_429_rate_limited_with_retry_after(client: Client, db: None) -> None:
    """A project's DRF throttle on the password step: the API's shape and code."""
    first = client.post("/probe/throttled-login/", {}, content_type="application/json")
    assert first.status_code == 400
    throttled = client.post("/probe/throttled-login/", {}, content_type="application/json")
    assert_error(throttled, 429, "rate_limited")
    assert 0 < int(throttled["Retry-After"]) <= 60


def test_provider_outage_is_503_and_fails_closed(
    client: Client, alice: Any, provider_down: None
) -> None:
    """R1: the password step, a send and a verify during an outage are 503
    ``provider_unavailable``; the login stays pending and nothing is verified."""
    credentials = {"username": alice.get_username(), "password": PASSWORD}
    # The login code could not go out; the password was right, the login is pending.
    answer = assert_error(post(client, "login", credentials), 503, "provider_unavailable")
    assert answer["status"] == "second_factor_required" and answer["challenge"] is None
    assert get(client, "challenge").json()["challenge"] is None
    assert_error(post(client, "challenge-send"), 503, "provider_unavailable")
    Challenge.objects.create(
        user=alice,
        device=alice.tyntec2fa_devices.first(),
        purpose="login",
        provider_otp_id="00000000-0000-0000-0000-000000000000",
        channel="SMS",
        max_attempts=3,
        expires_at=timezone.now() + dt.timedelta(minutes=5),
    )
    assert_error(post(client, "challenge-verify", {"code": "123456"}), 503, "provider_unavailable")
    assert get(client, "login").json() == {"status": "second_factor_required"}


def test_step_up_send_during_an_outage_is_503(verified: Client, provider_down: None) -> None:
    assert_error(post(verified, "step-up-send"), 503, "provider_unavailable")


@pytest.mark.parametrize(
    ("name", "data", "field"),
    [
        ("login", {"password": "x"}, "username"),
        ("login", {"username": "a", "password": "x", "token": "maybe"}, "token"),
        ("challenge-verify", {}, "code"),
        ("challenge-verify", {"code": "1" * 65}, "code"),
        ("challenge-send", {"channel": "FAX"}, "channel"),
        ("challenge-send", {"language": "xx"}, "language"),
        ("challenge-resend", {"device": "not-a-number"}, "device"),
    ],
)
def test_validation_is_400_naming_the_field(
    client: Client, alice: Any, name: str, data: dict[str, Any], field: str
) -> None:
    password(client, alice)
    body = assert_error(post(client, name, data), 400, "validation_error")
    assert body["field"] == field
    assert body["errors"][field]


def test_a_body_that_is_not_an_object_is_a_validation_error(client: Client, db: None) -> None:
    body = assert_error(post(client, "login", ["a", "list"]), 400, "validation_error")
    assert body["field"] == "non_field_errors"


def test_malformed_json_and_other_media_types(client: Client, db: None) -> None:
    broken = client.post(
        "/api/login/", data="{not json", content_type="application/json", headers=JSON
    )
    assert_error(broken, 400, "parse_error")
    form = client.post("/api/login/", data={"username": "a"}, headers=JSON)
    assert_error(form, 415, "unsupported_media_type")
    assert_error(client.get("/api/challenge/send/", headers=JSON), 405, "method_not_allowed")


def test_every_answer_is_never_cached_s7(
    client: Client, alice: Any, assert_never_cached: AssertNeverCached
) -> None:
    """S7: answers and refusals alike."""
    assert_never_cached(get(client, "login"))
    assert_never_cached(post(client, "login", {}))
    assert_never_cached(get(client, "devices"))
    password(client, alice)
    assert_never_cached(get(client, "challenge"))


def test_a_code_in_the_query_string_is_ignored_s7(
    client: Client, alice: Any, last_code: LastCode
) -> None:
    """S7: only the body counts."""
    password(client, alice)
    response = client.post(
        f"/api/challenge/verify/?code={last_code()}",
        data={},
        content_type="application/json",
        headers=JSON,
    )
    assert assert_error(response, 400, "validation_error")["field"] == "code"


def test_a_locked_account_is_403_with_retry_after(
    client: Client, alice: Any, settings: Any, last_code: LastCode
) -> None:
    settings.TYNTEC2FA_BACKOFF_AFTER = 1
    settings.TYNTEC2FA_MAX_ATTEMPTS = 5
    password(client, alice)
    post(client, "challenge-verify", {"code": wrong_code(last_code())})
    locked = post(client, "challenge-verify", {"code": last_code()})
    assert_error(locked, 403, "account_locked")
    assert int(locked["Retry-After"]) > 0


@pytest.mark.django_db(transaction=True)
def test_a_wrong_code_stays_counted_under_atomic_requests(
    client: Client, alice: Any, monkeypatch: pytest.MonkeyPatch, last_code: LastCode
) -> None:
    """L2: the error handler never rolls back what the flows wrote on a refusal (DRF's
    default handler would, under ATOMIC_REQUESTS)."""
    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", True)
    password(client, alice)
    post(client, "challenge-verify", {"code": wrong_code(last_code(ALICE_PRIMARY))})
    assert FailureCounter.objects.get(user=alice).failures == 1


def test_session_login_then_the_error_shape_of_a_stale_step(client: Client, alice: Any) -> None:
    """A login step of a session that is signed in already: 409."""
    session_login(client, alice)
    assert_error(get(client, "challenge"), 409, "no_pending_login")
