"""The admin of conversion monitoring (P4): blocks lifted by an action, safe-list entries normalised when added and shown masked afterwards (G4)."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from django_tyntec2fa.abuse import conversion
from django_tyntec2fa.models import (
    AuditEvent,
    DestinationBlock,
    SafeListEntry,
    Scope,
)


def admin_url(model: str, action: str = "changelist", *args: object) -> str:
    return reverse(f"admin:tyntec2fa_{model}_{action}", args=args)


def test_the_lift_action_ends_a_block_and_is_audited_p4(staff: Client) -> None:
    block = DestinationBlock.objects.create(
        scope=Scope.COUNTRY, value="LV", until=timezone.now() + dt.timedelta(hours=1)
    )
    response = staff.post(
        admin_url("destinationblock"),
        {"action": "lift_blocks", "_selected_action": [block.pk]},
    )
    assert response.status_code == 302
    block.refresh_from_db()
    assert not block.is_active()
    conversion.check_not_blocked("+37129876543")  # raises nothing any more
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.CONVERSION_BLOCK, detail__contains="lifted by root"
    ).exists()


def test_a_safe_list_number_is_normalised_then_shown_masked_p4(staff: Client) -> None:
    response = staff.post(
        admin_url("safelistentry", "add"),
        {"kind": "number", "value": "0049 151 2345 6789", "note": "CEO"},
    )
    assert response.status_code == 302, response.content
    entry = SafeListEntry.objects.get()
    assert entry.value == "+4915123456789"
    page = staff.get(admin_url("safelistentry", "change", entry.pk)).content.decode()
    listing = staff.get(admin_url("safelistentry")).content.decode()
    assert "+4915123456789" not in page + listing
    assert "+49*******6789" in listing


def test_a_bad_safe_list_value_is_a_form_error(staff: Client) -> None:
    for kind, value in [("country", "Germany"), ("prefix", "49151"), ("number", "+49 123")]:
        response = staff.post(admin_url("safelistentry", "add"), {"kind": kind, "value": value})
        assert response.status_code == 200, (kind, value)
    assert not SafeListEntry.objects.exists()
