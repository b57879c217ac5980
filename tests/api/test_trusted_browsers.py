"""Remember this browser through the JSON API (S9): ``"remember": true`` on the code sets
the cookie, the next password step from that browser answers ``authenticated``; the list
and forget endpoints, and their refusals (another user's id: 404)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from django_tyntec2fa.flows import trust
from django_tyntec2fa.models import PhoneDevice, TrustedBrowser

from .. import steps
from ..people import PASSWORD
from .helpers import (
    JSON,
    LOGIN_HEADER,
    app_login,
    assert_error,
    bearer,
    delete,
    get,
    password,
    post,
    session_login,
    url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _trust_on(settings: Any) -> Iterator[None]:
    settings.TYNTEC2FA_TRUST_BROWSER_DAYS = 30
    yield


def remembered(client: Client, user: Any) -> Any:
    """Password and code with ``remember``; the verify answer."""
    password(client, user)
    response = post(client, "challenge-verify", {"code": steps.last_code(), "remember": True})
    assert response.status_code == 200, response.content
    return response


def sign_in_again(client: Client, user: Any) -> Any:
    cookie = client.cookies[trust.COOKIE_NAME].value
    post(client, "logout")
    client.cookies[trust.COOKIE_NAME] = cookie
    return post(client, "login", {"username": user.get_username(), "password": PASSWORD})


def test_s9_remember_sets_the_cookie(client: Client, alice: Any):
    response = remembered(client, alice)
    assert response.json() == {"status": "authenticated", "token": None}
    cookie = response.cookies[trust.COOKIE_NAME]
    assert cookie["httponly"] and cookie.value
    assert TrustedBrowser.objects.filter(user=alice).count() == 1


def test_s9_without_remember_no_cookie(client: Client, alice: Any):
    response = session_login(client, alice)
    assert trust.COOKIE_NAME not in response.cookies
    assert not TrustedBrowser.objects.exists()


def test_s9_remember_is_a_boolean(pending: Client):
    response = post(pending, "challenge-verify", {"code": steps.last_code(), "remember": "maybe"})
    assert_error(response, 400, "validation_error")


def test_s9_next_password_step_answers_authenticated(client: Client, alice: Any):
    remembered(client, alice)
    response = sign_in_again(client, alice)
    assert response.status_code == 200
    assert response.json() == {"status": "authenticated", "token": None}
    assert get(client, "devices").status_code == 200
    assert TrustedBrowser.objects.get().last_used_at is not None


def test_s9_trusted_api_sign_in_is_no_recent_second_factor(client: Client, alice: Any):
    remembered(client, alice)
    sign_in_again(client, alice)
    assert get(client, "trusted-browsers").status_code == 200  # signed in
    pk = PhoneDevice.objects.filter(user=alice).first().pk
    assert_error(delete(client, "device-detail", pk=pk), 403, "step_up_required")


def test_s9_another_user_is_asked(client: Client, alice: Any, bob: Any):
    remembered(client, alice)
    response = sign_in_again(client, bob)
    assert response.json()["status"] == "second_factor_required"


def test_s9_app_login_never_skips_the_code(client: Client, alice: Any):
    remembered(client, alice)
    cookie = client.cookies[trust.COOKIE_NAME].value
    post(client, "logout")
    client.cookies[trust.COOKIE_NAME] = cookie
    body = password(client, alice, token=True).json()
    assert body["status"] == "second_factor_required" and body["login_token"]


def test_s9_app_remember_sets_no_cookie(client: Client, alice: Any):
    login_token = password(client, alice, token=True).json()["login_token"]
    response = post(
        client,
        "challenge-verify",
        {"code": steps.last_code(), "remember": True},
        {LOGIN_HEADER: login_token},
    )
    assert response.status_code == 200 and response.json()["token"]
    assert trust.COOKIE_NAME not in response.cookies
    assert not TrustedBrowser.objects.exists()


def test_s9_garbled_cookie_is_ignored(client: Client, alice: Any):
    client.cookies[trust.COOKIE_NAME] = "1:not-signed"
    response = post(client, "login", {"username": alice.get_username(), "password": PASSWORD})
    assert response.status_code == 200
    assert response.json()["status"] == "second_factor_required"


def test_s9_list(client: Client, alice: Any):
    remembered(client, alice)
    browser = TrustedBrowser.objects.get()
    response = get(client, "trusted-browsers")
    assert response.status_code == 200
    [item] = response.json()
    assert item["id"] == browser.pk and item["current"] is True
    assert set(item) == {"id", "description", "created", "last_used", "expires", "current"}
    assert item["last_used"] is None


def test_s9_list_needs_a_second_factor(client: Client, alice: Any):
    assert_error(get(client, "trusted-browsers"), 401, "not_authenticated")
    password(client, alice)
    assert get(client, "trusted-browsers").status_code == 401


def test_s9_forget(client: Client, alice: Any):
    remembered(client, alice)
    browser = TrustedBrowser.objects.get()
    response = delete(client, "trusted-browser-detail", pk=browser.pk)
    assert response.status_code == 204
    assert response.cookies[trust.COOKIE_NAME].value == ""
    assert not TrustedBrowser.objects.exists()
    assert_error(delete(client, "trusted-browser-detail", pk=browser.pk), 404, "not_found")


def test_s9_forget_another_users_browser_is_404(verified: Client, bob: Any):
    theirs = TrustedBrowser.objects.create(
        user=bob, secret_digest="x", auth_digest="y", expires_at="2999-01-01T00:00Z"
    )
    response = delete(verified, "trusted-browser-detail", pk=theirs.pk)
    assert_error(response, 404, "not_found")
    assert TrustedBrowser.objects.filter(pk=theirs.pk).exists()


def test_s9_forget_an_id_that_is_not_a_number(verified: Client):
    response = verified.delete(url("trusted-browsers") + "abc/", headers=JSON)
    assert_error(response, 404, "not_found")


def test_s9_token_client_lists_and_forgets(client: Client, alice: Any):
    from .helpers import app_login

    key = app_login(client, alice)
    theirs = TrustedBrowser.objects.create(
        user=alice, secret_digest="x", auth_digest="y", expires_at="2999-01-01T00:00Z"
    )
    app = Client()
    assert [b["id"] for b in get(app, "trusted-browsers", bearer(key)).json()] == [theirs.pk]
    assert delete(app, "trusted-browser-detail", bearer(key), pk=theirs.pk).status_code == 204


def test_s9_remember_on_a_recovery_code(client: Client, alice: Any):
    session_login(client, alice)
    codes = post(client, "recovery-codes").json()["codes"]
    post(client, "logout")
    password(client, alice)
    response = post(client, "challenge-recover", {"code": codes[0], "remember": True})
    assert response.status_code == 200, response.content
    assert response.cookies[trust.COOKIE_NAME].value
    assert sign_in_again(client, alice).json() == {"status": "authenticated", "token": None}


def test_s9_sign_out_everywhere_forgets_browsers_and_ends_tokens(client: Client, alice: Any):
    """``{"everywhere": true}`` on logout: every trusted browser of the user is forgotten
    (this one's cookie is deleted), every API token ends, and the session is logged out."""
    remembered(client, alice)
    other = Client()
    remembered(other, alice)
    key = app_login(Client(), alice)
    assert TrustedBrowser.objects.filter(user=alice).count() == 2

    response = post(client, "logout", {"everywhere": True})

    assert response.status_code == 200, response.content
    assert response.json() == {"status": "anonymous"}
    assert response.cookies[trust.COOKIE_NAME].value == ""
    assert not TrustedBrowser.objects.filter(user=alice).exists()
    assert_error(get(Client(), "trusted-browsers", bearer(key)), 401, "authentication_failed")
    assert_error(get(client, "trusted-browsers"), 401, "not_authenticated")
    again = post(other, "login", {"username": alice.get_username(), "password": PASSWORD})
    assert again.json()["status"] == "second_factor_required"


def test_s9_token_client_signs_out_everywhere(client: Client, alice: Any):
    remembered(client, alice)
    key = app_login(Client(), alice)

    response = post(Client(), "logout", {"everywhere": True}, bearer(key))

    assert response.status_code == 200, response.content
    assert not TrustedBrowser.objects.filter(user=alice).exists()
    assert_error(get(Client(), "trusted-browsers", bearer(key)), 401, "authentication_failed")


def test_s9_everywhere_when_nobody_is_signed_in_is_a_plain_logout(client: Client, alice: Any):
    remembered(Client(), alice)
    response = post(client, "logout", {"everywhere": True})
    assert response.json() == {"status": "anonymous"}
    assert TrustedBrowser.objects.filter(user=alice).count() == 1


@pytest.mark.parametrize("value", ["sure", 0, 1, "true", None])
def test_s9_everywhere_must_be_a_json_boolean(client: Client, value: Any):
    """Only ``true`` and ``false``, as the schema says; DRF's own field takes 0 and "on"."""
    response = post(client, "logout", {"everywhere": value})
    assert_error(response, 400, "validation_error")


@pytest.mark.parametrize(("name", "body"), [("login", {"username": "a", "password": "x"})])
@pytest.mark.parametrize("value", [0, 1, "yes"])
def test_flags_take_json_booleans_only(client: Client, name: str, body: dict, value: Any):
    assert_error(post(client, name, {**body, "token": value}), 400, "validation_error")
