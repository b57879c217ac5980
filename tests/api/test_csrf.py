"""CSRF: every unsafe request of a cookie client needs the CSRF token, the anonymous
login steps too (no login CSRF); apps without cookies need none."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from ..steps import LastCode
from .helpers import ALICE_PRIMARY, JSON, LOGIN_HEADER, PASSWORD, assert_error, get, post

CREDENTIALS = {"username": "alice", "password": PASSWORD}


@pytest.fixture
def browser() -> Client:
    """A cookie client whose requests the CSRF checks apply to."""
    return Client(enforce_csrf_checks=True)


def _csrf(client: Client) -> dict[str, str]:
    """The SPA's bootstrap: GET the login state, read the CSRF cookie."""
    assert get(client, "login").status_code == 200
    return {"X-CSRFToken": client.cookies[settings.CSRF_COOKIE_NAME].value}


def test_the_password_step_needs_the_csrf_token(browser: Client, alice: Any) -> None:
    """Login CSRF: another site cannot sign this browser in as someone else."""
    assert_error(post(browser, "login", CREDENTIALS), 403, "csrf_failed")
    assert post(browser, "login", CREDENTIALS, _csrf(browser)).status_code == 200


def test_every_step_of_a_cookie_login_needs_it(
    browser: Client, alice: Any, last_code: LastCode
) -> None:
    post(browser, "login", CREDENTIALS, _csrf(browser))
    for name, data in (
        ("challenge-send", {}),
        ("challenge-resend", {}),
        ("challenge-verify", {"code": last_code()}),
        ("challenge-cancel", {}),
        ("device-add", {"number": "+4915712345678"}),
        ("device-confirm", {"code": "123456"}),
    ):
        assert_error(post(browser, name, data), 403, "csrf_failed")
    # The login is untouched; with the token (rotated at the login) the code works.
    assert get(browser, "login").json() == {"status": "second_factor_required"}
    verified = post(browser, "challenge-verify", {"code": last_code(ALICE_PRIMARY)}, _csrf(browser))
    assert verified.status_code == 200


def test_signed_in_cookie_clients_need_it(browser: Client, alice: Any, last_code: LastCode) -> None:
    post(browser, "login", CREDENTIALS, _csrf(browser))
    post(browser, "challenge-verify", {"code": last_code()}, _csrf(browser))
    assert_error(post(browser, "step-up-send"), 403, "csrf_failed")
    assert post(browser, "step-up-send", {}, _csrf(browser)).status_code == 200


def test_apps_need_no_csrf_token(browser: Client, alice: Any, last_code: LastCode) -> None:
    """No cookie is read or set: the login token travels in a header a browser never
    sends by itself."""
    login = post(browser, "login", {**CREDENTIALS, "token": True})
    assert login.status_code == 200 and not login.cookies
    header = {LOGIN_HEADER: login.json()["login_token"]}
    verified = post(browser, "challenge-verify", {"code": last_code()}, header)
    assert verified.status_code == 200 and not verified.cookies
    key = verified.json()["token"]["key"]
    tokened = post(
        Client(enforce_csrf_checks=True), "step-up-send", {}, {"Authorization": f"Token {key}"}
    )
    assert tokened.status_code == 200


def test_the_login_state_sets_the_csrf_cookie(db: None) -> None:
    client = Client()
    response = client.get("/api/login/", headers=JSON)
    assert response.json() == {"status": "anonymous"}
    assert settings.CSRF_COOKIE_NAME in response.cookies
