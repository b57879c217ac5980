"""Phones through the API: list, add, confirm, make primary, remove; only one's own
(IDOR, E2), a recent second factor to remove or add (E2, E3), for session and token
clients alike."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from django_tyntec2fa.models import PhoneDevice

from ..steps import LastCode, wrong_code
from .helpers import (
    ALICE_BACKUP,
    ALICE_PRIMARY,
    BOB_PHONE,
    LOGIN_HEADER,
    NEW_NUMBER,
    PASSWORD,
    app_login,
    assert_error,
    bearer,
    delete,
    get,
    post,
)

LATER = dt.timedelta(seconds=301)  # past TYNTEC2FA_STEP_UP_MAX_AGE (300 s)


def _device(user: Any, number: str) -> PhoneDevice:
    return PhoneDevice.objects.get(user=user, number=number)


def test_the_list_shows_masked_numbers_primary_first(verified: Client, alice: Any) -> None:
    devices = get(verified, "devices").json()
    assert [device["number"] for device in devices] == ["+49*******6789", "+49*******5678"]
    assert [device["primary"] for device in devices] == [True, False]
    assert ALICE_PRIMARY not in get(verified, "devices").content.decode()  # G4


def test_idor_another_users_phone_is_404_and_unchanged(
    verified: Client, alice: Any, bob: Any
) -> None:
    """E2, CVE-2020-5240: Bob's phone id is no different from an unknown one."""
    bobs = _device(bob, BOB_PHONE)
    unknown = 10_000
    for pk in (bobs.pk, unknown):
        assert_error(get(verified, "device-detail", pk=pk), 404, "not_found")
        assert_error(post(verified, "device-primary", pk=pk), 404, "not_found")
        assert_error(delete(verified, "device-detail", pk=pk), 404, "not_found")
    bobs.refresh_from_db()
    assert bobs.is_primary and bobs.confirmed
    assert BOB_PHONE[-4:] not in str(get(verified, "devices").json())


def test_idor_another_users_phone_is_not_a_resend_choice(
    client: Client, alice: Any, bob: Any, last_code: LastCode
) -> None:
    from .helpers import password

    password(client, alice)
    sent = last_code(ALICE_PRIMARY)
    pk = _device(bob, BOB_PHONE).pk
    body = assert_error(post(client, "challenge-resend", {"device": pk}), 400, "validation_error")
    assert body["field"] == "device"
    assert last_code() == sent  # nothing went to Bob's phone


def test_make_primary(verified: Client, alice: Any) -> None:
    backup = _device(alice, ALICE_BACKUP)
    answer = post(verified, "device-primary", pk=backup.pk)
    assert answer.status_code == 200 and answer.json()["primary"] is True
    assert not _device(alice, ALICE_PRIMARY).is_primary


def test_remove_needs_a_recent_second_factor(
    verified: Client, alice: Any, last_code: LastCode
) -> None:
    """S10, E3: just after the login it works; five minutes later, step up first."""
    backup = _device(alice, ALICE_BACKUP)
    with time_machine.travel(timezone.now() + LATER, tick=False):
        stale = delete(verified, "device-detail", pk=backup.pk)
        assert_error(stale, 403, "step_up_required")
        post(verified, "step-up-send")
        assert post(verified, "step-up-verify", {"code": last_code()}).status_code == 200
        assert delete(verified, "device-detail", pk=backup.pk).status_code == 204
    assert not PhoneDevice.objects.filter(pk=backup.pk).exists()


def test_add_and_confirm_a_phone(verified: Client, alice: Any, last_code: LastCode) -> None:
    added = post(verified, "device-add", {"number": "+49 157 12345678", "label": "Tablet"})
    assert added.status_code == 200
    assert added.json()["challenge"]["purpose"] == "enroll"
    assert added.json()["challenge"]["number"].endswith("5678")
    assert_error(
        post(verified, "device-confirm", {"code": wrong_code(last_code(NEW_NUMBER))}),
        400,
        "invalid_code",
    )
    confirmed = post(verified, "device-confirm", {"code": last_code(NEW_NUMBER)})
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "confirmed"
    assert confirmed.json()["device"]["label"] == "Tablet"
    assert _device(alice, NEW_NUMBER).confirmed


