"""Fixtures of the fault table: the view tests' site, browser and users, with
``TyntecProvider`` pointed at an in-process ``FakeTyntec`` (a fresh one per test, so a
hanging request is released when the test ends) and a short timeout, so latency and
hangs cost half a second each."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from django_tyntec2fa.conf import TYNTEC_PROVIDER
from django_tyntec2fa.testing.fake_tyntec import FakeTyntec

from ..views.conftest import _site, client  # noqa: F401  (fixtures)

API_KEY = "fault-table-key"
#: (connect, read) seconds; the ``latency`` fault waits longer than this.
TIMEOUT = (0.5, 0.5)


@pytest.fixture
def fake() -> Iterator[FakeTyntec]:
    """A fake tyntec on a free loopback port; stopping it releases hung requests."""
    with FakeTyntec(api_key=API_KEY) as running:
        yield running


@pytest.fixture(autouse=True)
def _tyntec(settings: Any, fake: FakeTyntec) -> None:
    """The real tyntec client against the fake, no resend cooldown (a retry follows at
    once) and no rate limits (this table is about faults)."""
    settings.TYNTEC2FA_PROVIDER = TYNTEC_PROVIDER
    settings.TYNTEC2FA_API_URL = fake.url
    settings.TYNTEC2FA_API_KEY = API_KEY
    settings.TYNTEC2FA_TIMEOUT = TIMEOUT
    settings.TYNTEC2FA_RESEND_COOLDOWN = 0
    settings.TYNTEC2FA_RATELIMIT_ENABLE = False
