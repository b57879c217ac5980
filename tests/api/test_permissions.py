"""S6(b): a DRF view guarded by ``IsSecondFactorVerified`` refuses a password-only
session, HTTP Basic and DRF's plain tokens, and accepts a token only when it was minted
after the second factor; ``RecentSecondFactor(max_age)`` (S10)."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from django_tyntec2fa.api.permissions import RecentSecondFactor
from django_tyntec2fa.testing import force_second_factor

from .helpers import JSON, PASSWORD, app_login, assert_error, bearer


def _basic(username: str) -> dict[str, str]:
    raw = base64.b64encode(f"{username}:{PASSWORD}".encode()).decode()
    return {**JSON, "Authorization": f"Basic {raw}"}


def test_http_basic_with_the_right_password_is_refused_s6(client: Client, alice: Any) -> None:
    response = client.get("/probe/basic/", headers=_basic("alice"))
    assert_error(response, 401, "second_factor_required")
    assert SESSION_KEY not in client.session


def test_a_token_from_obtain_auth_token_is_refused_s6(client: Client, alice: Any) -> None:
    """A DRF token minted without the second factor (as obtain_auth_token does): refused
    by the plain TokenAuthentication behind the permission, and by ours outright."""
    key = Token.objects.create(user=alice).key
    headers = {**JSON, **bearer(key)}
    assert_error(client.get("/probe/plain-token/", headers=headers), 401, "second_factor_required")
    assert_error(client.get("/probe/verified/", headers=headers), 401, "second_factor_required")
    assert_error(client.get("/api/devices/", headers=headers), 401, "second_factor_required")


def test_a_token_minted_after_the_code_is_accepted(client: Client, alice: Any) -> None:
    key = app_login(client, alice)
    headers = {**JSON, **bearer(key)}
    assert Client().get("/probe/verified/", headers=headers).json()["username"] == "alice"
    # Behind the plain TokenAuthentication it is still only a token: no proof there.
    assert_error(
        Client().get("/probe/plain-token/", headers=headers), 401, "second_factor_required"
    )


def test_an_unknown_token_is_401(client: Client, db: None) -> None:
    response = client.get("/api/devices/", headers={**JSON, **bearer("0" * 40)})
    assert_error(response, 401, "authentication_failed")
    assert response["WWW-Authenticate"] == 'Token, SecondFactor realm="session"'
    # A project view with the API's handler: 401 as well, never DRF's 403.
    probe = client.get("/probe/verified/", headers={**JSON, **bearer("0" * 40)})
    assert_error(probe, 401, "authentication_failed")
    assert probe["WWW-Authenticate"]


def test_recent_second_factor_as_a_class_factory(client: Client, alice: Any) -> None:
    """``RecentSecondFactor(60)`` is a class DRF can instantiate, with max_age 60."""
    limited = RecentSecondFactor(60)
    assert isinstance(limited, type) and limited.max_age == 60
    assert isinstance(limited(), RecentSecondFactor)
    assert RecentSecondFactor().max_age is None
    force_second_factor(client, alice)
    assert client.get("/probe/recent/", headers=JSON).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61), tick=False):
        assert_error(client.get("/probe/recent/", headers=JSON), 403, "step_up_required")
        assert client.get("/probe/recent-default/", headers=JSON).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=301), tick=False):
        assert_error(client.get("/probe/recent-default/", headers=JSON), 403, "step_up_required")


def test_recent_second_factor_with_a_token(client: Client, alice: Any) -> None:
    headers = {**JSON, **bearer(app_login(client, alice))}
    assert Client().get("/probe/recent/", headers=headers).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61), tick=False):
        assert_error(Client().get("/probe/recent/", headers=headers), 403, "step_up_required")


def test_a_session_without_proof_is_not_verified(client: Client, carol: Any) -> None:
    """A user who needs no second factor is signed in, but not "verified"."""
    client.force_login(carol)
    assert client.get("/probe/authenticated/", headers=JSON).status_code == 200
    assert_error(client.get("/probe/verified/", headers=JSON), 401, "second_factor_required")
