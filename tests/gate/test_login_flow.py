"""The login around the gate: timeout (S2), session keys (S3), another user in the same
browser (S4), logout mid-flow (S11), and the receivers that make it happen."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from django_tyntec2fa.core import session
from django_tyntec2fa.models import Challenge, LocalOtp

from ..steps import LastCode, PasswordLogin
from .helpers import (
    ALICE_PHONE,
    BOB_PHONE,
    LOGIN,
    LOGIN_2FA,
    PASSWORD,
    assert_keys_rotate,
    live_login_challenges,
    session_data,
    session_key,
    store_has,
    submit_code,
    whoami,
)

# --- S2 -------------------------------------------------------------------------------


def test_no_password_in_the_session_s2(
    client: Client, alice: Any, last_code: LastCode, password_login: PasswordLogin
) -> None:
    """S2 (CVE-2020-15105): between the steps the session holds no password or code."""
    password_login(client, alice)
    dump = json.dumps(session_data(client))
    assert PASSWORD not in dump
    assert last_code(ALICE_PHONE) not in dump
    assert session.PENDING_KEY in dump


def test_pending_login_times_out_back_to_the_login_page_s2(
    client: Client, alice: Any, last_code: LastCode, password_login: PasswordLogin
) -> None:
    """S2: with the clock +601 s the pending state is gone and the user is at LOGIN_URL."""
    password_login(client, alice)
    code = last_code(ALICE_PHONE)
    later = timezone.now() + dt.timedelta(seconds=601)
    with time_machine.travel(later, tick=False):
        response = client.get("/whoami/?x=1")
        assert response.status_code == 302
        assert response["Location"] == f"{LOGIN}?next=/whoami/%3Fx%3D1"
        assert session.PENDING_KEY not in session_data(client)
        # The code no longer signs anyone in.
        assert submit_code(client, code)["Location"] == resolve_url(settings.LOGIN_URL)
    assert whoami(client) == {"authenticated": False, "username": ""}
    assert SESSION_KEY not in session_data(client)


def test_still_pending_just_before_the_timeout_s2(
    client: Client, alice: Any, password_login: PasswordLogin
) -> None:
    """The boundary: at +599 s the pending login still leads to the challenge."""
    password_login(client, alice)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=599), tick=False):
        response = client.get("/whoami/")
    assert response["Location"].startswith(reverse("tyntec2fa:challenge"))


def test_timed_out_api_request_gets_401_s2(
    client: Client, alice: Any, password_login: PasswordLogin
) -> None:
    password_login(client, alice)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=601), tick=False):
        response = client.post("/whoami/", HTTP_ACCEPT="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "login_timeout"


# --- S3 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status"),
    [(LOGIN, 302), (LOGIN_2FA, 302)],
    ids=["django-login-view", "app-login-view"],
)
def test_session_key_changes_at_each_step_and_old_keys_die_s3(
    client: Client, alice: Any, path: str, status: int
) -> None:
    """S3: key before the password, after it, after the code: all different; the old
    ones no longer exist in the session store. The password step through Django's
    LoginView (the ``user_logged_in`` receiver makes the login pending) and through the
    app's (no ``auth.login``; both redirect to the code page)."""

    def password_step() -> None:
        credentials = {"username": alice.get_username(), "password": PASSWORD}
        assert client.post(path, credentials).status_code == status

    assert_keys_rotate(client, password_step)


def test_replaying_the_pending_session_key_gets_nothing_s3(
    client: Client, alice: Any, last_code: LastCode, password_login: PasswordLogin
) -> None:
    """S3: the cookie of the pending login is dead after the code."""
    password_login(client, alice)
    pending_key = session_key(client)
    submit_code(client, last_code(ALICE_PHONE))
    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = pending_key
    assert whoami(attacker) == {"authenticated": False, "username": ""}


# --- S4 -------------------------------------------------------------------------------


def test_a_second_login_discards_the_first_users_challenge_s4(
    client: Client, alice: Any, bob: Any, last_code: LastCode, password_login: PasswordLogin
) -> None:
    """S4: A's pending login, then B's password in the same browser: A's state and
    challenge are gone, and A's code is rejected."""
    password_login(client, alice)
    alice_code = last_code(ALICE_PHONE)
    assert len(live_login_challenges(alice)) == 1

    password_login(client, bob)

    assert live_login_challenges(alice) == []
    assert len(live_login_challenges(bob)) == 1
    pending = session_data(client)[session.PENDING_KEY]
    assert pending["user_pk"] == str(bob.pk)
    response = submit_code(client, alice_code)
    # A wrong code for Bob's challenge: refused, back to the code page.
    assert response.status_code == 302 and response.url == reverse("tyntec2fa:challenge")
    assert SESSION_KEY not in session_data(client)
    assert submit_code(client, last_code(BOB_PHONE)).status_code == 302
    assert whoami(client)["username"] == bob.get_username()


