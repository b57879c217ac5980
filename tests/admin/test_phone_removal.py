"""Support removes a lost phone in the admin, as an operator would: a staff user with
only the phone's permissions, the delete page or the list's delete action, then the
confirmation. The phone's live code dies at the provider, the sign-in waiting for it
cannot complete with it, and the challenges and the audit trail stay (S11, L8)."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from django_tyntec2fa import signals
from django_tyntec2fa.exceptions import ProviderUnavailable
from django_tyntec2fa.flows import common
from django_tyntec2fa.models import AuditEvent, Challenge, LocalOtp, PhoneDevice
from django_tyntec2fa.providers.local import hash_code
from django_tyntec2fa.providers.sinks import Delivery

from ..flows.helpers import received
from .conftest import MASKED, make_challenge, verified_client

CHANGELIST = reverse("admin:tyntec2fa_phonedevice_changelist")
ALICE_PASSWORD = "pw-alice-123"  # tests/rows.py
REFUSED = "Cannot delete"
NO_PERMISSION = "permission to delete"


def staff_with(*codenames: str) -> Client:
    """A verified admin session of a staff user (not a superuser) with only these
    permissions of the app."""
    user = get_user_model().objects.create_user("desk", password="pw-desk-123", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="tyntec2fa", codename__in=codenames)
    )
    return verified_client(user)


@pytest.fixture
def desk(db: None) -> Client:
    """Support: may see and remove phones, nothing else."""
    return staff_with("view_phonedevice", "delete_phonedevice")


def signed_in(browser: Client) -> bool:
    """True when the browser's session is signed in (a pending login is not)."""
    response = browser.get("/whoami/")
    return response.status_code == 200 and response.json()["authenticated"]


def pending_login(user: Any, outbox: list[Delivery]) -> tuple[Client, Challenge, str]:
    """Alice's password step in her own browser: the login is pending, its code sent."""
    browser = Client()
    response = browser.post(
        "/accounts/login/?next=/whoami/",
        {"username": user.get_username(), "password": ALICE_PASSWORD},
    )
    assert response.status_code == 302
    assert not signed_in(browser)  # pending (S1)
    live = Challenge.objects.get(user=user, status=Challenge.Status.PENDING)
    code = outbox[-1].code
    # The code is the live one: the provider would accept it now.
    assert LocalOtp.objects.get(otp_id=live.provider_otp_id).code_hash == hash_code(
        live.provider_otp_id, code
    )
    return browser, live, code


def remove_on_the_delete_page(client: Client, device: PhoneDevice) -> str:
    url = reverse("admin:tyntec2fa_phonedevice_delete", args=[device.pk])
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302  # to the list, or without the change permission home
    return page.content.decode()


def remove_with_the_list_action(client: Client, *devices: PhoneDevice) -> str:
    selected = {"action": "delete_selected", "_selected_action": [str(d.pk) for d in devices]}
    page = client.post(CHANGELIST, selected)
    assert page.status_code == 200  # the confirmation page
    response = client.post(CHANGELIST, {**selected, "post": "yes"})
    assert response.status_code == 302
    return page.content.decode()


WAYS = {"delete page": remove_on_the_delete_page, "list action": remove_with_the_list_action}