def test_adding_a_phone_later_needs_a_step_up(verified: Client, alice: Any) -> None:
    with time_machine.travel(timezone.now() + LATER, tick=False):
        refused = post(verified, "device-add", {"number": NEW_NUMBER})
        assert_error(refused, 403, "step_up_required")
    assert not PhoneDevice.objects.filter(number=NEW_NUMBER).exists()


def test_an_invalid_number_is_400_on_number(verified: Client) -> None:
    body = assert_error(post(verified, "device-add", {"number": "12"}), 400, "validation_error")
    assert body["field"] == "number"


def test_a_user_without_a_phone_adds_the_first_one(
    client: Client, carol: Any, last_code: LastCode
) -> None:
    from .helpers import password

    password(client, carol)  # signed in: no second factor needed
    assert get(client, "devices").json() == []
    assert post(client, "device-add", {"number": NEW_NUMBER}).status_code == 200
    confirmed = post(client, "device-confirm", {"code": last_code(NEW_NUMBER)}).json()
    assert confirmed["status"] == "confirmed" and confirmed["device"]["primary"] is True
    # From now on the session carries the proof of the second factor.
    assert client.get("/probe/verified/").status_code == 200


@pytest.mark.parametrize("app", [False, True])
def test_a_required_enrollment_completes_the_login(
    client: Client, make_user: Any, settings: Any, app: bool, last_code: LastCode
) -> None:
    """TYNTEC2FA_REQUIRED: the password step asks for a phone; confirming it signs the
    user in (a session, or for an app a token)."""
    settings.TYNTEC2FA_REQUIRED = "django_tyntec2fa.core.policy.all_users"
    make_user("dave")
    login = post(client, "login", {"username": "dave", "password": PASSWORD, "token": app})
    assert login.json()["status"] == "enrollment_required"
    headers = {LOGIN_HEADER: login.json()["login_token"]} if app else {}
    assert post(client, "device-add", {"number": NEW_NUMBER}, headers).status_code == 200
    done = post(client, "device-confirm", {"code": last_code(NEW_NUMBER)}, headers)
    assert done.json()["status"] == "authenticated"
    if app:
        assert not done.cookies
        key = done.json()["token"]["key"]
        assert Client().get("/probe/verified/", headers=bearer(key)).status_code == 200
    else:
        assert done.json()["token"] is None
        assert client.get("/probe/verified/").status_code == 200


def test_token_clients_manage_their_phones(client: Client, alice: Any, last_code: LastCode) -> None:
    """A token minted after the code counts as a recent second factor; five minutes
    later a step-up with the token renews it (E2, E3, S10)."""
    auth = bearer(app_login(client, alice))
    app = Client()
    assert len(get(app, "devices", auth).json()) == 2
    assert post(app, "device-add", {"number": NEW_NUMBER}, auth).status_code == 200
    confirmed = post(app, "device-confirm", {"code": last_code(NEW_NUMBER)}, auth)
    assert confirmed.json()["status"] == "confirmed" and not confirmed.cookies
    backup = _device(alice, ALICE_BACKUP)
    with time_machine.travel(timezone.now() + LATER, tick=False):
        assert_error(delete(app, "device-detail", auth, pk=backup.pk), 403, "step_up_required")
        assert_error(
            post(app, "device-add", {"number": "+4915798765432"}, auth), 403, "step_up_required"
        )
        assert post(app, "step-up-send", {}, auth).status_code == 200
        stepped = post(app, "step-up-verify", {"code": last_code()}, auth)
        assert stepped.status_code == 200 and not stepped.cookies
        assert delete(app, "device-detail", auth, pk=backup.pk).status_code == 204
