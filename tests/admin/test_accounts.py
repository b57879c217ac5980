"""Unlocking and resetting an account's failure counter from the admin (L2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from django_tyntec2fa.models import AuditEvent, FailureCounter, PhoneDevice


def _act(client: Client, model: str, action: str, pks: list[Any]) -> str:
    url = reverse(f"admin:tyntec2fa_{model}_changelist")
    response = client.post(
        url, {"action": action, "_selected_action": [str(pk) for pk in pks]}, follow=True
    )
    assert response.status_code == 200
    return response.content.decode()


def test_unlock_from_the_device_list_clears_lock_wait_and_count_l2(
    staff: Client, device: PhoneDevice, alice: Any
) -> None:
    FailureCounter.objects.create(
        user=alice, failures=20, locked=True, blocked_until=timezone.now() + dt.timedelta(hours=1)
    )
    text = _act(staff, "phonedevice", "unlock_accounts", [device.pk])
    assert "1 account unlocked." in text
    counter = FailureCounter.objects.get(user=alice)
    assert (counter.failures, counter.locked, counter.blocked_until) == (0, False, None)
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCOUNT_UNLOCKED, user=alice).exists()


def test_unlock_of_an_account_without_failures_does_nothing(
    staff: Client, device: PhoneDevice
) -> None:
    text = _act(staff, "phonedevice", "unlock_accounts", [device.pk])
    assert "Nothing to do" in text
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCOUNT_UNLOCKED).exists()


def test_reset_failures_clears_a_backoff_but_leaves_a_lock_alone_l2(
    staff: Client, device: PhoneDevice, alice: Any
) -> None:
    wait = timezone.now() + dt.timedelta(minutes=5)
    FailureCounter.objects.create(user=alice, failures=7, blocked_until=wait)
    assert "Failures reset for 1 account." in _act(
        staff, "phonedevice", "reset_failures", [device.pk]
    )
    counter = FailureCounter.objects.get(user=alice)
    assert (counter.failures, counter.blocked_until) == (0, None)

    counter.failures, counter.locked = 20, True
    counter.save()
    assert "Nothing to do" in _act(staff, "phonedevice", "reset_failures", [device.pk])
    counter.refresh_from_db()
    assert (counter.failures, counter.locked) == (20, True)


def test_failure_counter_admin_is_read_only_with_an_unlock_action(
    staff: Client, alice: Any
) -> None:
    counter = FailureCounter.objects.create(user=alice, failures=20, locked=True)
    listing = staff.get(reverse("admin:tyntec2fa_failurecounter_changelist"))
    assert listing.status_code == 200 and "unlock_accounts" in listing.content.decode()
    assert staff.get(reverse("admin:tyntec2fa_failurecounter_add")).status_code == 403
    change = reverse("admin:tyntec2fa_failurecounter_change", args=[alice.pk])
    staff.post(change, {"failures": "0", "locked": ""})
    counter.refresh_from_db()
    assert counter.failures == 20
    assert "1 account unlocked." in _act(staff, "failurecounter", "unlock_accounts", [alice.pk])
    counter.refresh_from_db()
    assert (counter.failures, counter.locked) == (0, False)
