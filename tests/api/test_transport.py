"""The app client's login session (``X-Tyntec2FA-Login``): its own session-store entry,
never a cookie, never a browser's session, gone once the token is issued (S2, S11)."""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from typing import Any

import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import timezone

from django_tyntec2fa.models import Challenge

from ..steps import LastCode
from .helpers import LOGIN_HEADER, assert_error, get, password, post, session_login


def _store(key: str) -> Any:
    return import_module(settings.SESSION_ENGINE).SessionStore(key)


def test_the_login_session_holds_the_pending_login_only(client: Client, alice: Any) -> None:
    """S2: no password in it, no login; it lives in the session store, not a cookie."""
    token = password(client, alice, token=True).json()["login_token"]
    stored = dict(_store(token).load())
    assert SESSION_KEY not in stored
    assert "correct horse" not in repr(stored)
    assert not client.cookies


def test_an_unknown_or_garbage_login_token_is_a_timed_out_login(client: Client, db: None) -> None:
    for value in ("a" * 32, "not a key!", ""):
        response = get(client, "challenge", {LOGIN_HEADER: value})
        assert_error(response, 401, "login_timeout")
        assert not response.cookies


def test_a_browser_session_key_is_not_a_login_token(
    client: Client, alice: Any, bob: Any, last_code: LastCode
) -> None:
    """The header only names login sessions the API made: a browser's pending session
    cannot be driven without its cookie and CSRF."""
    password(client, alice)
    browser_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    stranger = Client()
    response = post(
        stranger, "challenge-verify", {"code": last_code()}, {LOGIN_HEADER: browser_key}
    )
    assert_error(response, 401, "login_timeout")
    assert get(client, "login").json() == {"status": "second_factor_required"}


def test_an_app_login_leaves_the_browser_session_alone(
    client: Client, alice: Any, bob: Any
) -> None:
    """A browser signed in as Alice asks for an app login as Bob: its own session and
    cookie are untouched."""
    session_login(client, alice)
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    answer = post(
        client,
        "login",
        {"username": "bob", "password": "correct horse battery staple", "token": True},
    )
    assert answer.status_code == 200 and "login_token" in answer.json()
    assert settings.SESSION_COOKIE_NAME not in answer.cookies
    assert client.cookies[settings.SESSION_COOKIE_NAME].value == before
    assert client.get("/probe/verified/").json()["username"] == "alice"


def test_cancel_ends_the_app_login(client: Client, alice: Any) -> None:
    """S11: the code is cancelled and the login session deleted."""
    token = password(client, alice, token=True).json()["login_token"]
    header = {LOGIN_HEADER: token}
    assert post(client, "challenge-cancel", {}, header).json() == {"status": "anonymous"}
    assert not Challenge.objects.filter(user=alice, status="pending").exists()
    assert_error(get(client, "challenge", header), 401, "login_timeout")
    assert not _store(token).exists(token)


def test_the_app_login_times_out(client: Client, alice: Any, last_code: LastCode) -> None:
    """S2: TYNTEC2FA_LOGIN_TIMEOUT applies to app logins too."""
    token = password(client, alice, token=True).json()["login_token"]
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=601), tick=False):
        answer = post(client, "challenge-verify", {"code": last_code()}, {LOGIN_HEADER: token})
        assert_error(answer, 401, "login_timeout")


def test_resend_and_send_in_the_app_flow(client: Client, alice: Any) -> None:
    header = {LOGIN_HEADER: password(client, alice, token=True).json()["login_token"]}
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=31), tick=False):
        called = post(client, "challenge-resend", {"channel": "VOICE"}, header)
        assert called.status_code == 200
        assert called.json()["challenge"]["channel"] == "VOICE"
        assert not called.cookies
