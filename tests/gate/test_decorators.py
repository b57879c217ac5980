"""``second_factor_required``, ``recent_second_factor`` and the mixins: with and
without the middleware (a fail-closed second line), sync and async, and step-up (S10)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from asgiref.sync import async_to_sync
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import AsyncClient, Client, RequestFactory
from django.utils import timezone

from django_tyntec2fa.core import session
from django_tyntec2fa.gate.decorators import recent_second_factor, second_factor_required
from django_tyntec2fa.testing import force_second_factor

from ..steps import LastCode, PasswordLogin
from .helpers import ALICE_PHONE, legacy_login, session_data, without_gate

CHALLENGE = "/2fa/challenge/"
PROTECTED = ("/protected/", "/protected/cbv/", "/protected/async/", "/protected/cbv-async/")
RECENT = ("/protected/recent/", "/protected/cbv-recent/", "/protected/recent-60/")


@pytest.fixture(params=["with middleware", "without middleware"])
def gate_setting(request: pytest.FixtureRequest, settings: Any) -> Iterator[str]:
    """Every decorator test runs with and without SecondFactorMiddleware."""
    if request.param == "without middleware":
        settings.MIDDLEWARE = without_gate(settings.MIDDLEWARE)
    yield request.param


def get(client: Client, path: str) -> Any:
    if "async" in path:
        async_client = AsyncClient()
        async_client.cookies = client.cookies
        return async_to_sync(async_client.get)(path)
    return client.get(path)


def body(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    return json.loads(response.content)


@pytest.mark.parametrize("path", PROTECTED + RECENT)
def test_anonymous_goes_to_login(client: Client, db: None, gate_setting: str, path: str) -> None:
    response = get(client, path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


@pytest.mark.parametrize("path", PROTECTED + RECENT)
def test_pending_login_goes_to_the_challenge(
    client: Client, alice: Any, gate_setting: str, path: str, password_login: PasswordLogin
) -> None:
    password_login(client, alice)
    assert get(client, path)["Location"] == f"{CHALLENGE}?next={path}"


@pytest.mark.parametrize("path", PROTECTED + RECENT)
def test_verified_passes(client: Client, alice: Any, gate_setting: str, path: str) -> None:
    force_second_factor(client, alice)
    assert body(get(client, path))["username"] == alice.get_username()


@pytest.mark.parametrize("path", PROTECTED)
def test_after_the_real_code_passes(
    client: Client,
    alice: Any,
    gate_setting: str,
    path: str,
    last_code: LastCode,
    password_login: PasswordLogin,
) -> None:
    password_login(client, alice)
    client.post(CHALLENGE, {"code": last_code(ALICE_PHONE)})
    assert body(get(client, path))["authenticated"] is True


@pytest.mark.parametrize("path", PROTECTED)
def test_logged_in_without_proof_is_made_pending(
    client: Client, alice: Any, gate_setting: str, path: str
) -> None:
    """Fail closed: a session logged in without the second factor (here without the
    middleware's help when it is absent) is turned into a pending login."""
    legacy_login(client, alice)
    assert get(client, path)["Location"] == f"{CHALLENGE}?next={path}"
    assert SESSION_KEY not in session_data(client)


@pytest.mark.parametrize("path", PROTECTED)
def test_user_without_phone_is_sent_to_enroll(
    client: Client, carol: Any, gate_setting: str, path: str, password_login: PasswordLogin
) -> None:
    """A password is enough for the site, but not for this view: add a phone."""
    password_login(client, carol)
    assert get(client, path)["Location"] == f"/2fa/enroll/?next={path}"
    assert SESSION_KEY in session_data(client)  # still logged in, only sent to enroll


def test_without_middleware_other_views_still_see_nobody(
    client: Client, alice: Any, gate_setting: str, password_login: PasswordLogin
) -> None:
    """S1 does not depend on the middleware: the pending state hides the user."""
    password_login(client, alice)
    if gate_setting == "without middleware":
        assert body(client.get("/whoami/")) == {"authenticated": False, "username": ""}
    else:
        assert client.get("/whoami/")["Location"].startswith(CHALLENGE)


def test_raise_exception_gives_403_and_changes_nothing(
    client: Client, alice: Any, settings: Any
) -> None:
    settings.MIDDLEWARE = without_gate(settings.MIDDLEWARE)
    client.raise_request_exception = False
    assert client.get("/protected/api/").status_code == 403
    legacy_login(client, alice)
    assert client.get("/protected/api/").status_code == 403
    assert SESSION_KEY in session_data(client)  # no pending login was started
    force_second_factor(client, alice)
    assert body(client.get("/protected/api/"))["authenticated"] is True


# --- S10: a recent second factor ------------------------------------------------------


def later(seconds: int) -> Any:
    return time_machine.travel(timezone.now() + dt.timedelta(seconds=seconds), tick=False)


def test_recent_at_4_minutes_step_up_at_6_s10(client: Client, alice: Any) -> None:
    """S10: the default max age (300 s): t+4 min allowed, t+6 min sent to step-up."""
    force_second_factor(client, alice)
    with later(240):
        assert body(client.get("/protected/recent/"))["authenticated"] is True
    with later(360):
        response = client.get("/protected/recent/")
        assert response["Location"] == "/2fa/step-up/?next=/protected/recent/"
        assert body(client.get("/protected/"))["authenticated"] is True  # still verified


@pytest.mark.parametrize("path", ["/protected/recent-60/", "/protected/cbv-recent/"])
def test_max_age_argument_s10(client: Client, alice: Any, path: str) -> None:
    force_second_factor(client, alice)
    with later(59):
        assert body(client.get(path))["authenticated"] is True
    with later(61):
        assert client.get(path)["Location"] == f"/2fa/step-up/?next={path}"


def test_max_age_setting_s10(client: Client, alice: Any, settings: Any) -> None:
    settings.TYNTEC2FA_STEP_UP_MAX_AGE = 30
    force_second_factor(client, alice)
    with later(31):
        assert client.get("/protected/recent/")["Location"].startswith("/2fa/step-up/")


def test_step_up_makes_it_recent_again_with_a_new_session_key_s10(
    client: Client, alice: Any, last_code: LastCode
) -> None:
    """S10 + S3: after the step-up code the view opens and the session key changed."""
    force_second_factor(client, alice)
    with later(400):
        assert client.get("/protected/recent/")["Location"].startswith("/2fa/step-up/")
        key = client.cookies["sessionid"].value
        assert client.post("/2fa/step-up/send/").status_code == 302
        response = client.post(
            "/2fa/step-up/", {"code": last_code(ALICE_PHONE), "next": "/protected/recent/"}
        )
        assert response["Location"] == "/protected/recent/"
        assert client.cookies["sessionid"].value != key
        assert body(client.get("/protected/recent/"))["authenticated"] is True


# --- Forms of use ---------------------------------------------------------------------


def _view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


async def _async_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def test_decorators_keep_the_view_name_and_kind() -> None:
    from asgiref.sync import iscoroutinefunction

    for decorated in (
        second_factor_required(_view),
        second_factor_required()(_view),
        second_factor_required(login_url="/x/", raise_exception=True)(_view),
        recent_second_factor(_view),
        recent_second_factor(60)(_view),
        recent_second_factor(max_age=60)(_view),
    ):
        assert decorated.__name__ == "_view"
        assert not iscoroutinefunction(decorated)
    assert iscoroutinefunction(second_factor_required(_async_view))
    assert iscoroutinefunction(recent_second_factor(max_age=5)(_async_view))


def test_login_url_and_redirect_field_name(rf: RequestFactory, db: None) -> None:
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/somewhere/")
    request.session = Client().session
    request.user = AnonymousUser()
    view = second_factor_required(login_url="/signin/", redirect_field_name="to")(_view)
    assert view(request)["Location"] == "/signin/?to=/somewhere/"
    absolute = second_factor_required(login_url="https://sso.example.org/login")(_view)
    assert absolute(request)["Location"] == (
        "https://sso.example.org/login?next=http%3A//testserver/somewhere/"
    )
    strict = second_factor_required(raise_exception=True)(_view)
    with pytest.raises(PermissionDenied):
        strict(request)


def test_pending_enroll_goes_to_enroll(
    client: Client, carol: Any, settings: Any, password_login: PasswordLogin
) -> None:
    settings.TYNTEC2FA_REQUIRED = "django_tyntec2fa.core.policy.all_users"
    settings.MIDDLEWARE = without_gate(settings.MIDDLEWARE)
    password_login(client, carol)
    assert session_data(client)[session.PENDING_KEY]["purpose"] == "enroll"
    assert client.get("/protected/")["Location"] == "/2fa/enroll/?next=/protected/"


@pytest.mark.parametrize("path", PROTECTED)
def test_password_change_elsewhere_ends_a_verified_session(
    client: Client, alice: Any, path: str
) -> None:
    """The proof is bound to the auth hash; Django drops the session, so does the gate."""
    force_second_factor(client, alice)
    alice.set_password("changed-on-another-device")
    alice.save()
    assert get(client, path)["Location"] == f"/accounts/login/?next={path}"