@pytest.mark.parametrize("way", WAYS)
def test_support_removes_a_phone_with_history_and_a_waiting_login_S11_L8(
    way: str, desk: Client, device: PhoneDevice, alice: Any, outbox: list[Delivery]
) -> None:
    finished = make_challenge(device, status=Challenge.Status.VERIFIED)
    browser, live, code = pending_login(alice, outbox)
    audit_before = set(AuditEvent.objects.values_list("pk", flat=True))
    assert audit_before  # the code sent, at least

    with received(signals.device_removed) as removed:
        page = WAYS[way](desk, device)

    # The confirmation page offered the removal, and said what it does.
    assert REFUSED not in page and NO_PERMISSION not in page
    assert "can no longer be completed" in page
    # The phone is gone; its code died at the provider (the local provider deletes it).
    assert not PhoneDevice.objects.filter(pk=device.pk).exists()
    assert not LocalOtp.objects.filter(otp_id=live.provider_otp_id).exists()
    assert [call["device"].number for call in removed] == [device.number]
    # The challenges stay as records, without their phone; the live one is cancelled.
    live.refresh_from_db()
    finished.refresh_from_db()
    assert (live.status, live.device_id) == (Challenge.Status.CANCELLED, None)
    assert (finished.status, finished.device_id) == (Challenge.Status.VERIFIED, None)
    # The audit trail kept every row and tells who removed the phone.
    assert audit_before <= set(AuditEvent.objects.values_list("pk", flat=True))
    removal = AuditEvent.objects.get(kind=AuditEvent.Kind.DEVICE_REMOVED)
    assert (removal.user, removal.number) == (alice, MASKED)
    assert removal.detail.endswith("removed by desk")
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.CHALLENGE_CANCELLED, challenge_id=live.pk
    ).exists()
    # The waiting sign-in cannot complete with that code any more.
    response = browser.post(reverse("tyntec2fa:challenge"), {"code": code})
    assert response.status_code != 302 or response.url == reverse("tyntec2fa:challenge")
    assert not signed_in(browser)
    # The operator's own session is untouched, and the list says the phone is gone.
    listing = desk.get(CHANGELIST).content.decode()
    assert MASKED not in listing


def test_the_list_action_removes_several_phones_each_the_same_way(
    desk: Client, device: PhoneDevice, alice: Any, outbox: list[Delivery]
) -> None:
    backup = PhoneDevice.objects.create(user=alice, number="+4915199990000", confirmed=True)
    bob = get_user_model().objects.create_user("bob", password="pw-bob-123")
    bobs = PhoneDevice.objects.create(user=bob, number="+4915100001111", is_primary=True)
    make_challenge(backup, status=Challenge.Status.EXPIRED)
    with received(signals.device_removed) as removed:
        remove_with_the_list_action(desk, device, bobs)
    assert {call["user"] for call in removed} == {alice, bob}
    assert list(PhoneDevice.objects.all()) == [backup]
    backup.refresh_from_db()
    assert backup.is_primary  # alice's other confirmed phone took over
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.DEVICE_REMOVED).count() == 2
    assert Challenge.objects.filter(device=backup).count() == 1


def test_a_provider_that_keeps_the_code_is_a_warning_not_an_error_r1(
    desk: Client, device: PhoneDevice
) -> None:
    live = make_challenge(device, provider_otp_id="otp-1")
    broken = mock.Mock()
    broken.delete.side_effect = ProviderUnavailable("timeout")
    url = reverse("admin:tyntec2fa_phonedevice_delete", args=[device.pk])
    with mock.patch.object(common, "get_provider", return_value=broken):
        response = desk.post(url, {"post": "yes"}, follow=True)
    broken.delete.assert_called_once_with("otp-1")
    text = response.content.decode()
    assert f"Challenge {live.pk} is cancelled here, but the provider did not delete" in text
    assert not PhoneDevice.objects.exists()
    live.refresh_from_db()
    assert live.status == Challenge.Status.CANCELLED


def test_removing_needs_the_phones_delete_permission(device: PhoneDevice) -> None:
    viewer = staff_with("view_phonedevice")
    url = reverse("admin:tyntec2fa_phonedevice_delete", args=[device.pk])
    assert viewer.get(url).status_code == 403
    assert viewer.post(url, {"post": "yes"}).status_code == 403
    selected = {"action": "delete_selected", "_selected_action": [str(device.pk)], "post": "yes"}
    viewer.post(CHANGELIST, selected)
    assert PhoneDevice.objects.filter(pk=device.pk).exists()
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.DEVICE_REMOVED).exists()
