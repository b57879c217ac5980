"""Fixtures of the admin tests: a superuser whose session passed the second factor."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from django_tyntec2fa.models import Challenge, PhoneDevice

NUMBER = "+4915123456789"
MASKED = "+49*******6789"


def verified_client(user: Any) -> Client:
    """A client signed in with password and second factor, whatever middleware is on."""
    client = Client()
    try:
        from django_tyntec2fa.testing import force_second_factor
    except ImportError:  # the helper arrives with the middleware
        client.force_login(user)
    else:
        force_second_factor(client, user)
    return client


@pytest.fixture
def superuser(db: None) -> Any:
    return get_user_model().objects.create_superuser("root", "root@example.com", "pw-root-123")


@pytest.fixture
def staff(superuser: Any) -> Client:
    return verified_client(superuser)


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
