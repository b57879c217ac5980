"""Destination blocks in the admin (P4): moving a block's end on its change page goes
through the conversion monitor and is audited, as the lift action is
(tests/abuse/test_admin.py)."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from django_tyntec2fa.models import AuditEvent, DestinationBlock, Scope


def test_moving_the_end_of_a_block_is_audited_p4(staff: Client) -> None:
    block = DestinationBlock.objects.create(
        scope=Scope.COUNTRY, value="LV", until=timezone.now() + dt.timedelta(hours=1)
    )
    later = (timezone.now() + dt.timedelta(days=2)).replace(microsecond=0)
    url = reverse("admin:tyntec2fa_destinationblock_change", args=[block.pk])
    response = staff.post(
        url, {"until_0": later.strftime("%Y-%m-%d"), "until_1": later.strftime("%H:%M:%S")}
    )
    assert response.status_code == 302, response.content
    block.refresh_from_db()
    assert block.until == later
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.CONVERSION_BLOCK)
    assert event.detail.startswith("country LV set to end") and event.detail.endswith("by root")


def test_an_unchanged_block_writes_nothing(staff: Client) -> None:
    until = (timezone.now() + dt.timedelta(hours=1)).replace(microsecond=0)
    block = DestinationBlock.objects.create(scope=Scope.COUNTRY, value="LV", until=until)
    url = reverse("admin:tyntec2fa_destinationblock_change", args=[block.pk])
    staff.post(url, {"until_0": until.strftime("%Y-%m-%d"), "until_1": until.strftime("%H:%M:%S")})
    assert not AuditEvent.objects.exists()


def test_deleting_a_block_is_audited_and_forgets_its_level_p4(staff: Client) -> None:
    now = timezone.now()
    block = DestinationBlock.objects.create(
        scope=Scope.COUNTRY, value="LV", level=3, until=now + dt.timedelta(hours=1)
    )
    url = reverse("admin:tyntec2fa_destinationblock_delete", args=[block.pk])
    assert staff.post(url, {"post": "yes"}).status_code == 302
    assert not DestinationBlock.objects.exists()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.CONVERSION_BLOCK)
    assert event.detail == "country LV level 3 deleted by root"
