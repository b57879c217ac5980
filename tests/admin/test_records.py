"""Challenges, the audit trail and local OTPs in the admin: read-only, no secrets (G3, G4, L8)."""

from __future__ import annotations

import re
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from django_tyntec2fa.exceptions import ProviderUnavailable
from django_tyntec2fa.flows import common
from django_tyntec2fa.models import AuditEvent, Challenge, LocalOtp, PhoneDevice
from django_tyntec2fa.providers import get_provider
from django_tyntec2fa.providers.sinks import Delivery

from .conftest import MASKED, NUMBER, make_challenge


def _cancel(client: Client, challenge: Challenge) -> str:
    response = client.post(
        reverse("admin:tyntec2fa_challenge_changelist"),
        {"action": "cancel_challenges", "_selected_action": [str(challenge.pk)]},
        follow=True,
    )
    return response.content.decode()


def test_challenge_list_filters_and_masks(staff: Client, device: PhoneDevice) -> None:
    make_challenge(device)
    url = reverse("admin:tyntec2fa_challenge_changelist")
    assert "Work" in staff.get(url, {"status__exact": "pending"}).content.decode()
    assert "Work" not in staff.get(url, {"status__exact": "expired"}).content.decode()
    text = staff.get(url, {"purpose__exact": "login"}).content.decode()
    assert "Work" in text and NUMBER not in text


def test_cancel_at_the_provider_deletes_the_otp_s11(
    staff: Client, device: PhoneDevice, outbox: list[Delivery]
) -> None:
    otp = get_provider().send(NUMBER, pin_length=6)
    challenge = make_challenge(device, provider_otp_id=otp.otp_id)
    assert "1 challenge cancelled." in _cancel(staff, challenge)
    challenge.refresh_from_db()
    assert challenge.status == Challenge.Status.CANCELLED and challenge.finished_at
    assert not LocalOtp.objects.filter(otp_id=otp.otp_id).exists()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CHALLENGE_CANCELLED).exists()


def test_cancel_when_the_provider_fails_warns_and_still_cancels_r1(
    staff: Client, device: PhoneDevice
) -> None:
    challenge = make_challenge(device, provider_otp_id="otp-1")
    broken = mock.Mock()
    broken.delete.side_effect = ProviderUnavailable("timeout")
    with mock.patch.object(common, "get_provider", return_value=broken):
        text = _cancel(staff, challenge)
    broken.delete.assert_called_once_with("otp-1")
    assert "did not delete its code (provider_unavailable)" in text
    assert 'class="warning"' in text
    challenge.refresh_from_db()
    assert challenge.status == Challenge.Status.CANCELLED


def test_cancel_skips_a_finished_challenge(staff: Client, device: PhoneDevice) -> None:
    challenge = make_challenge(device, status=Challenge.Status.VERIFIED, provider_otp_id="x")
    with mock.patch.object(common, "get_provider") as provider:
        assert "None of the selected challenges was pending." in _cancel(staff, challenge)
    provider.assert_not_called()
    challenge.refresh_from_db()
    assert challenge.status == Challenge.Status.VERIFIED


@pytest.mark.parametrize("model", ["challenge", "auditevent", "localotp", "failurecounter"])
def test_records_cannot_be_added_or_deleted(staff: Client, db: None, model: str) -> None:
    assert staff.get(reverse(f"admin:tyntec2fa_{model}_add")).status_code == 403


def test_audit_trail_is_read_only_l8(staff: Client, alice: Any) -> None:
    event = AuditEvent.objects.create(kind=AuditEvent.Kind.FAILED, user=alice, number=MASKED)
    listing = staff.get(reverse("admin:tyntec2fa_auditevent_changelist"))
    assert listing.status_code == 200 and MASKED in listing.content.decode()
    assert "delete_selected" not in listing.content.decode()
    change = reverse("admin:tyntec2fa_auditevent_change", args=[event.pk])
    assert staff.get(change).status_code == 200
    staff.post(change, {"kind": "verified", "detail": "forged"})
    delete = reverse("admin:tyntec2fa_auditevent_delete", args=[event.pk])
    assert staff.post(delete, {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert (event.kind, event.detail) == (AuditEvent.Kind.FAILED, "")


def test_local_otp_shows_neither_the_code_nor_its_hash_g3(
    staff: Client, db: None, outbox: list[Delivery]
) -> None:
    otp_id = get_provider().send(NUMBER, pin_length=6).otp_id
    row = LocalOtp.objects.get(otp_id=otp_id)
    pages = [
        staff.get(reverse("admin:tyntec2fa_localotp_changelist")).content.decode(),
        staff.get(reverse("admin:tyntec2fa_localotp_change", args=[row.pk])).content.decode(),
    ]
    for text in pages:
        assert MASKED in text
        assert row.code_hash not in text and outbox[-1].code not in text and NUMBER not in text


def test_the_audit_channel_filter_names_every_link(staff: Client, alice: Any) -> None:
    """Issue 23.15: events without a channel (a lockout) made Django's filter render
    ``<a href="?channel=">`` with no text (axe ``link-name``, serious); the filter now
    names each channel and "no channel", and each one filters."""
    AuditEvent.objects.create(kind=AuditEvent.Kind.ACCOUNT_LOCKED, user=alice)
    AuditEvent.objects.create(kind=AuditEvent.Kind.FAILED, user=alice, channel="SMS")
    url = reverse("admin:tyntec2fa_auditevent_changelist")
    html = staff.get(url).content.decode()
    filters = html[html.index('id="changelist-filter"') :]
    # The filter's own links only: Django 6.1 puts the results (and their sort links,
    # named by a title) after it.
    filters = filters[: filters.index("</nav>")]
    links = re.findall(r"<a\b[^>]*>(.*?)</a>", filters, flags=re.S)
    assert links and all(re.sub(r"<[^>]+>", "", text).strip() for text in links), links
    assert 'href="?channel="' not in html
    assert ">no channel</a>" in html and ">SMS</a>" in html
    blank = staff.get(url, {"channel": "none"}).context["cl"].result_list
    sms = staff.get(url, {"channel": "SMS"}).context["cl"].result_list
    assert [e.kind for e in blank] == ["account_locked"] and [e.kind for e in sms] == ["failed"]
