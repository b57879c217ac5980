"""Fixtures of the view tests: a small site (tests/views/urls.py) with the app's
middleware, users with phones, and clients at each stage of a login."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client

from django_tyntec2fa.models import PhoneDevice

from .helpers import (
    ALICE_BACKUP,
    ALICE_PRIMARY,
    BOB_PHONE,
    BROWSER_HEADERS,
    PASSWORD,
    full_login,
    password_login,
)

GATE = "django_tyntec2fa.middleware.SecondFactorMiddleware"
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


@pytest.fixture
def client() -> Client:
    """A browser: it asks for HTML, so the gate answers with pages, not 401 JSON."""
    return Client(headers=BROWSER_HEADERS)


@pytest.fixture
def make_user(db: None) -> Callable[..., Any]:
    """A user with confirmed phones; the first is primary."""

    def make(username: str, phones: Iterable[str] = ()) -> Any:
        user = get_user_model().objects.create_user(username, password=PASSWORD)
        for index, number in enumerate(phones):
            PhoneDevice.objects.create(
                user=user, number=number, confirmed=True, is_primary=index == 0
            )
        return user

    return make


@pytest.fixture
def alice(make_user: Callable[..., Any]) -> Any:
    """A primary phone and a backup."""
    return make_user("alice", [ALICE_PRIMARY, ALICE_BACKUP])


@pytest.fixture
def bob(make_user: Callable[..., Any]) -> Any:
    """Another user with one phone (the IDOR victim)."""
    return make_user("bob", [BOB_PHONE])


@pytest.fixture
def carol(make_user: Callable[..., Any]) -> Any:
    """No phone yet."""
    return make_user("carol")


@pytest.fixture
def pending(client: Client, alice: Any) -> Client:
    """Alice's password is done; the login code is in the outbox."""
    password_login(client, alice)
    return client


@pytest.fixture
def verified(client: Client, alice: Any) -> Client:
    """Alice passed the password and the code."""
    full_login(client, alice)
    return client
