"""Fixtures of the management-command tests."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from django_tyntec2fa.models import Challenge, PhoneDevice

NUMBER = "+4915123456789"
MASKED = "+49*******6789"


def run(name: str, *args: str, **options: Any) -> tuple[str, str]:
    """Run a command; returns (stdout, stderr)."""
    out, err = StringIO(), StringIO()
    call_command(name, *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def alice(db: None) -> Any:
    return get_user_model().objects.create_user("alice", "alice@example.org", "pw-alice-123")


@pytest.fixture
def device(alice: Any) -> PhoneDevice:
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
