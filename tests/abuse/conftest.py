"""Fixtures of the SMS-pumping and cost-defence tests (P1-P4, P8, E6, U2).

The users, phones and requests come from the flow tests' conftest. Rate limits are on
(the defaults) unless a test switches them off; the cache, which holds the limit and
budget counters, is cleared around every test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from django_tyntec2fa import signals
from django_tyntec2fa.testing.fake_tyntec import FakeTyntec

from ..admin.conftest import staff, superuser  # noqa: F401  (fixtures)
from ..flows.conftest import make_request, user  # noqa: F401  (fixtures)
from ..flows.helpers import received

FAKE_KEY = "fake-api-key-abuse"


@pytest.fixture(autouse=True)
def _fresh_counters() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_user(db: None) -> Callable[[str], Any]:
    """``make_user(name)``: a user without a phone."""

    def make(name: str) -> Any:
        return get_user_model().objects.create_user(name, password="pw-for-tests")

    return make


@pytest.fixture
def refusals() -> Iterator[list[dict[str, Any]]]:
    """The keyword arguments of every ``send_refused`` signal sent during the test."""
    with received(signals.send_refused) as calls:
        yield calls


@pytest.fixture
def fake(settings: Any) -> Iterator[FakeTyntec]:
    """``TyntecProvider`` over HTTP to a FakeTyntec on 127.0.0.1 is the provider."""
    with FakeTyntec(api_key=FAKE_KEY) as server:
        settings.TYNTEC2FA_PROVIDER = "django_tyntec2fa.providers.tyntec.TyntecProvider"
        settings.TYNTEC2FA_API_KEY = FAKE_KEY
        settings.TYNTEC2FA_API_URL = server.url
        settings.TYNTEC2FA_TIMEOUT = (1.0, 2.0)
        yield server
