"""The JSON API of the example project over real HTTP, as its clients use it.

An app: password (``"token": true``) → code → ``Authorization: Token``. A single-page
app: CSRF cookie → password → code → session cookie, each unsafe request with
``X-CSRFToken``. A password alone reaches no endpoint but the login's own steps: every
other one answers 401 ``second_factor_required``, whatever the client accepts (S1, S6).
The codes come from the DEBUG-only outbox, as a phone would show them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from .example_api import (
    LOGIN_HEADER,
    TIMEOUT,
    Account,
    create_account,
    csrf_headers,
    pending_session,
    spa_post,
    spa_session,
)
from .example_site import DEMO_NUMBER, DEMO_USER, Site, example_env, serve

pytestmark = pytest.mark.own_site

DEMO = Account(DEMO_USER[0], DEMO_USER[1], DEMO_NUMBER)
#: The endpoints a pending login may use: the password step, its challenge, the logout.
LOGIN_STEPS = ("/api/login/", "/api/logout/", "/api/challenge/")
#: What ``Accept`` says must not matter to an API endpoint: curl's default, a browser's,
#: JSON, and none at all.
ACCEPTS = ("*/*", "text/html,application/xhtml+xml,*/*;q=0.8", "application/json", None)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    directory = tmp_path_factory.mktemp("example-api")
    yield directory, example_env(directory)


@pytest.fixture(scope="module")
def site(env: tuple[Path, dict[str, str]]) -> Iterator[Site]:
    directory, environment = env
    with serve(environment, directory / "runserver.log") as running:
        yield running


@pytest.fixture(scope="module")
def operations(site: Site) -> list[tuple[str, str]]:
    """Every (method, path) of the served schema."""
    response = requests.get(site.url + "/api/schema/?format=json", timeout=TIMEOUT)
    response.raise_for_status()
    paths: dict[str, dict[str, Any]] = response.json()["paths"]
    found = [(method.upper(), path) for path, methods in paths.items() for method in methods]
    assert len(found) >= 10, found  # the schema lists the whole API, not a stub
    return found


def test_app_password_code_token(site: Site) -> None:
    """An app gets a token only after the code, and the token then opens the API (S6)."""
    body = {"username": DEMO.username, "password": DEMO.password, "token": True}
    answer = requests.post(site.url + "/api/login/", json=body, timeout=TIMEOUT)
    assert answer.status_code == 200, answer.text
    pending = answer.json()
    assert pending["status"] == "second_factor_required"
    assert "token" not in pending
    assert [device["number"] for device in pending["devices"]] == ["+49*******6789"]
    assert pending["challenge"]["purpose"] == "login"
    assert not answer.cookies  # an app's login lives behind its login_token only
    login = {LOGIN_HEADER: pending["login_token"]}

    # The pending login opens nothing else, with or without its login token.
    devices = requests.get(site.url + "/api/devices/", headers=login, timeout=TIMEOUT)
    assert devices.status_code == 401

    code = site.delivered_code(DEMO.number)
    verified = requests.post(
        site.url + "/api/challenge/verify/", json={"code": code}, headers=login, timeout=TIMEOUT
    )
    assert verified.status_code == 200, verified.text
    token = verified.json()["token"]
    assert verified.json()["status"] == "authenticated"
    assert token["scheme"] == "Token"

    authorization = {"Authorization": f"Token {token['key']}"}
    devices = requests.get(site.url + "/api/devices/", headers=authorization, timeout=TIMEOUT)
    assert devices.status_code == 200, devices.text
    assert [(device["number"], device["primary"]) for device in devices.json()] == [
        ("+49*******6789", True)
    ]
    # The login token was used up by the verify answer (no replay).
    replay = requests.post(
        site.url + "/api/challenge/verify/", json={"code": code}, headers=login, timeout=TIMEOUT
    )
    assert replay.status_code == 401
    assert replay.json()["code"] == "login_timeout"
    assert requests.get(site.url + "/api/devices/", timeout=TIMEOUT).status_code == 401


def test_spa_password_code_session(site: Site) -> None:
    """A browser app: the session counts only after the code; every unsafe request
    carries the CSRF token, and the session key changes at the code (S3)."""
    client = spa_session(site)
    body = {"username": DEMO.username, "password": DEMO.password}
    refused = client.post(site.url + "/api/login/", json=body, timeout=TIMEOUT)
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"

    answer = spa_post(client, site, "/api/login/", body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "second_factor_required"
    assert "login_token" not in answer.json()
    pending_key = client.cookies["sessionid"]
    assert client.get(site.url + "/api/devices/", timeout=TIMEOUT).status_code == 401

    verified = spa_post(
        client, site, "/api/challenge/verify/", {"code": site.delivered_code(DEMO.number)}
    )
    assert verified.status_code == 200, verified.text
    assert verified.json() == {"status": "authenticated", "token": None}
    assert client.cookies["sessionid"] != pending_key

    devices = client.get(site.url + "/api/devices/", timeout=TIMEOUT)
    assert devices.status_code == 200, devices.text
    pk = devices.json()[0]["id"]
    primary = f"{site.url}/api/devices/{pk}/primary/"
    without_csrf = client.post(primary, timeout=TIMEOUT)
    assert without_csrf.status_code == 403
    assert without_csrf.json()["code"] == "csrf_failed"
    with_csrf = client.post(primary, headers=csrf_headers(client), timeout=TIMEOUT)
    assert with_csrf.status_code == 200, with_csrf.text
    assert with_csrf.json()["primary"] is True
    assert client.get(site.url + "/api/login/", timeout=TIMEOUT).json() == {
        "status": "authenticated"
    }


def test_a_pending_session_gets_401_from_every_other_endpoint(
    site: Site, env: tuple[Path, dict[str, str]], operations: list[tuple[str, str]]
) -> None:
    """S1, S6: a password alone reaches only the login's own steps; every other
    endpoint of the schema answers 401 ``second_factor_required`` in the error shape,
    for any ``Accept`` (curl's ``*/*`` used to get the HTML challenge page)."""
    account = create_account(env[1], Account("api-pending", "api-pending-pass", "+4915123456711"))
    client = pending_session(site, account)
    device_pk = client.get(site.url + "/api/challenge/", timeout=TIMEOUT).json()["devices"][0]["id"]
    gated = [(method, path) for method, path in operations if not path.startswith(LOGIN_STEPS)]
    assert {path for _method, path in gated} >= {"/api/devices/", "/api/step-up/verify/"}
    for method, path in gated:
        url = site.url + path.replace("{id}", str(device_pk))
        for accept in ACCEPTS:
            headers = {**csrf_headers(client), **({"Accept": accept} if accept else {})}
            response = client.request(
                method, url, json={}, headers=headers, allow_redirects=False, timeout=TIMEOUT
            )
            where = f"{method} {path} (Accept: {accept})"
            assert response.status_code == 401, f"{where}: {response.status_code}"
            assert response.json()["code"] == "second_factor_required", where
            assert response.json()["detail"], where
    # Nothing of that ended or completed the pending login.
    state = client.get(site.url + "/api/login/", timeout=TIMEOUT).json()
    assert state == {"status": "second_factor_required"}


def test_resend_too_soon_is_429_with_retry_after(
    site: Site, env: tuple[Path, dict[str, str]]
) -> None:
    """A resend inside ``TYNTEC2FA_RESEND_COOLDOWN`` is a 429 with ``Retry-After``."""
    account = create_account(env[1], Account("api-resend", "api-resend-pass", "+4915123456712"))
    client = pending_session(site, account)
    response = spa_post(client, site, "/api/challenge/resend/", {"channel": "VOICE"})
    assert response.status_code == 429, response.text
    assert response.json()["code"] == "resend_not_allowed"
    assert 0 < int(response.headers["Retry-After"]) <= 30
