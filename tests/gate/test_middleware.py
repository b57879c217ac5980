"""SecondFactorMiddleware: where a pending login may go, what else it gets, sessions
logged in without proof, the async path, and the zero-query promise."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync, iscoroutinefunction
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import AsyncClient, Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from django_tyntec2fa.core import session
from django_tyntec2fa.gate.access import PendingAccess
from django_tyntec2fa.gate.middleware import SecondFactorMiddleware, allowed_kind
from django_tyntec2fa.models import Challenge
from django_tyntec2fa.providers import sinks
from django_tyntec2fa.testing import force_second_factor

from ..steps import LastCode, PasswordLogin
from .helpers import ALICE_PHONE, LOGIN, legacy_login, session_data, submit_code, without_gate

CHALLENGE = "/2fa/challenge/"


def queries(client: Client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response
    return [query["sql"] for query in captured.captured_queries]


def assert_no_extra_query(
    client: Client, settings: Any, assert_num_queries: Any, path: str = "/whoami/"
) -> None:
    """``path`` with the gate costs no more queries than ``/whoami/`` without it."""
    with_gate = settings.MIDDLEWARE
    settings.MIDDLEWARE = without_gate(with_gate)
    baseline = len(queries(client, "/whoami/"))
    settings.MIDDLEWARE = with_gate
    with assert_num_queries(baseline):
        assert client.get(path).status_code == 200


# --- A pending login ------------------------------------------------------------------


def test_html_navigation_goes_to_the_challenge(
    client: Client, alice: Any, password_login: PasswordLogin
) -> None:
    password_login(client, alice)
    response = client.get("/whoami/", HTTP_ACCEPT="text/html,application/xhtml+xml")
    assert response.status_code == 302
    assert response["Location"] == CHALLENGE + "?next=/whoami/"
    assert "no-store" in response["Cache-Control"]
    assert "Accept" in response["Vary"]


@pytest.mark.parametrize(
    ("method", "accept"),
    [
        ("get", "application/json"),
        ("post", ""),
        ("post", "application/json"),
        ("put", "*/*"),
        ("delete", ""),
    ],
)
def test_api_requests_get_401_json(
    client: Client, alice: Any, method: str, accept: str, password_login: PasswordLogin
) -> None:
    password_login(client, alice)
    response = getattr(client, method)("/whoami/", HTTP_ACCEPT=accept)
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "second_factor_required"
    assert body["detail"] == "A second factor is required."
    assert response["WWW-Authenticate"].startswith("SecondFactor")


def test_a_form_post_is_a_navigation(
    client: Client, alice: Any, password_login: PasswordLogin
) -> None:
    password_login(client, alice)
    response = client.post("/whoami/", HTTP_ACCEPT="text/html")
    assert response["Location"] == CHALLENGE + "?next=/whoami/"


def test_the_allow_list_is_reachable_while_pending(
    client: Client, alice: Any, password_login: PasswordLogin
) -> None:
    password_login(client, alice)
    assert client.get(CHALLENGE).status_code == 200
    assert client.get(LOGIN).status_code == 200
    assert client.get("/admin/login/").status_code == 200
    assert client.get("/2fa/challenge/send/").status_code == 405  # reached the view
    assert client.get("/2fa/devices/")["Location"].startswith(CHALLENGE)
    assert client.get("/2fa/step-up/")["Location"].startswith(CHALLENGE)


def test_allowed_kind(rf: Any) -> None:
    assert allowed_kind(rf.get(CHALLENGE)) == PendingAccess.STEP
    assert allowed_kind(rf.get("/2fa/enroll/confirm/")) == PendingAccess.STEP
    assert allowed_kind(rf.get("/2fa/devices/")) is None
    assert allowed_kind(rf.get("/2fa/step-up/")) is None
    assert allowed_kind(rf.get(LOGIN)) == PendingAccess.LOGIN
    assert allowed_kind(rf.get("/admin/login/")) == PendingAccess.LOGIN
    assert allowed_kind(rf.get("/accounts/logout/")) == PendingAccess.LOGOUT
    assert allowed_kind(rf.get("/admin/logout/")) == PendingAccess.LOGOUT
    assert allowed_kind(rf.get("/whoami/")) is None
    assert allowed_kind(rf.get("/no/such/page/")) is None


def test_logout_url_setting_is_allowed(rf: Any, settings: Any) -> None:
    settings.LOGOUT_URL = "/whoami/"
    assert allowed_kind(rf.get("/whoami/")) == PendingAccess.LOGOUT
    settings.LOGOUT_URL = "no-such-url-name"
    assert allowed_kind(rf.get("/whoami/")) is None


def test_logout_without_csrf_token_does_not_abort(
    alice: Any, password_login: PasswordLogin
) -> None:
    """The abort runs after CsrfViewMiddleware: a forged logout changes nothing."""
    browser = Client()
    password_login(browser, alice)
    client = Client(enforce_csrf_checks=True)
    client.cookies = browser.cookies
    assert client.post("/accounts/logout/").status_code == 403
    assert session.PENDING_KEY in session_data(client)
    assert Challenge.objects.filter(user=alice, status=Challenge.Status.PENDING).exists()


def test_an_unresolvable_path_is_not_allowed(
    client: Client, alice: Any, password_login: PasswordLogin
) -> None:
    password_login(client, alice)
    assert client.get("/no/such/page/")["Location"] == CHALLENGE + "?next=/no/such/page/"


# --- Logged in without proof -----------------------------------------------------------


def test_legacy_session_of_a_user_with_phone_becomes_pending(
    client: Client, alice: Any, last_code: LastCode
) -> None:
    """A session from before the app was installed must still pass the second factor."""
    legacy_login(client, alice)
    response = client.get("/whoami/")
    assert response["Location"] == CHALLENGE + "?next=/whoami/"
    data = session_data(client)
    assert SESSION_KEY not in data
    assert data[session.PENDING_KEY]["user_pk"] == str(alice.pk)
    assert sinks.outbox == []  # a GET never sends (P5); the page offers to send
    # The pending login completes like any other.
    assert client.post("/2fa/challenge/send/").status_code == 302
    assert submit_code(client, last_code(ALICE_PHONE)).status_code == 302
    assert json.loads(client.get("/whoami/").content)["authenticated"] is True


def test_legacy_session_of_a_user_without_phone_passes(client: Client, carol: Any) -> None:
    legacy_login(client, carol)
    assert json.loads(client.get("/whoami/").content)["username"] == carol.get_username()
    assert session.NOT_REQUIRED_KEY in session_data(client)


def test_legacy_session_asks_the_policy_once(client: Client, carol: Any, settings: Any) -> None:
    """One device query on the first request; later requests cost nothing extra."""
    legacy_login(client, carol)
    first = queries(client, "/whoami/")
    assert sum("tyntec2fa_phonedevice" in sql for sql in first) == 1
    second = queries(client, "/whoami/")
    assert not any("tyntec2fa" in sql for sql in second)
    settings.MIDDLEWARE = without_gate(settings.MIDDLEWARE)
    assert len(queries(client, "/whoami/")) == len(second)


def test_cached_policy_answer_is_bound_to_the_auth_hash(client: Client, carol: Any) -> None:
    legacy_login(client, carol)
    client.get("/whoami/")
    carol.set_password("a-new-password-2fa")
    carol.save()
    # Django ends the session (hash mismatch); the cache does not keep it alive.
    assert json.loads(client.get("/whoami/").content)["authenticated"] is False


def test_policy_required_legacy_user_goes_to_enroll(
    client: Client, carol: Any, settings: Any
) -> None:
    settings.TYNTEC2FA_REQUIRED = "django_tyntec2fa.core.policy.all_users"
    legacy_login(client, carol)
    assert client.get("/whoami/")["Location"] == "/2fa/enroll/?next=/whoami/"
    assert client.get("/2fa/enroll/").status_code == 200


# --- Zero queries ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/whoami/", "/protected/", "/protected/cbv/"])
def test_zero_extra_queries_for_a_verified_session(
    client: Client, alice: Any, settings: Any, django_assert_num_queries: Any, path: str
) -> None:
    force_second_factor(client, alice)
    assert_no_extra_query(client, settings, django_assert_num_queries, path)


def test_zero_queries_for_an_anonymous_request(
    client: Client, db: None, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        assert json.loads(client.get("/whoami/").content)["authenticated"] is False


def test_zero_extra_queries_for_an_anonymous_session(
    client: Client, db: None, settings: Any, django_assert_num_queries: Any
) -> None:
    store = client.session
    store["theme"] = "dark"
    store.save()
    assert_no_extra_query(client, settings, django_assert_num_queries)


def test_zero_extra_queries_for_a_user_without_second_factor(
    client: Client,
    carol: Any,
    settings: Any,
    django_assert_num_queries: Any,
    password_login: PasswordLogin,
) -> None:
    password_login(client, carol)  # the receiver caches the policy's answer
    assert_no_extra_query(client, settings, django_assert_num_queries)


# --- Async ----------------------------------------------------------------------------


def test_the_middleware_is_sync_and_async_capable() -> None:
    async def async_view(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    assert SecondFactorMiddleware.sync_capable and SecondFactorMiddleware.async_capable
    assert iscoroutinefunction(SecondFactorMiddleware(async_view))
    assert not iscoroutinefunction(SecondFactorMiddleware(lambda request: HttpResponse()))


def _async_get(client: AsyncClient, path: str, **extra: Any) -> Any:
    return async_to_sync(client.get)(path, **extra)


def test_async_pending_login_is_redirected(alice: Any, password_login: PasswordLogin) -> None:
    sync_client = Client()
    password_login(sync_client, alice)
    client = AsyncClient()
    client.cookies = sync_client.cookies
    response = _async_get(client, "/async/whoami/")
    assert response.status_code == 302
    assert response["Location"] == CHALLENGE + "?next=/async/whoami/"
    api = _async_get(client, "/async/whoami/", headers={"Accept": "application/json"})
    assert api.status_code == 401


def test_async_verified_and_anonymous_pass(alice: Any) -> None:
    client = AsyncClient()
    anonymous = _async_get(client, "/async/whoami/")
    assert json.loads(anonymous.content)["authenticated"] is False
    force_second_factor(client, alice)
    response = _async_get(client, "/async/whoami/")
    assert json.loads(response.content) == {
        "authenticated": True,
        "username": alice.get_username(),
    }


def test_async_legacy_session_becomes_pending(alice: Any) -> None:
    client = AsyncClient()
    legacy_login(client, alice)  # type: ignore[arg-type]
    response = _async_get(client, "/async/whoami/")
    assert response["Location"] == CHALLENGE + "?next=/async/whoami/"
    assert SESSION_KEY not in session_data(client)  # type: ignore[arg-type]
    assert reverse("tyntec2fa:challenge") == CHALLENGE
