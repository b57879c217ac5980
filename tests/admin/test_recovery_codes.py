"""Recovery codes in the admin (issue 11, G4): the count and the date on the phones
list and page, never a code or its hash; a read-only list of the rows; the action
"Revoke recovery codes" through the flow, which needs the codes' delete permission."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from django_tyntec2fa.flows import recovery
from django_tyntec2fa.models import AuditEvent, PhoneDevice, RecoveryCode

from .conftest import verified_client

DEVICES = "admin:tyntec2fa_phonedevice_changelist"
CODES = "admin:tyntec2fa_recoverycode_changelist"


@pytest.fixture
def codes(alice: Any, device: PhoneDevice) -> list[str]:
    with mock.patch("django_tyntec2fa.flows.sensitive.recent_for", return_value=True):
        return recovery.generate(None, alice).codes


def _secrets(alice: Any, codes: list[str]) -> list[str]:
    digests = list(RecoveryCode.objects.filter(user=alice).values_list("digest", flat=True))
    return [*codes, *(code.replace("-", "") for code in codes), *digests]


def _revoke(client: Client, list_name: str, pk: int) -> Any:
    return client.post(
        reverse(list_name),
        {"action": "revoke_recovery_codes", "_selected_action": [str(pk)]},
        follow=True,
    )


def test_g4_the_phones_list_and_page_show_count_and_date_never_a_code(
    staff: Client, alice: Any, device: PhoneDevice, codes: list[str]
) -> None:
    RecoveryCode.objects.filter(pk=RecoveryCode.objects.filter(user=alice).first().pk).update(
        used_at=RecoveryCode.objects.first().created_at
    )
    listing = staff.get(reverse(DEVICES)).content.decode()
    page = staff.get(
        reverse("admin:tyntec2fa_phonedevice_change", args=[device.pk])
    ).content.decode()
    for text in (listing, page):
        assert "9 left (made " in text
        assert not any(secret in text for secret in _secrets(alice, codes))


def test_a_user_without_codes_shows_none(staff: Client, device: PhoneDevice) -> None:
    listing = staff.get(reverse(DEVICES)).content.decode()
    assert "recovery codes" in listing.lower() and ">none<" in listing


def test_the_list_costs_no_query_per_row(
    staff: Client,
    alice: Any,
    device: PhoneDevice,
    codes: list[str],
    django_assert_max_num_queries: Any,
) -> None:
    for index in range(5):
        user = get_user_model().objects.create_user(f"user{index}", password="pw-x-12345")
        PhoneDevice.objects.create(user=user, number=f"+4915123400{index:03d}", confirmed=True)
    staff.get(reverse(DEVICES))  # warm the session and the content types
    with django_assert_max_num_queries(12):
        assert staff.get(reverse(DEVICES)).status_code == 200


def test_g4_the_codes_list_shows_no_hash(staff: Client, alice: Any, codes: list[str]) -> None:
    row = RecoveryCode.objects.filter(user=alice).first()
    listing = staff.get(reverse(CODES)).content.decode()
    page = staff.get(reverse("admin:tyntec2fa_recoverycode_change", args=[row.pk])).content.decode()
    for text in (listing, page):
        assert "alice" in text
        assert not any(secret in text for secret in _secrets(alice, codes))
    assert staff.get(reverse("admin:tyntec2fa_recoverycode_add")).status_code == 403
    delete = reverse("admin:tyntec2fa_recoverycode_delete", args=[row.pk])
    assert staff.post(delete, {"post": "yes"}).status_code == 403


@pytest.mark.parametrize("list_name", [DEVICES, CODES])
def test_the_revoke_action_goes_through_the_flow(
    staff: Client, alice: Any, device: PhoneDevice, codes: list[str], list_name: str
) -> None:
    pk = device.pk if list_name == DEVICES else RecoveryCode.objects.filter(user=alice).first().pk
    answer = _revoke(staff, list_name, pk).content.decode()
    assert "Recovery codes revoked for 1 account." in answer
    assert not RecoveryCode.objects.filter(user=alice).exists()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.RECOVERY_REVOKED)
    assert event.detail == "10 unused; by root"
    assert "Nothing to do" in _revoke(staff, DEVICES, device.pk).content.decode()


def test_view_only_staff_see_the_count_but_cannot_revoke(
    db: None, alice: Any, device: PhoneDevice, codes: list[str]
) -> None:
    clerk = get_user_model().objects.create_user("clerk", password="pw-clerk-123", is_staff=True)
    for codename in ("view_phonedevice", "view_recoverycode"):
        clerk.user_permissions.add(Permission.objects.get(codename=codename))
    client = verified_client(clerk)
    listing = client.get(reverse(DEVICES)).content.decode()
    assert "10 left (made " in listing and "revoke_recovery_codes" not in listing
    rows = client.get(reverse(CODES)).content.decode()
    assert "alice" in rows and "revoke_recovery_codes" not in rows
    for text in (listing, rows):
        assert not any(secret in text for secret in _secrets(alice, codes))
    _revoke(client, DEVICES, device.pk)
    _revoke(client, CODES, RecoveryCode.objects.filter(user=alice).first().pk)
    assert RecoveryCode.objects.filter(user=alice).count() == 10
