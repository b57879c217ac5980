"""``django_tyntec2fa.views.LoginView``: the password step of a user who owes a code
does not log them in (S1) and redirects to the code page (post/redirect/get); everything the receiver path
guarantees (S2-S5, S11, U1) holds for it as well."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.db import connection
from django.shortcuts import resolve_url
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from django_tyntec2fa.core import session
from django_tyntec2fa.models import PhoneDevice
from django_tyntec2fa.providers import sinks

from ..steps import LastCode
from .helpers import (
    ALICE_PHONE,
    BOB_PHONE,
    LOGIN_2FA,
    PASSWORD,
    live_login_challenges,
    make_user,
    session_data,
    submit_code,
    whoami,
)

CHALLENGE = "/2fa/challenge/"
CSRF_VALUE = re.compile(r'(?<=name="csrfmiddlewaretoken" value=")[^"]+')


def post_password(client: Client, user: Any, next_url: str = "", password: str = PASSWORD) -> Any:
    data = {"username": user.get_username(), "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN_2FA, data)


@pytest.fixture
def logins() -> Any:
    """The users ``user_logged_in`` was sent for, in order."""
    sent: list[Any] = []

    def receiver(sender: Any, user: Any, **kwargs: Any) -> None:
        sent.append(user)

    user_logged_in.connect(receiver, dispatch_uid="test_login_view")
    yield sent
    user_logged_in.disconnect(dispatch_uid="test_login_view")


def test_password_step_does_not_log_in_and_goes_straight_to_the_code_s1(
    client: Client, alice: Any, logins: list[Any], last_code: LastCode
) -> None:
    """S1: no ``auth.login()`` after the password: no auth keys in the session, no
    ``user_logged_in``, no ``last_login``; the code is out and the answer redirects to
    the challenge page (S7: never cached), ``next`` kept for after the code."""
    PhoneDevice.objects.create(user=alice, number="+4917612345678", confirmed=True)
    response = post_password(client, alice, next_url="/protected/")
    assert response.status_code == 302 and response.url == CHALLENGE
    assert "no-cache" in response["Cache-Control"]
    response = client.get(CHALLENGE)
    body = response.content.decode()
    assert f'action="{CHALLENGE}"' in body
    assert "+49*******6789" in body and ALICE_PHONE not in body
    assert "+49*******5678" in body  # the other phone is offered
    assert response.context["challenge"] == live_login_challenges(alice)[0]
    stored = session_data(client)
    assert SESSION_KEY not in stored
    assert stored[session.PENDING_KEY]["user_pk"] == str(alice.pk)
    assert stored[session.PENDING_KEY]["next_url"] == "/protected/"
    assert logins == []
    alice.refresh_from_db()
    assert alice.last_login is None
    assert [delivery.number for delivery in sinks.outbox] == [ALICE_PHONE]
    assert client.get("/whoami/")["Location"].startswith(CHALLENGE)  # the gate holds
    # The code completes the login, where next was headed; now the login is sent.
    response = submit_code(client, last_code(ALICE_PHONE))
    assert response["Location"] == "/protected/"
    assert logins == [alice]
    alice.refresh_from_db()
    assert alice.last_login is not None
    assert whoami(client)["username"] == alice.get_username()


def test_an_unsafe_next_is_dropped_s5(client: Client, alice: Any, last_code: LastCode) -> None:
    """S5: an off-site ``next`` leads to the challenge without it."""
    response = post_password(client, alice, next_url="https://evil.example/")
    assert response.status_code == 302 and response.url == CHALLENGE
    assert "evil.example" not in client.get(CHALLENGE).content.decode()
    assert session_data(client)[session.PENDING_KEY]["next_url"] == ""
    response = submit_code(client, last_code(ALICE_PHONE))
    assert response["Location"] == settings.LOGIN_REDIRECT_URL


def test_csrf_token_rotates_at_the_password_step_s3(alice: Any, last_code: LastCode) -> None:
    """S3: the CSRF token changes at the password step, as ``auth.login`` does."""
    client = Client(enforce_csrf_checks=True)
    client.get(LOGIN_2FA)
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    data = {"username": alice.get_username(), "password": PASSWORD, "csrfmiddlewaretoken": token}
    assert client.post(LOGIN_2FA, data).status_code == 302
    assert client.cookies[settings.CSRF_COOKIE_NAME].value != token
    page = client.get(CHALLENGE)
    # The page's forms carry the new token: the code goes through with it.
    fresh = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert fresh is not None
    answer = client.post(
        CHALLENGE, {"code": last_code(ALICE_PHONE), "csrfmiddlewaretoken": fresh.group(1)}
    )
    assert answer.status_code == 302


def test_a_logged_in_user_is_logged_out_by_another_users_password_s4(
    client: Client, alice: Any, carol: Any
) -> None:
    """S4: Carol is logged in; Alice's password in the same browser leaves no trace
    of Carol's login, only Alice's pending one."""
    assert post_password(client, carol)["Location"] == settings.LOGIN_REDIRECT_URL
    assert whoami(client)["username"] == carol.get_username()
    post_password(client, alice)
    stored = session_data(client)
    assert SESSION_KEY not in stored
    assert stored[session.PENDING_KEY]["user_pk"] == str(alice.pk)
    assert client.get("/whoami/")["Location"].startswith(CHALLENGE)


def test_a_second_pending_login_discards_the_first_s4(
    client: Client, alice: Any, bob: Any, last_code: LastCode
) -> None:
    """S4: Alice's pending login, then Bob's password: her challenge is cancelled and
    her code signs nobody in."""
    post_password(client, alice)
    alice_code = last_code(ALICE_PHONE)
    post_password(client, bob)
    assert live_login_challenges(alice) == []
    assert len(live_login_challenges(bob)) == 1
    refused = submit_code(client, alice_code)
    assert refused.status_code == 302 and refused.url == CHALLENGE  # back to the code page
    assert submit_code(client, last_code(BOB_PHONE)).status_code == 302
    assert whoami(client)["username"] == bob.get_username()


def test_a_user_without_second_factor_is_logged_in_asking_the_policy_once(
    client: Client, carol: Any, logins: list[Any]
) -> None:
    """No phone, no rule: Django's login, and the receiver does not ask the policy
    again (one phone query in the whole request)."""
    with CaptureQueriesContext(connection) as captured:
        response = post_password(client, carol, next_url="/protected/")
    assert response["Location"] == "/protected/"
    assert logins == [carol]
    phone_queries = [q for q in captured.captured_queries if "tyntec2fa_phonedevice" in q["sql"]]
    assert len(phone_queries) == 1
    assert whoami(client)["username"] == carol.get_username()


def test_policy_required_user_without_phone_goes_to_enrollment(
    client: Client, carol: Any, settings: Any
) -> None:
    """A rule requires a second factor of Carol, who has no phone: enrollment, no code."""
    settings.TYNTEC2FA_REQUIRED = "django_tyntec2fa.core.policy.all_users"
    response = post_password(client, carol, next_url="/protected/")
    assert response["Location"] == f"{reverse('tyntec2fa:enroll')}?next=/protected/"
    assert sinks.outbox == []
    assert session_data(client)[session.PENDING_KEY]["purpose"] == "enroll"


def test_wrong_password_unknown_user_and_disabled_account_answer_alike_u1(
    client: Client, db: None
) -> None:
    """U1: a wrong password, a disabled account (with the right password) and a user
    who does not exist get the same page, the form again (200), byte for byte but for
    the CSRF token; nothing is sent and nothing is pending."""

    def answer(password: str) -> str:
        response = client.post(LOGIN_2FA, {"username": "dana", "password": password})
        assert response.status_code == 200
        assert sinks.outbox == []
        assert session.PENDING_KEY not in session_data(client)
        return CSRF_VALUE.sub("", response.content.decode())

    dana = make_user("dana", ALICE_PHONE)
    wrong_password = answer("wrong")
    dana.is_active = False
    dana.save()
    disabled = answer(PASSWORD)
    dana.delete()
    unknown = answer(PASSWORD)
    assert "dana" in wrong_password  # the form shows what was typed: the same each time
    assert wrong_password == disabled == unknown


def test_the_login_page_stays_reachable_while_pending(client: Client, alice: Any) -> None:
    """The middleware knows the view by its class: a pending login can start over."""
    post_password(client, alice)
    assert client.get(LOGIN_2FA).status_code == 200
    assert client.get("/whoami/").status_code == 302  # everything else: the challenge


def test_logout_mid_flow_wipes_the_pending_login_s11(
    client: Client, alice: Any, last_code: LastCode
) -> None:
    """S11: the password step, then logout: state gone, the code signs nobody in."""
    post_password(client, alice)
    code = last_code(ALICE_PHONE)
    client.post("/accounts/logout/")
    assert live_login_challenges(alice) == []
    assert session.PENDING_KEY not in session_data(client)
    assert submit_code(client, code)["Location"] == resolve_url(settings.LOGIN_URL)
    assert whoami(client) == {"authenticated": False, "username": ""}
