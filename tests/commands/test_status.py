"""``tyntec2fa_status``: a user's second factor for the support desk, numbers masked (G4)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import CommandError
from django.utils import timezone

from django_tyntec2fa.models import Challenge, FailureCounter, PhoneDevice

from .conftest import MASKED, NUMBER, make_challenge, run


def test_shows_devices_masked_lock_state_and_live_challenges_g4(
    device: PhoneDevice, alice: Any
) -> None:
    PhoneDevice.objects.create(user=alice, number="+4915199990000", label="Spare")
    FailureCounter.objects.create(
        user=alice, failures=6, blocked_until=timezone.now() + dt.timedelta(minutes=2)
    )
    live = make_challenge(device)
    make_challenge(device, purpose=Challenge.Purpose.STEP_UP, status="verified")
    out, _ = run("tyntec2fa_status", "alice")
    assert "second factor required: yes" in out
    assert "Phones: 2" in out and MASKED in out and "'Work' [primary, confirmed]" in out
    assert "'Spare' [unconfirmed]" in out
    assert "Failures: 6; not locked, waiting until" in out
    assert "Live challenges: 1" in out and f"#{live.pk} login by SMS" in out
    assert NUMBER not in out and "+4915199990000" not in out


def test_a_locked_user_without_history(alice: Any) -> None:
    out, _ = run("tyntec2fa_status", "alice")
    assert "Phones: 0" in out and "Failures: 0; not locked" in out
    FailureCounter.objects.create(user=alice, failures=20, locked=True)
    assert "Failures: 20; LOCKED" in run("tyntec2fa_status", "alice")[0]


def test_unknown_user(db: None) -> None:
    with pytest.raises(CommandError, match="No user with username 'nobody'"):
        run("tyntec2fa_status", "nobody")


def test_number_shows_its_conversion_counts_masked_p4(db: None) -> None:
    """P4: the conversion counts live in the cache; ``--number`` shows them, the number
    itself masked (G4)."""
    from django_tyntec2fa.abuse import conversion
    from django_tyntec2fa.abuse.counters import counter_cache

    counter_cache().clear()  # counts of other tests' codes to this number
    conversion.record_send(NUMBER)
    conversion.record_send(NUMBER)
    conversion.record_verification(NUMBER)
    out, _ = run("tyntec2fa_status", "--number", NUMBER)
    assert MASKED in out and NUMBER not in out
    assert "country DE: 1 of 2 code(s) verified" in out
    assert f"prefix {NUMBER[:-4]}: 1 of 2 code(s) verified" in out


@pytest.mark.parametrize("args", [[], ["--number", "not a number"]])
def test_needs_a_user_or_a_valid_number(db: None, args: list[str]) -> None:
    with pytest.raises(CommandError):
        run("tyntec2fa_status", *args)
