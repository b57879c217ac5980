"""Operator commands: clean up, show a user's status, disable the second factor."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def get_user(username: str) -> Any:
    """The user with this username (``USERNAME_FIELD``), or a ``CommandError``."""
    model = get_user_model()
    try:
        return model._default_manager.get_by_natural_key(username)
    except model.DoesNotExist:
        raise CommandError(f"No user with {model.USERNAME_FIELD} {username!r}.") from None
