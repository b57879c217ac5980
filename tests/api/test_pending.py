"""S1 through DRF: after the password step alone, every API endpoint answers 401
``second_factor_required``, except the steps of the login itself, with the gate
middleware and without it; DRF's SessionAuthentication sees an anonymous user."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver

from django_tyntec2fa.gate.access import PendingAccess
from django_tyntec2fa.models import PhoneDevice

from .helpers import JSON, PASSWORD, assert_error, get, password, post

GATE = "django_tyntec2fa.gate.middleware.SecondFactorMiddleware"
NAMESPACE = "tyntec2fa-api"
#: The endpoints a pending login may reach: its challenge, its enrollment and logout.
API_URL_NAMES = frozenset(
    {
        "challenge",
        "challenge-send",
        "challenge-resend",
        "challenge-verify",
        "challenge-cancel",
        "challenge-recover",
        "logout",
        "device-add",
        "device-confirm",
    }
)
#: The steps a pending login takes (the gate's allow-list plus the login itself).
LOGIN_STEPS = API_URL_NAMES | {"login"}
#: Steps of a pending *enrollment* only: a password-only login may not use them (E2).
ENROLL_STEPS = frozenset({"device-add", "device-confirm"})
METHODS = ("get", "post", "delete")


@dataclass(frozen=True)
class Endpoint:
    name: str
    route: str
    methods: tuple[str, ...]


def _endpoints(patterns: Any, prefix: str = "", names: tuple[str, ...] = ()) -> Iterator[Endpoint]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            space = (*names, entry.namespace) if entry.namespace else names
            yield from _endpoints(entry.url_patterns, prefix + str(entry.pattern), space)
        elif NAMESPACE in names and entry.name is not None:
            view = entry.callback.view_class
            methods = tuple(method for method in METHODS if hasattr(view, method))
            yield Endpoint(entry.name, prefix + str(entry.pattern), methods)


def api_endpoints() -> list[Endpoint]:
    """Every route of the API in the test URLconf, from its resolver."""
    return list(_endpoints(get_resolver("tests.api.urls").url_patterns))


def _call(client: Client, endpoint: Endpoint, method: str, pk: int) -> Any:
    path = "/" + endpoint.route.replace("<int:pk>", str(pk))
    if method == "get":
        return client.get(path, headers=JSON)
    if method == "delete":
        return client.delete(path, headers=JSON)
    return client.post(path, data={}, content_type="application/json", headers=JSON)


def test_the_walk_covers_the_whole_api() -> None:
    names = {endpoint.name for endpoint in api_endpoints()}
    assert len(names) == 18
    assert {
        "devices",
        "device-detail",
        "device-primary",
        "step-up-send",
        "login",
        "logout",
        "recovery-codes",
        "trusted-browsers",
        "trusted-browser-detail",
    } <= names
    assert API_URL_NAMES <= names


def test_the_views_themselves_say_what_a_pending_login_may_reach() -> None:
    """The gate reads each view's ``pending_access``: exactly the login steps have one,
    and only the login endpoint counts as a login view."""
    access = {
        endpoint.name: get_resolver("tests.api.urls")
        .resolve("/" + endpoint.route.replace("<int:pk>", "1"))
        .func.view_class.pending_access
        for endpoint in api_endpoints()
    }
    assert {name for name, value in access.items() if value is not None} == LOGIN_STEPS
    assert access["login"] == PendingAccess.LOGIN
    assert {access[name] for name in API_URL_NAMES} == {PendingAccess.STEP}


@pytest.fixture(params=["with the gate", "without the gate"])
def gate(request: pytest.FixtureRequest, settings: Any) -> str:
    if request.param == "without the gate":
        settings.MIDDLEWARE = [entry for entry in settings.MIDDLEWARE if entry != GATE]
    return str(request.param)


def test_every_endpoint_refuses_a_password_only_login_s1(
    client: Client, alice: Any, gate: str
) -> None:
    password(client, alice)
    pk = PhoneDevice.objects.filter(user=alice).first().pk
    checked = 0
    for endpoint in api_endpoints():
        if endpoint.name in LOGIN_STEPS - ENROLL_STEPS:
            continue
        for method in endpoint.methods:
            response = _call(client, endpoint, method, pk)
            assert_error(response, 401, "second_factor_required")
            assert response["WWW-Authenticate"]
            checked += 1
    # devices (GET), add, confirm, detail (GET, DELETE), primary, step-up x2, recovery
    # codes (GET, POST), trusted browsers (GET), one of them (DELETE)
    assert checked == 12
    # An id that is no number: no endpoint, and no page either.
    assert_error(client.get("/api/devices/abc/", headers=JSON), 401, "second_factor_required")
    # The login is still pending and its code still works: nothing above spent it.
    assert get(client, "login").json() == {"status": "second_factor_required"}


def test_the_login_steps_serve_the_pending_login(client: Client, alice: Any, gate: str) -> None:
    password(client, alice)
    assert get(client, "challenge").status_code == 200
    assert get(client, "login").status_code == 200
    assert post(client, "challenge-resend").status_code == 429  # the resend cooldown


def test_drf_session_authentication_sees_an_anonymous_user(
    client: Client, alice: Any, settings: Any
) -> None:
    """Without the gate, what DRF makes of a pending session: nobody (S1)."""
    settings.MIDDLEWARE = [entry for entry in settings.MIDDLEWARE if entry != GATE]
    password(client, alice)
    assert client.get("/probe/whoami/", headers=JSON).json() == {
        "authenticated": False,
        "username": "",
    }
    assert_error(client.get("/probe/authenticated/", headers=JSON), 401, "not_authenticated")
    assert_error(client.get("/probe/verified/", headers=JSON), 401, "second_factor_required")


def test_a_pending_enrollment_may_only_add_a_phone(
    client: Client, make_user: Any, settings: Any
) -> None:
    """A user the policy requires to enroll: the login steps answer
    ``enrollment_required``; everything but adding a phone stays closed."""
    settings.TYNTEC2FA_REQUIRED = "django_tyntec2fa.core.policy.all_users"
    dave = make_user("dave")
    answer = post(client, "login", {"username": "dave", "password": PASSWORD})
    assert answer.json() == {
        "status": "enrollment_required",
        "devices": [],
        "challenge": None,
        **{"tries_left": None, "retry_after": None, "locked": False},
    }
    assert_error(get(client, "challenge"), 401, "enrollment_required")
    assert_error(post(client, "challenge-verify", {"code": "123456"}), 401, "enrollment_required")
    assert_error(get(client, "devices"), 401, "second_factor_required")
    assert_error(post(client, "step-up-send"), 401, "second_factor_required")
    assert dave.tyntec2fa_devices.count() == 0


def test_anonymous_requests_are_not_authenticated(client: Client, db: None) -> None:
    """Nobody at all: 401 ``not_authenticated`` (never DRF's 403)."""
    for name in ("devices", "step-up-send", "challenge"):
        response = get(client, name) if name != "step-up-send" else post(client, name)
        assert_error(response, 401, "not_authenticated")
