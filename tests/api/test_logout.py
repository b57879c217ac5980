"""``POST /api/logout/``: sessions end, tokens are revoked, live codes are cancelled
(S11), and a cookie client needs its CSRF token for it."""

from __future__ import annotations

from typing import Any

from django.test import Client
from rest_framework.authtoken.models import Token

from django_tyntec2fa.models import Challenge, TokenProof

from ..steps import AssertNeverCached, LastCode
from .helpers import (
    ALICE_PRIMARY,
    LOGIN_HEADER,
    PASSWORD,
    app_login,
    assert_error,
    bearer,
    get,
    password,
    post,
)

LOGGED_OUT = {"status": "anonymous"}


def live(user: Any, purpose: str) -> list[Challenge]:
    return list(
        Challenge.objects.filter(user=user, purpose=purpose, status=Challenge.Status.PENDING)
    )


def test_a_session_logs_out(verified: Client, assert_never_cached: AssertNeverCached) -> None:
    response = post(verified, "logout")
    assert response.status_code == 200 and response.json() == LOGGED_OUT
    assert_never_cached(response)
    assert get(verified, "login").json() == {"status": "anonymous"}
    probe = verified.get("/probe/verified/", headers={"accept": "application/json"})
    assert_error(probe, 401, "not_authenticated")


def test_a_token_is_revoked_with_its_proof(alice: Any) -> None:
    key = app_login(Client(), alice)
    response = post(Client(), "logout", headers=bearer(key))
    assert response.status_code == 200 and response.json() == LOGGED_OUT
    assert not Token.objects.filter(key=key).exists()
    assert not TokenProof.objects.filter(user=alice).exists()
    assert Client().get("/probe/verified/", headers=bearer(key)).status_code == 401


def test_a_token_logout_cancels_a_live_step_up_s11(alice: Any) -> None:
    key = app_login(Client(), alice)
    assert post(Client(), "step-up-send", headers=bearer(key)).status_code == 200
    assert len(live(alice, Challenge.Purpose.STEP_UP)) == 1
    post(Client(), "logout", headers=bearer(key))
    assert live(alice, Challenge.Purpose.STEP_UP) == []


def test_a_pending_login_logs_out_and_its_code_dies_s11(
    pending: Client, alice: Any, last_code: LastCode
) -> None:
    code = last_code(ALICE_PRIMARY)
    assert len(live(alice, Challenge.Purpose.LOGIN)) == 1
    assert post(pending, "logout").json() == LOGGED_OUT
    assert live(alice, Challenge.Purpose.LOGIN) == []
    assert_error(post(pending, "challenge-verify", {"code": code}), 401, "not_authenticated")


def test_an_app_login_session_logs_out_s11(alice: Any) -> None:
    login_token = password(Client(), alice, token=True).json()["login_token"]
    header = {LOGIN_HEADER: login_token}
    assert post(Client(), "logout", headers=header).json() == LOGGED_OUT
    assert live(alice, Challenge.Purpose.LOGIN) == []


def test_nobody_signed_in_is_fine(client: Client) -> None:
    assert post(client, "logout").json() == LOGGED_OUT


def csrf_client() -> tuple[Client, dict[str, str]]:
    """A cookie client that checks CSRF as a browser's server would, with its token."""
    client = Client(enforce_csrf_checks=True)
    get(client, "login")  # sets the CSRF cookie
    return client, {"X-CSRFToken": client.cookies["csrftoken"].value}


def test_a_signed_in_cookie_client_needs_csrf(alice: Any, last_code: LastCode) -> None:
    """A cross-site POST cannot end somebody's session."""
    client, csrf = csrf_client()
    credentials = {"username": alice.get_username(), "password": PASSWORD}
    assert post(client, "login", credentials, csrf).status_code == 200
    csrf = {"X-CSRFToken": client.cookies["csrftoken"].value}  # rotated by the password
    code = {"code": last_code(ALICE_PRIMARY)}
    assert post(client, "challenge-verify", code, csrf).status_code == 200
    csrf = {"X-CSRFToken": client.cookies["csrftoken"].value}  # rotated by the login
    assert_error(post(client, "logout"), 403, "csrf_failed")
    assert get(client, "login").json() == {"status": "authenticated"}
    assert post(client, "logout", headers=csrf).json() == LOGGED_OUT
    assert get(client, "login").json() == {"status": "anonymous"}


def test_a_pending_cookie_client_needs_csrf_s11(alice: Any) -> None:
    """Nor can it end somebody's pending login and cancel their code."""
    client, csrf = csrf_client()
    credentials = {"username": alice.get_username(), "password": PASSWORD}
    assert post(client, "login", credentials, csrf).status_code == 200
    assert_error(post(client, "logout"), 403, "csrf_failed")
    assert len(live(alice, Challenge.Purpose.LOGIN)) == 1
    assert get(client, "login").json() == {"status": "second_factor_required"}
    csrf = {"X-CSRFToken": client.cookies["csrftoken"].value}
    assert post(client, "logout", headers=csrf).json() == LOGGED_OUT
    assert live(alice, Challenge.Purpose.LOGIN) == []