def test_a_user_without_second_factor_replaces_a_pending_login_s4(
    client: Client, alice: Any, carol: Any, password_login: PasswordLogin
) -> None:
    """S4: Carol needs no code; Alice's pending state must not survive her login."""
    password_login(client, alice)
    password_login(client, carol)
    assert live_login_challenges(alice) == []
    assert session.PENDING_KEY not in session_data(client)
    assert whoami(client)["username"] == carol.get_username()


# --- S11 ------------------------------------------------------------------------------


def test_logout_mid_flow_wipes_the_state_and_deletes_the_otp_s11(
    client: Client, alice: Any, last_code: LastCode, password_login: PasswordLogin
) -> None:
    """S11 (allauth 64.1.0): password step, POST logout, replay the old cookie."""
    password_login(client, alice)
    old_key = session_key(client)
    code = last_code(ALICE_PHONE)
    challenge = live_login_challenges(alice)[0]
    assert LocalOtp.objects.filter(otp_id=challenge.provider_otp_id).exists()

    assert client.post("/accounts/logout/").status_code in (200, 302)

    challenge.refresh_from_db()
    assert challenge.status == Challenge.Status.CANCELLED
    assert not LocalOtp.objects.filter(otp_id=challenge.provider_otp_id).exists()
    assert not store_has(old_key)
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_key
    response = submit_code(replay, code)
    assert response.status_code == 302
    assert response["Location"] == resolve_url(settings.LOGIN_URL)
    assert whoami(replay) == {"authenticated": False, "username": ""}


def test_admin_logout_mid_flow_also_aborts_s11(
    client: Client, alice: Any, password_login: PasswordLogin
) -> None:
    password_login(client, alice)
    client.post(reverse("admin:logout"))
    assert live_login_challenges(alice) == []


def test_logout_cancels_a_live_step_up(
    client: Client, alice: Any, last_code: LastCode, password_login: PasswordLogin
) -> None:
    """S11: a step-up code half used dies with the session."""
    password_login(client, alice)
    submit_code(client, last_code(ALICE_PHONE))
    assert client.post(reverse("tyntec2fa:step-up-send")).status_code == 302
    step_up = Challenge.objects.get(user=alice, purpose=Challenge.Purpose.STEP_UP)
    client.post("/accounts/logout/")
    step_up.refresh_from_db()
    assert step_up.status == Challenge.Status.CANCELLED


# --- Receivers ------------------------------------------------------------------------


def test_force_login_of_a_user_with_a_phone_is_pending(client: Client, alice: Any) -> None:
    """Any auth.login(), even the test client's, goes through the receiver."""
    client.force_login(alice)
    assert SESSION_KEY not in session_data(client)
    assert session_data(client)[session.PENDING_KEY]["user_pk"] == str(alice.pk)


def test_login_of_a_user_without_a_phone_is_immediate(
    client: Client, carol: Any, password_login: PasswordLogin
) -> None:
    password_login(client, carol)
    assert whoami(client)["username"] == carol.get_username()
    assert session.NOT_REQUIRED_KEY in session_data(client)


def test_policy_required_user_without_phone_is_sent_to_enroll(
    client: Client, carol: Any, settings: Any, password_login: PasswordLogin
) -> None:
    settings.TYNTEC2FA_REQUIRED = "django_tyntec2fa.core.policy.all_users"
    password_login(client, carol)
    response = client.get("/whoami/")
    assert response["Location"] == reverse("tyntec2fa:enroll") + "?next=/whoami/"
    assert SESSION_KEY not in session_data(client)


def test_an_error_in_the_receiver_leaves_no_login_behind(
    client: Client, alice: Any, monkeypatch: Any
) -> None:
    """Fail closed: login() has already written the user when the receiver runs."""
    from django_tyntec2fa import flows

    def broken(request: Any, user: Any) -> None:
        raise RuntimeError("database down")

    monkeypatch.setattr(flows, "owe_second_factor", broken)
    client.raise_request_exception = False
    response = client.post(LOGIN, {"username": alice.get_username(), "password": PASSWORD})
    assert response.status_code == 500
    assert SESSION_KEY not in session_data(client)
    assert whoami(client)["authenticated"] is False
