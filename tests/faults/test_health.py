"""The django-health-check check (django_tyntec2fa.contrib.health_check, the ``[health]`` extra): the
breaker's state and whether tyntec answers, as ``tyntec2fa_status --provider`` says."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from django_tyntec2fa.contrib.health_check import Tyntec
from django_tyntec2fa.providers.tyntec import breaker
from django_tyntec2fa.testing.fake_tyntec import FakeTyntec, Fault

pytestmark = pytest.mark.django_db


def error_of(check: Tyntec) -> str | None:
    result = asyncio.run(check.get_result())
    return None if result.error is None else str(result.error)


def test_tyntec_answering_is_healthy(fake: FakeTyntec) -> None:
    assert error_of(Tyntec()) is None
    assert fake.counters["app_list"] == 1  # one cheap read; no code sent
    assert fake.counters.get("send", 0) == 0


def test_tyntec_failing_is_unavailable(fake: FakeTyntec) -> None:
    fake.inject(Fault("status", status=503))
    assert "ProviderUnavailable" in (error_of(Tyntec()) or "")


def test_an_open_breaker_is_unavailable_without_asking_tyntec(
    fake: FakeTyntec, settings: Any
) -> None:
    settings.TYNTEC2FA_BREAKER_FAILURES = 1
    breaker.failure(breaker.admit(), "test")
    before = sum(fake.counters.values())

    assert "circuit breaker open" in (error_of(Tyntec()) or "")
    assert error_of(Tyntec(ask_provider=False)) is not None
    assert sum(fake.counters.values()) == before
