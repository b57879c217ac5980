"""Fixtures of the gate tests (middleware, receivers, decorators): users with and
without a phone; the login steps are in helpers.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from .helpers import ALICE_PHONE, BOB_PHONE, make_user


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    """Rate-limit counters live in the locmem cache; every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alice(db: None) -> Any:
    """A staff user (the admin is walked too) with a confirmed phone."""
    return make_user("alice-gate", ALICE_PHONE, staff=True)


@pytest.fixture
def bob(db: None) -> Any:
    """Another user with a phone (S4)."""
    return make_user("bob-gate", BOB_PHONE)


@pytest.fixture
def carol(db: None) -> Any:
    """No phone, and no policy requires one: a password is enough."""
    return make_user("carol-gate")
