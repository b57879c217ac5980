"""A client of the example project's JSON API over real HTTP, for black-box tests.

Shared by ``test_example_api.py`` and ``test_schemathesis.py``: extra users with their
own phone (so a test that hammers one account leaves the others usable) and the three
ways to sign in, with the code the local provider delivered (``Site.delivered_code``): a
pending cookie session, a verified cookie session (SPA: cookie + ``X-CSRFToken``) and an API
token (an app: ``"token": true``, ``X-Tyntec2FA-Login``, then ``Authorization: Token``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from .example_site import Site, manage

#: Seconds any single API request may take.
TIMEOUT = 10.0
LOGIN_HEADER = "X-Tyntec2FA-Login"
#: The authentication states of a client that the black-box tests exercise.
CLIENT_STATES = ("anonymous", "pending", "verified-session", "verified-token")

# Creates (or resets) a user with one confirmed primary phone; run with ``manage shell``.
_CREATE_USER = """
from django.contrib.auth import get_user_model
from django_tyntec2fa.models import PhoneDevice
user, _ = get_user_model().objects.get_or_create(username={username!r})
user.set_password({password!r})
user.save()
PhoneDevice.objects.filter(user=user).delete()
PhoneDevice.objects.create(
    pk={device_pk!r}, user=user, number={number!r}, confirmed=True, is_primary=True
)
"""


@dataclass(frozen=True)
class Account:
    """A user of the example site and the phone their codes go to."""

    username: str
    password: str
    number: str


def create_account(env: dict[str, str], account: Account, device_pk: int | None = None) -> Account:
    """Create ``account`` in the example site's database (idempotent); its phone gets
    ``device_pk`` as id when given, else the next free one."""
    script = _CREATE_USER.format(
        username=account.username,
        password=account.password,
        number=account.number,
        device_pk=device_pk,
    )
    manage("shell", "-v", "0", "-c", script, env=env)
    return account


def spa_session(site: Site) -> requests.Session:
    """A cookie client holding the CSRF cookie (``GET /api/login/`` sets it)."""
    client = requests.Session()
    response = client.get(site.url + "/api/login/", timeout=TIMEOUT)
    response.raise_for_status()
    return client


def csrf_headers(client: requests.Session) -> dict[str, str]:
    """The header Django's CSRF check wants, from the client's current cookie."""
    return {"X-CSRFToken": client.cookies.get("csrftoken", "")}


def spa_post(client: requests.Session, site: Site, path: str, body: Any) -> requests.Response:
    """An unsafe request of a cookie client, with its CSRF header."""
    return client.post(site.url + path, json=body, headers=csrf_headers(client), timeout=TIMEOUT)


def pending_session(site: Site, account: Account) -> requests.Session:
    """A cookie session after the password step: the code is sent, nobody signed in."""
    client = spa_session(site)
    body = {"username": account.username, "password": account.password}
    response = spa_post(client, site, "/api/login/", body)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "second_factor_required", response.text
    return client


def verified_session(site: Site, account: Account) -> requests.Session:
    """A cookie session signed in with the password and the code."""
    client = pending_session(site, account)
    code = site.delivered_code(account.number)
    response = spa_post(client, site, "/api/challenge/verify/", {"code": code})
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "authenticated", "token": None}, response.text
    return client


def api_token(site: Site, account: Account) -> str:
    """An API token minted after the password and the code (no cookie involved)."""
    body = {"username": account.username, "password": account.password, "token": True}
    response = requests.post(site.url + "/api/login/", json=body, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    login_token = response.json()["login_token"]
    code = site.delivered_code(account.number)
    response = requests.post(
        site.url + "/api/challenge/verify/",
        json={"code": code},
        headers={LOGIN_HEADER: login_token},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200, response.text
    token = response.json()["token"]
    assert token["scheme"] == "Token", response.text
    return str(token["key"])
