"""Fixtures of the "remember this browser" tests (S9): the feature on for 30 days, a
fresh rate-limit cache, and a client whose browser Alice has trusted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from django_tyntec2fa.flows import trust

from .. import steps

DAYS = 30
#: The app's LoginView in tests/urls.py (Django's own is steps.LOGIN).
APP_LOGIN = "/accounts/login-2fa/"
CHALLENGE = "/2fa/challenge/"
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36"
)


@pytest.fixture(autouse=True)
def _trust_on(settings: Any) -> Iterator[None]:
    settings.TYNTEC2FA_TRUST_BROWSER_DAYS = DAYS
    cache.clear()
    yield
    cache.clear()


def trusting_login(client: Client, user: Any, *, remember: bool = True) -> Any:
    """Password, then the right code with the box ticked (or not); the code's answer."""
    steps.password_login(client, user)
    data = {"code": steps.last_code()}
    if remember:
        data["remember"] = "1"
    response = client.post(CHALLENGE, data, HTTP_USER_AGENT=CHROME_ANDROID)
    assert response.status_code == 302, response.content
    return response


@pytest.fixture
def trusted_client(client: Client, alice: Any) -> Client:
    """A browser Alice trusted and then signed out of."""
    trusting_login(client, alice)
    assert trust.COOKIE_NAME in client.cookies
    cookie = client.cookies[trust.COOKIE_NAME]
    client.logout()
    client.cookies[trust.COOKIE_NAME] = cookie.value
    return client
