"""Fixtures of the API tests: their URLconf (tests/api/urls.py), users with and without
phones, and JSON clients at each stage of a login."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client

from django_tyntec2fa.models import PhoneDevice

from .helpers import ALICE_BACKUP, ALICE_PRIMARY, BOB_PHONE, PASSWORD, password, session_login

API_HANDLER = "django_tyntec2fa.api.errors.exception_handler"


@pytest.fixture(autouse=True)
def _site(settings: Any) -> Iterator[None]:
    """The API URLconf; the API's error handler for the probes too; fresh rate limits."""
    settings.ROOT_URLCONF = "tests.api.urls"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "EXCEPTION_HANDLER": API_HANDLER}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client() -> Client:
    """A JSON client with a cookie jar (an SPA); CSRF checks as the test client makes them."""
    return Client()


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
    """No phone, and no policy requires one."""
    return make_user("carol")


@pytest.fixture
def pending(client: Client, alice: Any) -> Client:
    """Alice's password is done through the API; the code is in the outbox."""
    password(client, alice)
    return client


@pytest.fixture
def verified(client: Client, alice: Any) -> Client:
    """Alice passed password and code through the API (a session)."""
    session_login(client, alice)
    return client
