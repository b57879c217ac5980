"""The devices page: list, make primary, remove; the last phone needs a recent second
factor (E3); another user's phone is a 404 and nothing changes (IDOR, E2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.test import Client
from django.utils import timezone

from django_tyntec2fa.models import PhoneDevice

from .helpers import ALICE_BACKUP, ALICE_PRIMARY, url

STALE = dt.timedelta(seconds=301)  # past TYNTEC2FA_STEP_UP_MAX_AGE


def test_list_shows_masked_numbers_and_status(verified: Client) -> None:
    response = verified.get(url("devices"))
    assert response.status_code == 200
    html = response.content.decode()
    for number in (ALICE_PRIMARY, ALICE_BACKUP):
        device = PhoneDevice.objects.get(number=number)
        assert device.masked_number in html and number not in html
    assert "Primary" in html and "Confirmed" in html and "Last used" in html


def test_make_primary(verified: Client) -> None:
    backup = PhoneDevice.objects.get(number=ALICE_BACKUP)
    response = verified.post(url("device-primary", pk=backup.pk))
    assert response.status_code == 302 and response.url == url("devices")
    backup.refresh_from_db()
    assert backup.is_primary
    assert not PhoneDevice.objects.get(number=ALICE_PRIMARY).is_primary


def test_remove_a_backup(verified: Client) -> None:
    backup = PhoneDevice.objects.get(number=ALICE_BACKUP)
    response = verified.post(url("device-remove", pk=backup.pk))
    assert response.status_code == 302
    assert not PhoneDevice.objects.filter(pk=backup.pk).exists()


def test_the_last_phone_needs_a_recent_second_factor_e3(verified: Client, alice: Any) -> None:
    """E3: with a stale second factor the flow refuses; the page says why and links
    to the step-up page; the phone stays."""
    PhoneDevice.objects.filter(number=ALICE_BACKUP).delete()
    last = PhoneDevice.objects.get(user=alice)
    with time_machine.travel(timezone.now() + STALE, tick=False):
        response = verified.post(url("device-remove", pk=last.pk))
    assert response.status_code == 403
    html = response.content.decode()
    assert 'role="alert"' in html
    assert url("step-up") + "?next=" in html
    assert PhoneDevice.objects.filter(pk=last.pk).exists()
    # Fresh from the login code, the same request is allowed.
    response = verified.post(url("device-remove", pk=last.pk))
    assert response.status_code == 302
    assert not PhoneDevice.objects.filter(user=alice).exists()


def test_another_users_phone_is_404_and_unchanged_e2(verified: Client, bob: Any) -> None:
    """IDOR (E2, CVE-2020-5240): Alice cannot touch Bob's phone by its id."""
    bobs = PhoneDevice.objects.get(user=bob)
    for name in ("device-primary", "device-remove"):
        assert verified.post(url(name, pk=bobs.pk)).status_code == 404
    PhoneDevice.objects.filter(user=bob).update(is_primary=False)
    assert verified.post(url("device-primary", pk=bobs.pk)).status_code == 404
    bobs_now = PhoneDevice.objects.get(pk=bobs.pk)
    assert bobs_now.confirmed and not bobs_now.is_primary


def test_a_password_only_session_cannot_see_or_change_phones(pending: Client) -> None:
    """The pages need a verified session: a pending login is sent to the challenge."""
    backup = PhoneDevice.objects.get(number=ALICE_BACKUP)
    for response in (
        pending.get(url("devices")),
        pending.post(url("device-remove", pk=backup.pk)),
        pending.post(url("device-primary", pk=backup.pk)),
    ):
        assert response.status_code == 302
        assert response.url.startswith(url("challenge"))
    backup.refresh_from_db()
    assert not backup.is_primary
