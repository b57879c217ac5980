"""Fixtures of the API tests: their URLconf (tests/api/urls.py), users with and without
phones, and JSON clients at each stage of a login."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from .helpers import password, session_login

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
def pending(client: Client, alice: Any) -> Client:
    """Alice's password is done through the API; the code is in the outbox."""
    password(client, alice)
    return client


@pytest.fixture
def verified(client: Client, alice: Any) -> Client:
    """Alice passed password and code through the API (a session)."""
    session_login(client, alice)
    return client
