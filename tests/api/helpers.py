"""Steps the API tests share: JSON requests, the code from the outbox, the logins."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from .. import steps
from ..people import ALICE_BACKUP, ALICE_PRIMARY, BOB_PHONE, PASSWORD  # noqa: F401  (shared)

NEW_NUMBER = "+4915712345678"
LOGIN_HEADER = "X-Tyntec2FA-Login"
JSON = {"accept": "application/json"}


def url(name: str, **kwargs: Any) -> str:
    """An API URL by its short name, e.g. ``url("challenge-verify")``."""
    return reverse(f"tyntec2fa-api:{name}", kwargs=kwargs or None)


def get(client: Client, name: str, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
    """GET an API endpoint as a JSON client."""
    return client.get(url(name, **kwargs), headers={**JSON, **(headers or {})})


def post(
    client: Client,
    name: str,
    data: Any = None,
    headers: dict[str, str] | None = None,
    **kwargs: Any,
) -> Any:
    """POST JSON to an API endpoint."""
    return client.post(
        url(name, **kwargs),
        data={} if data is None else data,
        content_type="application/json",
        headers={**JSON, **(headers or {})},
    )


def delete(client: Client, name: str, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
    """DELETE an API endpoint."""
    return client.delete(url(name, **kwargs), headers={**JSON, **(headers or {})})


def password(client: Client, user: Any, **extra: Any) -> Any:
    """The API's password step; asserts it was accepted."""
    response = post(
        client, "login", {"username": user.get_username(), "password": PASSWORD, **extra}
    )
    assert response.status_code == 200, response.content
    return response


def session_login(client: Client, user: Any, number: str = ALICE_PRIMARY) -> Any:
    """Password and code through the API: a verified session (SPA)."""
    password(client, user)
    response = post(client, "challenge-verify", {"code": steps.last_code(number)})
    assert response.status_code == 200, response.content
    return response


def app_login(client: Client, user: Any, number: str = ALICE_PRIMARY) -> str:
    """Password and code as an app without cookies; returns the token key."""
    login_token = password(client, user, token=True).json()["login_token"]
    response = post(
        client, "challenge-verify", {"code": steps.last_code(number)}, {LOGIN_HEADER: login_token}
    )
    assert response.status_code == 200, response.content
    return str(response.json()["token"]["key"])


def bearer(key: str) -> dict[str, str]:
    """The Authorization header of a token client."""
    return {"Authorization": f"Token {key}"}


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The answer is the API's error shape with this status and code."""
    assert response.status_code == status, (response.status_code, response.content)
    body = response.json()
    assert body["code"] == code, body
    assert isinstance(body["detail"], str) and body["detail"], body
    return dict(body)
