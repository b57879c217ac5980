"""Fixtures for the local provider tests: a provider and a helper that sends and
returns the code the phone received (from the outbox sink of tests/settings.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from django_tyntec2fa.providers.base import OtpStatus
from django_tyntec2fa.providers.local import LocalProvider
from django_tyntec2fa.providers.sinks import Delivery

NUMBER = "+4915112345678"

SendFn = Callable[..., tuple[OtpStatus, str]]


@pytest.fixture
def provider() -> LocalProvider:
    return LocalProvider()


@pytest.fixture
def send(provider: LocalProvider, outbox: list[Delivery]) -> SendFn:
    """Send to ``NUMBER`` (or ``number=``); returns the status and the delivered code."""

    def _send(number: str = NUMBER, **kwargs: Any) -> tuple[OtpStatus, str]:
        before = len(outbox)
        status = provider.send(number, **kwargs)
        assert len(outbox) == before + 1
        delivery = outbox[-1]
        assert delivery.otp_id == status.otp_id
        return status, delivery.code

    return _send
