"""A custom token issuer for the tests (TYNTEC2FA_API_TOKEN_ISSUER)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

#: Usernames the issuer was called for, in order.
issued: list[str] = []


def fake_issuer(request: HttpRequest, user: Any) -> dict[str, Any]:
    """Records the call; returns a token of another kind (say, a JWT)."""
    issued.append(user.get_username())
    return {"access": f"fake-for-{user.get_username()}"}


def broken_issuer(request: HttpRequest, user: Any) -> dict[str, Any]:
    """An issuer whose storage fails after the code was accepted."""
    from django.db import DatabaseError

    raise DatabaseError("no such table: my_tokens")
