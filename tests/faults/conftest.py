"""Fixtures of the fault table: the HTML views with ``TyntecProvider`` pointed at an
in-process ``FakeTyntec`` (a fresh one per test, so a hanging request is released when
the test ends) and a short timeout, so latency and hangs cost half a second each."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client

from django_tyntec2fa.conf import TYNTEC_PROVIDER
from django_tyntec2fa.models import PhoneDevice
from django_tyntec2fa.testing.fake_tyntec import FakeTyntec

API_KEY = "fault-table-key"
PASSWORD = "fault-table-password"
PRIMARY = "+4915123456789"
BACKUP = "+4917612345678"
#: (connect, read) seconds; the ``latency`` fault waits longer than this.
TIMEOUT = (0.5, 0.5)
GATE = "django_tyntec2fa.middleware.SecondFactorMiddleware"
AUTH = "django.contrib.auth.middleware.AuthenticationMiddleware"
BROWSER_HEADERS = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture
def fake() -> Iterator[FakeTyntec]:
    """A fake tyntec on a free loopback port; stopping it releases hung requests."""
    with FakeTyntec(api_key=API_KEY) as running:
        yield running


@pytest.fixture(autouse=True)
def _site(settings: Any, fake: FakeTyntec) -> None:
    """The view tests' small site, the real tyntec client against the fake, no resend
    cooldown (a retry follows at once) and no rate limits (this table is about faults)."""
    settings.ROOT_URLCONF = "tests.views.urls"
    middleware = [entry for entry in settings.MIDDLEWARE if entry != GATE]
    middleware.insert(middleware.index(AUTH) + 1, GATE)
    settings.MIDDLEWARE = middleware
    settings.LOGIN_REDIRECT_URL = "/protected/"
    settings.TYNTEC2FA_PROVIDER = TYNTEC_PROVIDER
    settings.TYNTEC2FA_API_URL = fake.url
    settings.TYNTEC2FA_API_KEY = API_KEY
    settings.TYNTEC2FA_TIMEOUT = TIMEOUT
    settings.TYNTEC2FA_RESEND_COOLDOWN = 0
    settings.TYNTEC2FA_RATELIMIT_ENABLE = False
    cache.clear()


@pytest.fixture
def client() -> Client:
    """A browser: HTML navigation, so the gate answers with pages."""
    return Client(headers=BROWSER_HEADERS)


@pytest.fixture
def alice(db: None) -> Any:
    """A user with a primary phone and a backup phone, both confirmed."""
    user = get_user_model().objects.create_user("alice", password=PASSWORD)
    PhoneDevice.objects.create(user=user, number=PRIMARY, confirmed=True, is_primary=True)
    PhoneDevice.objects.create(user=user, number=BACKUP, confirmed=True, is_primary=False)
    return user
