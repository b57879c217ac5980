"""Recovery codes through the JSON API: the status, a new set behind a recent second
factor (E3, S10), a login completed with a code as challenge/verify/ completes one
(E4, S3), and every refusal: no recent second factor, a wrong code (L4), a locked
account (L2), the feature off, no pending login."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from django_tyntec2fa.flows import recovery
from django_tyntec2fa.models import Challenge, FailureCounter, RecoveryCode

from .helpers import (
    LOGIN_HEADER,
    app_login,
    assert_error,
    bearer,
    get,
    password,
    post,
)

pytestmark = pytest.mark.django_db


def new_set(client: Client, headers: dict[str, str] | None = None) -> list[str]:
    answer = post(client, "recovery-codes", headers=headers)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["remaining"] == len(body["codes"]) == 10 and body["generated_at"]
    return list(body["codes"])


# --- GET and POST /api/recovery-codes/ ----------------------------------------------------


def test_status_then_a_new_set_then_the_status_again(verified: Client, alice: Any) -> None:
    assert get(verified, "recovery-codes").json() == {"remaining": 0, "generated_at": None}
    codes = new_set(verified)
    status = get(verified, "recovery-codes").json()
    assert status["remaining"] == 10 and status["generated_at"]
    assert "codes" not in status and not any(code in str(status) for code in codes)
    again = new_set(verified)
    assert not set(again) & set(codes)  # the old set is replaced
    assert RecoveryCode.objects.filter(user=alice).count() == 10


def test_a_new_set_needs_a_recent_second_factor_s10(verified: Client) -> None:
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=301), tick=False):
        assert get(verified, "recovery-codes").status_code == 200  # reading is fine
        assert_error(post(verified, "recovery-codes"), 403, "step_up_required")
    assert not RecoveryCode.objects.exists()


def test_a_token_client_needs_a_recent_proof_too(client: Client, alice: Any) -> None:
    key = app_login(Client(), alice)
    codes = new_set(client, bearer(key))
    assert len(codes) == 10
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=301), tick=False):
        assert_error(post(client, "recovery-codes", headers=bearer(key)), 403, "step_up_required")


def test_nobody_and_a_pending_login_are_refused(client: Client, pending: Client) -> None:
    assert_error(get(Client(), "recovery-codes"), 401, "not_authenticated")
    assert_error(post(pending, "recovery-codes"), 401, "second_factor_required")
    assert_error(get(pending, "recovery-codes"), 401, "second_factor_required")


def test_feature_off_is_404_recovery_disabled(verified: Client, settings: Any) -> None:
    settings.TYNTEC2FA_RECOVERY_CODES = 0
    assert_error(get(verified, "recovery-codes"), 404, "recovery_disabled")
    assert_error(post(verified, "recovery-codes"), 404, "recovery_disabled")


# --- POST /api/challenge/recover/ --------------------------------------------------------------


def test_a_right_code_signs_in_like_challenge_verify_e4_s3(verified: Client, alice: Any) -> None:
    codes = new_set(verified)
    post(verified, "logout")
    password(verified, alice)
    before = verified.cookies[settings.SESSION_COOKIE_NAME].value
    answer = post(verified, "challenge-recover", {"code": codes[0].upper().replace("-", " ")})
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"status": "authenticated", "token": None}
    assert verified.cookies[settings.SESSION_COOKIE_NAME].value != before
    assert get(verified, "recovery-codes").json()["remaining"] == 9
    # It counts as a recent second factor: a new set needs no step-up.
    assert post(verified, "recovery-codes").status_code == 200
    assert Challenge.objects.filter(user=alice).latest("pk").status == Challenge.Status.CANCELLED


def test_an_app_gets_its_token(client: Client, alice: Any) -> None:
    codes = recovery_set(alice)
    login_token = password(client, alice, token=True).json()["login_token"]
    answer = post(client, "challenge-recover", {"code": codes[1]}, {LOGIN_HEADER: login_token})
    assert answer.status_code == 200, answer.content
    key = answer.json()["token"]["key"]
    assert get(client, "recovery-codes", headers=bearer(key)).json()["remaining"] == 9


def test_a_wrong_code_is_400_invalid_code_and_counts_l4(pending: Client, alice: Any) -> None:
    recovery_set(alice)
    body = assert_error(
        post(pending, "challenge-recover", {"code": "0000-0000-0000"}), 400, "invalid_code"
    )
    assert "0000" not in body["detail"]
    assert FailureCounter.objects.get(user=alice).failures == 1
    assert_error(post(pending, "challenge-recover", {"code": "not-a-code"}), 400, "invalid_code")
    assert FailureCounter.objects.get(user=alice).failures == 2
    assert_error(post(pending, "challenge-recover", {}), 400, "validation_error")
    assert_error(post(pending, "challenge-recover", {"code": 123}), 400, "validation_error")


def test_a_used_code_is_refused_the_same_way(client: Client, alice: Any) -> None:
    codes = recovery_set(alice)
    password(client, alice)
    assert post(client, "challenge-recover", {"code": codes[2]}).status_code == 200
    post(client, "logout")
    password(client, alice)
    assert_error(post(client, "challenge-recover", {"code": codes[2]}), 400, "invalid_code")


def test_a_locked_account_stays_locked_l2(pending: Client, alice: Any) -> None:
    codes = recovery_set(alice)
    FailureCounter.objects.create(user=alice, failures=20, locked=True)
    assert_error(post(pending, "challenge-recover", {"code": codes[0]}), 403, "account_locked")
    assert recovery.status(alice).remaining == 10


def test_not_pending_is_refused(client: Client, verified: Client, alice: Any) -> None:
    codes = recovery_set(alice)
    assert_error(post(Client(), "challenge-recover", {"code": codes[0]}), 401, "not_authenticated")
    assert_error(post(verified, "challenge-recover", {"code": codes[0]}), 409, "no_pending_login")
    assert recovery.status(alice).remaining == 10


def test_recover_with_the_feature_off(pending: Client, alice: Any, settings: Any) -> None:
    codes = recovery_set(alice)
    settings.TYNTEC2FA_RECOVERY_CODES = 0
    assert_error(post(pending, "challenge-recover", {"code": codes[0]}), 404, "recovery_disabled")


def test_the_recovery_endpoint_needs_csrf_from_a_cookie_client(alice: Any) -> None:
    codes = recovery_set(alice)
    strict = Client(enforce_csrf_checks=True)
    strict.get("/api/login/")  # the CSRF cookie
    token = strict.cookies[settings.CSRF_COOKIE_NAME].value
    login = strict.post(
        "/api/login/",
        {"username": "alice", "password": "correct horse battery staple"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert login.status_code == 200, login.content
    assert_error(post(strict, "challenge-recover", {"code": codes[0]}), 403, "csrf_failed")


def recovery_set(user: Any) -> list[str]:
    """A set for ``user`` through the flow, as right after a fresh second factor."""
    from unittest import mock

    with mock.patch("django_tyntec2fa.flows.sensitive.recent_for", return_value=True):
        return recovery.generate(None, user).codes
