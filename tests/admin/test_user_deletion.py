"""Deleting a user in the admin takes their second-factor records with them; a record
is still never deleted on its own."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from django_tyntec2fa.models import AuditEvent, Challenge, FailureCounter, PhoneDevice

from ..rows import make_challenge


def test_a_superuser_deletes_a_user_who_has_challenges_and_failures(
    staff: Client, device: PhoneDevice, alice: Any
) -> None:
    """Challenges and failure counters are view-only in the admin; the user's delete
    page must not call them "objects you may not delete"."""
    make_challenge(device, status=Challenge.Status.VERIFIED)
    FailureCounter.objects.create(user=alice, failures=2)
    AuditEvent.objects.create(kind=AuditEvent.Kind.FAILED, user=alice)
    delete = reverse("admin:auth_user_delete", args=[alice.pk])
    page = staff.get(delete)
    assert page.status_code == 200
    assert "permission to delete" not in page.content.decode()
    assert staff.post(delete, {"post": "yes"}).status_code == 302
    assert not get_user_model().objects.filter(pk=alice.pk).exists()
    assert not Challenge.objects.filter(user_id=alice.pk).exists()
    assert not FailureCounter.objects.filter(user_id=alice.pk).exists()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.FAILED, user=None).exists()


@pytest.mark.parametrize("model", ["challenge", "failurecounter"])
def test_a_record_alone_has_no_delete_page_action_or_link(
    staff: Client, device: PhoneDevice, alice: Any, model: str
) -> None:
    row = (
        make_challenge(device)
        if model == "challenge"
        else FailureCounter.objects.create(user=alice, failures=1)
    )
    listing = staff.get(reverse(f"admin:tyntec2fa_{model}_changelist"))
    assert "delete_selected" not in listing.content.decode()
    change = staff.get(reverse(f"admin:tyntec2fa_{model}_change", args=[row.pk]))
    delete = reverse(f"admin:tyntec2fa_{model}_delete", args=[row.pk])
    assert change.status_code == 200 and delete not in change.content.decode()
    assert staff.post(delete, {"post": "yes"}).status_code == 403
    assert type(row).objects.filter(pk=row.pk).exists()
