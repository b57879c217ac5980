"""The users the view and API tests share: Alice (two phones), Bob (one), Carol (none).

Both conftests re-export these fixtures, so each suite keeps its own client and URLconf
while the people are defined once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest
from django.contrib.auth import get_user_model

PASSWORD = "correct horse battery staple"
ALICE_PRIMARY = "+4915123456789"
ALICE_BACKUP = "+4917612345678"
BOB_PHONE = "+4916091234567"


@pytest.fixture
def make_user(db: None) -> Callable[..., Any]:
    """A user with confirmed phones; the first is primary."""
    # Imported here: the root conftest imports this module before Django is set up.
    from django_tyntec2fa.models import PhoneDevice

    def make(username: str, phones: Iterable[str] = ()) -> Any:
        user = get_user_model().objects.create_user(username, password=PASSWORD)
        for index, number in enumerate(phones):
            PhoneDevice.objects.create(
                user=user, number=number, confirmed=True, is_primary=index == 0
            )
        return user

    return make


@pytest.fixture
def alice(make_user: Callable[..., Any]) -> Any:
    """A primary phone and a backup."""
    return make_user("alice", [ALICE_PRIMARY, ALICE_BACKUP])


@pytest.fixture
def bob(make_user: Callable[..., Any]) -> Any:
    """Another user with one phone (the IDOR victim)."""
    return make_user("bob", [BOB_PHONE])


@pytest.fixture
def carol(make_user: Callable[..., Any]) -> Any:
    """No phone, and no policy requires one."""
    return make_user("carol")
