"""``tyntec2fa_cleanup``: stale challenges expire, old rows go, in batches."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from django_tyntec2fa.models import AuditEvent, Challenge, PhoneDevice, TrustedBrowser

from .conftest import make_challenge, run

DAY = dt.timedelta(days=1)


def test_pending_past_expiry_becomes_expired_g6(device: PhoneDevice) -> None:
    stale = make_challenge(device, expires_at=timezone.now() - dt.timedelta(seconds=1))
    live = make_challenge(device, purpose=Challenge.Purpose.STEP_UP)
    out, _ = run("tyntec2fa_cleanup")
    assert "Expired 1 pending challenge(s)." in out
    stale.refresh_from_db()
    live.refresh_from_db()
    assert stale.status == Challenge.Status.EXPIRED and stale.finished_at is not None
    assert live.status == Challenge.Status.PENDING


def test_finished_challenges_older_than_days_are_deleted(device: PhoneDevice) -> None:
    now = timezone.now()
    old = make_challenge(device, status="verified", finished_at=now - 8 * DAY)
    recent = make_challenge(device, status="failed", finished_at=now - 6 * DAY)
    # Never finished explicitly: its expiry counts.
    unfinished = make_challenge(device, status="expired", expires_at=now - 9 * DAY)
    out, _ = run("tyntec2fa_cleanup")
    assert "Deleted 2 challenge(s) older than 7 day(s)." in out
    assert list(Challenge.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not Challenge.objects.filter(pk__in=[old.pk, unfinished.pk]).exists()


def test_a_just_expired_challenge_survives_until_it_is_old(device: PhoneDevice) -> None:
    make_challenge(device, expires_at=timezone.now() - 30 * DAY)
    out, _ = run("tyntec2fa_cleanup", "--days", "7")
    # Expired now (finished_at = now), so not yet older than 7 days.
    assert "Expired 1" in out and "Deleted 0 challenge(s)" in out
    assert Challenge.objects.get().status == Challenge.Status.EXPIRED


def test_audit_rows_older_than_audit_days_are_deleted(alice: Any) -> None:
    now = timezone.now()
    for age in (400, 366, 10):
        AuditEvent.objects.create(kind="failed", user=alice, created_at=now - age * DAY)
    out, _ = run("tyntec2fa_cleanup", "--audit-days", "365")
    assert "Deleted 2 audit event(s) older than 365 day(s)." in out
    assert AuditEvent.objects.count() == 1


def test_expired_trusted_browsers_are_deleted_s9(alice: Any) -> None:
    """An expired trust no longer signs in; its row goes with the next clean-up, and a
    trust that still holds stays."""
    now = timezone.now()
    for expires in (now - DAY, now - 30 * DAY, now + DAY):
        TrustedBrowser.objects.create(
            user=alice, secret_digest="0" * 64, auth_digest="0" * 64, expires_at=expires
        )
    out, _ = run("tyntec2fa_cleanup")
    assert "Deleted 2 expired trusted browser(s)." in out
    assert list(TrustedBrowser.objects.values_list("expires_at", flat=True)) == [now + DAY]


def test_deletes_in_batches(alice: Any) -> None:
    old = timezone.now() - 400 * DAY
    AuditEvent.objects.bulk_create(
        AuditEvent(kind="failed", user=alice, created_at=old) for _ in range(7)
    )
    with CaptureQueriesContext(connection) as queries:
        out, _ = run("tyntec2fa_cleanup", "--batch-size", "3")
    assert "Deleted 7 audit event(s)" in out
    deletes = [q for q in queries if q["sql"].startswith('DELETE FROM "tyntec2fa_auditevent"')]
    assert len(deletes) == 3  # 3 + 3 + 1
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize("args", [["--days", "-1"], ["--audit-days", "-5"], ["--batch-size", "0"]])
def test_refuses_bad_arguments(db: None, args: list[str]) -> None:
    with pytest.raises(CommandError):
        run("tyntec2fa_cleanup", *args)


def test_stale_conversion_blocks_are_pruned_p4(db: None) -> None:
    from django_tyntec2fa.models import DestinationBlock

    now = timezone.now()
    DestinationBlock.objects.create(scope="country", value="ZZ", until=now - dt.timedelta(days=2))
    live = DestinationBlock.objects.create(
        scope="country", value="LV", until=now + dt.timedelta(hours=1)
    )
    out, _ = run("tyntec2fa_cleanup")
    assert "Deleted 1 stale conversion block(s)." in out
    assert list(DestinationBlock.objects.all()) == [live]
