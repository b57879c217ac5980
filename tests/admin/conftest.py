"""Fixtures of the admin tests: a superuser whose session passed the second factor."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from django_tyntec2fa.testing import force_second_factor

from ..rows import MASKED, NUMBER, alice, device, make_challenge  # noqa: F401  (shared)


def verified_client(user: Any) -> Client:
    """A client signed in with password and second factor."""
    client = Client()
    force_second_factor(client, user)
    return client


@pytest.fixture
def superuser(db: None) -> Any:
    return get_user_model().objects.create_superuser("root", "root@example.com", "pw-root-123")


@pytest.fixture
def staff(superuser: Any) -> Client:
    return verified_client(superuser)
