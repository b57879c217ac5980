"""Database rows the admin and command tests share: a user with one confirmed phone,
and challenges as the flows would leave them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from django_tyntec2fa.models import Challenge, PhoneDevice

NUMBER = "+4915123456789"
MASKED = "+49*******6789"


@pytest.fixture
def alice(db: None) -> Any:
    """A user with an e-mail address (the admin searches by it)."""
    return get_user_model().objects.create_user("alice", "alice@example.org", "pw-alice-123")


@pytest.fixture
def device(alice: Any) -> PhoneDevice:
    """Alice's confirmed primary phone."""
    return PhoneDevice.objects.create(
        user=alice, number=NUMBER, label="Work", confirmed=True, is_primary=True
    )


def make_challenge(device: PhoneDevice, **fields: Any) -> Challenge:
    """A challenge row as the flows would leave it."""
    defaults: dict[str, Any] = {
        "purpose": Challenge.Purpose.LOGIN,
        "channel": PhoneDevice.Channel.SMS,
        "max_attempts": 3,
        "expires_at": timezone.now() + dt.timedelta(minutes=5),
    }
    return Challenge.objects.create(user=device.user, device=device, **{**defaults, **fields})
