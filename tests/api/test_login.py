"""End to end through the API: password → code → a session (SPA) or a token (app), and
never a token before the code (S1, S3, S6)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from rest_framework.authtoken.models import Token

from django_tyntec2fa.models import TokenProof
from django_tyntec2fa.providers import sinks

from ..steps import LastCode, wrong_code
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


def _session_key(client: Client) -> str | None:
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return cookie.value if cookie is not None and cookie.value else None


def test_spa_password_then_code_gives_a_verified_session(
    client: Client, alice: Any, last_code: LastCode
) -> None:
    """S1, S3: pending after the password (anonymous to DRF, no _auth_user_id), signed
    in after the code, with a session key unlike the earlier ones."""
    assert get(client, "login").json() == {"status": "anonymous"}
    answer = password(client, alice).json()
    assert answer["status"] == "second_factor_required"
    assert [device["number"] for device in answer["devices"]] == [
        "+49*******6789",
        "+49*******5678",
    ]
    assert answer["devices"][0]["primary"] is True
    assert answer["challenge"]["number"] == "+49*******6789"
    assert answer["challenge"]["purpose"] == "login"
    assert "login_token" not in answer
    pending_key = _session_key(client)
    assert SESSION_KEY not in client.session
    blocked = client.get("/probe/verified/", headers={"accept": "application/json"})
    assert_error(blocked, 401, "second_factor_required")
    assert get(client, "login").json() == {"status": "second_factor_required"}

    verified = post(client, "challenge-verify", {"code": last_code(ALICE_PRIMARY)})
    assert verified.status_code == 200
    assert verified.json() == {"status": "authenticated", "token": None}
    assert _session_key(client) not in (None, pending_key)
    assert client.get("/probe/verified/").json() == {"authenticated": True, "username": "alice"}
    assert get(client, "login").json() == {"status": "authenticated"}
    assert not Token.objects.exists()


def test_spa_can_ask_for_a_token_as_well(client: Client, alice: Any, last_code: LastCode) -> None:
    password(client, alice)
    answer = post(client, "challenge-verify", {"code": last_code(), "token": True}).json()
    assert answer["status"] == "authenticated"
    assert answer["token"]["scheme"] == "Token"
    assert Token.objects.get(user=alice).key == answer["token"]["key"]
    assert client.get("/probe/verified/").status_code == 200  # and the session


def test_app_without_cookies_gets_a_token_after_the_code(
    client: Client, alice: Any, last_code: LastCode
) -> None:
    """The app flow: no cookie is set at any step; the token then works alone."""
    answer = password(client, alice, token=True)
    assert answer.json()["status"] == "second_factor_required"
    login_token = answer.json()["login_token"]
    assert not answer.cookies, answer.cookies
    assert not Token.objects.exists()  # S6: nothing before the code

    status = get(client, "challenge", {LOGIN_HEADER: login_token})
    assert status.status_code == 200 and status.json()["challenge"]["purpose"] == "login"
    verified = post(client, "challenge-verify", {"code": last_code()}, {LOGIN_HEADER: login_token})
    assert verified.status_code == 200 and not verified.cookies
    key = verified.json()["token"]["key"]

    app = Client()
    assert app.get("/probe/verified/", headers=bearer(key)).json() == {
        "authenticated": True,
        "username": "alice",
    }
    # The login session is gone: the login token cannot be used again.
    again = post(app, "challenge-verify", {"code": last_code()}, {LOGIN_HEADER: login_token})
    assert_error(again, 401, "login_timeout")


def test_no_token_before_the_second_factor(client: Client, alice: Any, last_code: LastCode) -> None:
    """A wrong code, a resend, the status: none of them mints a token (S6)."""
    login_token = password(client, alice, token=True).json()["login_token"]
    header = {LOGIN_HEADER: login_token}
    wrong_answer = post(client, "challenge-verify", {"code": wrong_code(last_code())}, header)
    assert_error(wrong_answer, 400, "invalid_code")
    assert "token" not in wrong_answer.json()
    get(client, "challenge", header)
    assert not Token.objects.exists() and not TokenProof.objects.exists()


def test_a_user_without_a_second_factor_gets_a_session_but_never_a_token(
    client: Client, carol: Any
) -> None:
    answer = password(client, carol)
    assert answer.json() == {"status": "authenticated", "token": None}
    app = post(Client(), "login", {"username": "carol", "password": PASSWORD, "token": True})
    assert_error(app, 403, "second_factor_not_set_up")
    assert not Token.objects.exists()


def test_wrong_password_unknown_user_and_disabled_account_answer_alike_u1(
    client: Client, alice: Any, bob: Any
) -> None:
    """U1: one answer for a wrong password, a user who does not exist and a disabled
    account with the right password; no session, nothing sent."""
    bob.is_active = False
    bob.save()
    attempts = [("alice", "nope"), ("nobody", "nope"), ("bob", PASSWORD)]
    answers = [post(client, "login", {"username": u, "password": p}) for u, p in attempts]
    for response in answers:
        body = assert_error(response, 400, "invalid_credentials")
        assert body["detail"] == "Please enter a correct username and password."
    assert len({response.content for response in answers}) == 1
    assert _session_key(client) is None
    assert sinks.outbox == []


def test_login_as_someone_else_replaces_the_pending_login(
    client: Client, alice: Any, bob: Any, last_code: LastCode
) -> None:
    """S4: Alice's code no longer signs anybody in once Bob did his password step."""
    password(client, alice)
    alice_code = last_code(ALICE_PRIMARY)
    password(client, bob)
    refused = post(client, "challenge-verify", {"code": alice_code})
    assert_error(refused, 400, "invalid_code")
    assert get(client, "login").json() == {"status": "second_factor_required"}


