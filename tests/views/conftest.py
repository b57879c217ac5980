"""Fixtures of the view tests: a small site (tests/views/urls.py) with the app's
middleware, users with phones, and clients at each stage of a login."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from ..steps import FullLogin, PasswordLogin
from .helpers import BROWSER_HEADERS

GATE = "django_tyntec2fa.gate.middleware.SecondFactorMiddleware"
AUTH = "django.contrib.auth.middleware.AuthenticationMiddleware"


@pytest.fixture(autouse=True)
def _site(settings: Any) -> None:
    """The view tests' URLconf and the gate right after authentication; rate-limit
    counters (in the locmem cache) start from zero in every test."""
    settings.ROOT_URLCONF = "tests.views.urls"
    middleware = [entry for entry in settings.MIDDLEWARE if entry != GATE]
    middleware.insert(middleware.index(AUTH) + 1, GATE)
    settings.MIDDLEWARE = middleware
    settings.LOGIN_REDIRECT_URL = "/protected/"
    cache.clear()


#: Noon: any wait a test starts ends the same day, so a page reads "at 13:05:30 UTC"
#: with no date in front (views/feedback.clock_text), whenever the suite runs.
MIDDAY = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def midday() -> Iterator[None]:
    """The clock at ``MIDDAY``, running; ask for it before the fixtures that sign in."""
    with time_machine.travel(MIDDAY, tick=True):
        yield


@pytest.fixture
def client() -> Client:
    """A browser: it asks for HTML, so the gate answers with pages, not 401 JSON."""
    return Client(headers=BROWSER_HEADERS)


@pytest.fixture
def pending(client: Client, alice: Any, password_login: PasswordLogin) -> Client:
    """Alice's password is done; the login code is in the outbox."""
    password_login(client, alice)
    return client


@pytest.fixture
def verified(client: Client, alice: Any, full_login: FullLogin) -> Client:
    """Alice passed the password and the code."""
    full_login(client, alice)
    return client
