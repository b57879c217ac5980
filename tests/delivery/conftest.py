"""Fixtures of the delivery status tests (issue 13): the HTML app and the JSON API
(tests/api/urls.py), the real tyntec client against an in-process ``FakeTyntec``, whose
events are counted, and a clock for the delivery flows that tests can move."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from django_tyntec2fa.conf import TYNTEC_PROVIDER
from django_tyntec2fa.flows import delivery, fallback
from django_tyntec2fa.testing.fake_tyntec import FakeTyntec

from ..api.conftest import API_HANDLER
from ..views.helpers import BROWSER_HEADERS

API_KEY = "delivery-key"


class Clock:
    """``time`` as flows/delivery.py and flows/fallback.py see it: the wall clock
    plus what the test advanced (the fake's clock is advanced with it)."""

    def __init__(self, fake: FakeTyntec) -> None:
        self.offset = 0.0
        self.fake = fake

    def time(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds
        self.fake.advance(seconds)


@pytest.fixture
def fake() -> Iterator[FakeTyntec]:
    with FakeTyntec(api_key=API_KEY) as running:
        yield running


@pytest.fixture(autouse=True)
def _site(settings: Any, fake: FakeTyntec) -> Iterator[None]:
    settings.ROOT_URLCONF = "tests.api.urls"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "EXCEPTION_HANDLER": API_HANDLER}
    settings.LOGIN_REDIRECT_URL = "/protected/"
    settings.TYNTEC2FA_PROVIDER = TYNTEC_PROVIDER
    settings.TYNTEC2FA_API_URL = fake.url
    settings.TYNTEC2FA_API_KEY = API_KEY
    settings.TYNTEC2FA_TIMEOUT = (1.0, 1.0)
    settings.TYNTEC2FA_RATELIMIT_ENABLE = False
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch, fake: FakeTyntec) -> Clock:
    moved = Clock(fake)
    monkeypatch.setattr(delivery, "time", moved)
    monkeypatch.setattr(fallback, "time", moved)
    return moved


@pytest.fixture
def every_poll_asks(monkeypatch: pytest.MonkeyPatch) -> None:
    """No 3-second spacing: each computation asks the provider (for the state tests)."""
    monkeypatch.setattr(delivery, "INTERVAL", 0)


@pytest.fixture
def browser() -> Client:
    return Client(headers=BROWSER_HEADERS)