def test_a_new_token_replaces_the_old_one(client: Client, alice: Any) -> None:
    """S3 for tokens: every login mints a new secret; the old token stops working."""
    first = app_login(Client(), alice)
    second = app_login(Client(), alice)
    assert first != second
    response = Client().get("/probe/verified/", headers=bearer(first))
    assert response.status_code == 401
    assert Client().get("/probe/verified/", headers=bearer(second)).status_code == 200


def test_a_password_change_ends_the_token(client: Client, alice: Any) -> None:
    key = app_login(client, alice)
    alice.set_password("another password entirely")
    alice.save()
    response = Client().get("/probe/verified/", headers=bearer(key))
    assert_error(response, 401, "second_factor_required")


@pytest.mark.parametrize("issuer", ["", None])
def test_sites_without_tokens_refuse_the_token_before_the_code(
    client: Client, alice: Any, settings: Any, issuer: str | None, last_code: LastCode
) -> None:
    """No issuer (set off, or authtoken not installed): 400 on ``token``, and the code
    is still usable for a session login."""
    if issuer is None:
        settings.INSTALLED_APPS = [
            app for app in settings.INSTALLED_APPS if app != "rest_framework.authtoken"
        ]
    else:
        settings.TYNTEC2FA_API_TOKEN_ISSUER = issuer
    refused = post(client, "login", {"username": "alice", "password": PASSWORD, "token": True})
    body = assert_error(refused, 400, "validation_error")
    assert body["field"] == "token"
    password(client, alice)
    code = last_code()
    body = assert_error(
        post(client, "challenge-verify", {"code": code, "token": True}), 400, "validation_error"
    )
    assert body["field"] == "token"
    assert post(client, "challenge-verify", {"code": code}).json()["status"] == "authenticated"


def test_a_custom_issuer_is_called_after_the_code(
    client: Client, alice: Any, settings: Any, last_code: LastCode
) -> None:
    settings.TYNTEC2FA_API_TOKEN_ISSUER = "tests.api.issuers.fake_issuer"
    from .issuers import issued

    issued.clear()
    password(client, alice)
    assert issued == []
    answer = post(client, "challenge-verify", {"code": last_code(), "token": True}).json()
    assert answer["token"] == {"access": "fake-for-alice"}
    assert issued == ["alice"]
