"""S1 and S6a: after the password step alone, no URL of the project shows the user;
after the code, the same walk does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from django_tyntec2fa.providers import sinks

from ..steps import LastCode, PasswordLogin
from . import walk
from .helpers import ADMIN_LOGIN, ALICE_PHONE, LOGIN, PASSWORD, session_data, submit_code

ECHO_PATHS = ("/whoami/", "/async/whoami/")


@pytest.fixture
def recorded(settings: Any) -> Iterator[list[tuple[str, bool]]]:
    """What every view reached saw as request.user."""
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, walk.RECORDER]
    walk.seen.clear()
    yield walk.seen
    walk.seen.clear()


def walk_all(client: Client) -> dict[str, Any]:
    """GET every path of the project; the responses by path."""
    return {path: client.get(path) for path in walk.every_path()}


def user_content(user: Any) -> tuple[str, ...]:
    """What would show that a page belongs to ``user``."""
    return (user.get_username(), user.email, ALICE_PHONE)


def test_the_walk_covers_every_kind_of_pattern() -> None:
    """The walker itself: nested includes, converters and admin regexes all fill."""
    paths = walk.every_path()
    assert {"/whoami/", "/items/1/1/", "/admin/", "/admin/auth/user/1/change/"} <= set(paths)
    assert reverse("tyntec2fa:challenge") in paths
    assert LOGIN in paths and ADMIN_LOGIN in paths


@pytest.mark.parametrize("login_path", [LOGIN, ADMIN_LOGIN])
def test_password_only_login_shows_nothing_anywhere_s1(
    client: Client,
    alice: Any,
    recorded: list[tuple[str, bool]],
    login_path: str,
    last_code: LastCode,
    password_login: PasswordLogin,
) -> None:
    """S1 (CVE-2019-16766, CVE-2022-24857): force-browsing after the password step."""
    password_login(client, alice, login_path)
    sent = len(sinks.outbox)
    recorded.clear()
    responses = walk_all(client)

    for path, response in responses.items():
        body = response.content.decode(errors="replace")
        if 200 <= response.status_code < 300:
            for secret in user_content(alice):
                assert secret not in body, (path, secret)
        if path in ECHO_PATHS:  # reachable? then it must say "anonymous"
            assert response.status_code == 302, path
    assert recorded, "no view was reached at all"
    assert not any(authenticated for _, authenticated in recorded), recorded
    assert SESSION_KEY not in session_data(client)
    assert len(sinks.outbox) == sent  # no GET sent a code (P5)
    # ... and the walk did not end the pending login: the code still works.
    assert submit_code(client, last_code(ALICE_PHONE)).status_code == 302
    assert json.loads(client.get("/whoami/").content)["username"] == alice.get_username()


@pytest.mark.parametrize("login_path", [LOGIN, ADMIN_LOGIN])
def test_after_the_code_the_same_walk_sees_the_user_s1(
    client: Client,
    alice: Any,
    recorded: list[tuple[str, bool]],
    login_path: str,
    last_code: LastCode,
    password_login: PasswordLogin,
) -> None:
    """S1: the walk is not vacuous; after the code every view sees the user."""
    password_login(client, alice, login_path)
    assert submit_code(client, last_code(ALICE_PHONE)).status_code == 302
    recorded.clear()

    responses = walk_all(client)

    for path in ECHO_PATHS:
        assert json.loads(responses[path].content) == {
            "authenticated": True,
            "username": alice.get_username(),
        }
    assert responses["/admin/"].status_code == 200
    assert alice.get_username() in responses["/admin/auth/user/"].content.decode()
    assert recorded and all(authenticated for _, authenticated in recorded), recorded
    assert SESSION_KEY in session_data(client)


def test_admin_login_leads_into_the_challenge_s6a(client: Client, alice: Any) -> None:
    """S6a (CVE-2022-24857): valid credentials at /admin/login/ do not sign in."""
    response = client.post(
        ADMIN_LOGIN,
        {"username": alice.get_username(), "password": PASSWORD, "next": "/admin/"},
        follow=True,
    )
    final_path = response.redirect_chain[-1][0].split("?")[0]
    assert final_path == reverse("tyntec2fa:challenge")
    assert response.status_code == 200
    assert SESSION_KEY not in session_data(client)
    assert client.get("/admin/").status_code == 302
    assert settings.LOGIN_URL  # the default page to start over exists


def test_password_reset_with_login_leads_into_the_challenge_s6c(client: Client, alice: Any) -> None:
    """S6(c): ``PasswordResetConfirmView(post_reset_login=True)`` calls auth.login(),
    so the receiver makes that login pending like any other."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(alice.pk))
    token = default_token_generator.make_token(alice)
    form = client.get(f"/accounts/reset-login/{uid}/{token}/", follow=True)
    assert form.status_code == 200
    new_password = "a-brand-new-password-2fa"
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
        follow=True,
    )
    assert response.redirect_chain[-1][0].startswith(reverse("tyntec2fa:challenge"))
    assert SESSION_KEY not in session_data(client)
