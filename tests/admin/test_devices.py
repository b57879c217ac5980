"""The phone-device admin: found by user or last digits, never shows a full number (G4)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from django_tyntec2fa.models import AuditEvent, PhoneDevice

from .conftest import MASKED, NUMBER

CHANGELIST = reverse("admin:tyntec2fa_phonedevice_changelist")


def test_changelist_shows_the_masked_number_only_g4(staff: Client, device: PhoneDevice) -> None:
    page = staff.get(CHANGELIST)
    assert page.status_code == 200
    text = page.content.decode()
    assert MASKED in text and "alice" in text and "Work" in text
    assert NUMBER not in text and "23456789" not in text


@pytest.mark.parametrize("term", ["alice", "alice@example.org", "6789", NUMBER])
def test_search_by_user_email_and_last_digits_g4(
    staff: Client, device: PhoneDevice, term: str
) -> None:
    text = staff.get(CHANGELIST, {"q": term}).content.decode()
    # The admin echoes the search term in its search box; the results are what counts.
    results = text.split('id="result_list"', 1)[1].split("</table>", 1)[0]
    assert MASKED in results
    assert NUMBER not in results and NUMBER not in text.replace(f'value="{term}"', "")


def test_search_by_digits_matches_the_end_of_the_number_only(
    staff: Client, device: PhoneDevice
) -> None:
    # "4915" is inside the number but not at its end.
    text = staff.get(CHANGELIST, {"q": "4915"}).content.decode()
    assert MASKED not in text


def test_change_form_masks_the_number_and_keeps_it_read_only(
    staff: Client, device: PhoneDevice
) -> None:
    url = reverse("admin:tyntec2fa_phonedevice_change", args=[device.pk])
    text = staff.get(url).content.decode()
    assert MASKED in text and NUMBER not in text
    assert 'name="number"' not in text and 'name="confirmed"' not in text
    staff.post(url, {"label": "Lost", "channel": "VOICE", "language": "", "number": "+1555"})
    device.refresh_from_db()
    assert (device.label, device.channel, device.number) == ("Lost", "VOICE", NUMBER)


def test_devices_are_not_added_in_the_admin_e1(staff: Client, db: None) -> None:
    """A phone counts only once a code sent to it came back (enrollment)."""
    assert staff.get(reverse("admin:tyntec2fa_phonedevice_add")).status_code == 403


def test_removing_the_primary_promotes_another_and_is_audited(
    staff: Client, device: PhoneDevice, alice: Any
) -> None:
    backup = PhoneDevice.objects.create(user=alice, number="+4915199990000", confirmed=True)
    url = reverse("admin:tyntec2fa_phonedevice_delete", args=[device.pk])
    page = staff.get(url)
    assert NUMBER not in page.content.decode()
    assert staff.post(url, {"post": "yes"}).status_code == 302
    backup.refresh_from_db()
    assert backup.is_primary
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.DEVICE_REMOVED)
    assert event.user == alice and event.number == MASKED


def test_a_staff_user_without_the_permission_gets_no_account_actions(
    device: PhoneDevice,
) -> None:
    from django.contrib.auth.models import Permission

    from .conftest import verified_client

    viewer = get_user_model().objects.create_user("viewer", password="pw-viewer-123", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_phonedevice"))
    text = verified_client(viewer).get(CHANGELIST).content.decode()
    assert MASKED in text
    assert "unlock_accounts" not in text and "reset_failures" not in text


def test_the_admin_is_behind_the_gate_s6a(superuser: Any) -> None:
    """A superuser with a phone who passed only the password sees no admin page."""
    PhoneDevice.objects.create(user=superuser, number=NUMBER, confirmed=True, is_primary=True)
    client = Client()
    client.force_login(superuser)  # the password step, without the code
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("tyntec2fa:challenge"))
