"""``tyntec2fa_disable``: the support desk turns a user's second factor off."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.core.management import CommandError
from django.test import override_settings

from django_tyntec2fa import signals
from django_tyntec2fa.exceptions import ProviderUnavailable
from django_tyntec2fa.flows import common
from django_tyntec2fa.models import AuditEvent, Challenge, FailureCounter, LocalOtp, PhoneDevice
from django_tyntec2fa.providers import get_provider
from django_tyntec2fa.providers.sinks import Delivery

from .conftest import NUMBER, make_challenge, run


def test_disable_removes_devices_cancels_challenges_and_resets_s11(
    device: PhoneDevice, alice: Any, outbox: list[Delivery]
) -> None:
    PhoneDevice.objects.create(user=alice, number="+4915199990000", confirmed=True)
    otp = get_provider().send(NUMBER, pin_length=6)
    make_challenge(device, provider_otp_id=otp.otp_id)
    FailureCounter.objects.create(user=alice, failures=20, locked=True)
    removed: list[Any] = []

    def on_removed(**kwargs: Any) -> None:
        removed.append(kwargs["device"])

    signals.device_removed.connect(on_removed)
    try:
        out, err = run("tyntec2fa_disable", "alice", "--yes")
    finally:
        signals.device_removed.disconnect(on_removed)
    assert "2 phone(s) removed, 1 challenge(s) cancelled," in out and not err
    assert not PhoneDevice.objects.filter(user=alice).exists()
    # The challenge stays as a record (L8), cancelled and without its phone.
    challenge = Challenge.objects.get(user=alice)
    assert (challenge.status, challenge.device) == (Challenge.Status.CANCELLED, None)
    counter = FailureCounter.objects.get(user=alice)
    assert (counter.failures, counter.locked, counter.blocked_until) == (0, False, None)
    assert not LocalOtp.objects.filter(otp_id=otp.otp_id).exists()
    assert len(removed) == 2
    kinds = set(AuditEvent.objects.filter(user=alice).values_list("kind", flat=True))
    assert {
        AuditEvent.Kind.DISABLED,
        AuditEvent.Kind.CHALLENGE_CANCELLED,
        AuditEvent.Kind.DEVICE_REMOVED,
        AuditEvent.Kind.ACCOUNT_UNLOCKED,
    } <= kinds


def test_asks_for_confirmation_and_aborts_on_anything_but_yes(device: PhoneDevice) -> None:
    with mock.patch("builtins.input", return_value="no") as ask:
        with pytest.raises(CommandError, match="Aborted"):
            run("tyntec2fa_disable", "alice")
    assert "delete 1 phone(s)" in ask.call_args.args[0]
    assert PhoneDevice.objects.filter(pk=device.pk).exists()
    with mock.patch("builtins.input", return_value="yes"):
        run("tyntec2fa_disable", "alice")
    assert not PhoneDevice.objects.filter(pk=device.pk).exists()


def test_a_provider_failure_is_reported_not_fatal_r1(device: PhoneDevice) -> None:
    make_challenge(device, provider_otp_id="otp-1")
    broken = mock.Mock()
    broken.delete.side_effect = ProviderUnavailable("timeout")
    with mock.patch.object(common, "get_provider", return_value=broken):
        out, err = run("tyntec2fa_disable", "alice", "--yes")
    assert "1 challenge(s) cancelled" in out
    assert "did not delete the code of challenge" in err and "(provider_unavailable)" in err
    assert not PhoneDevice.objects.exists()


@override_settings(TYNTEC2FA_REQUIRED="django_tyntec2fa.core.policy.all_users")
def test_says_when_the_policy_sends_the_user_to_enrollment(device: PhoneDevice) -> None:
    out, _ = run("tyntec2fa_disable", "alice", "--yes")
    assert "next sign-in enrolls a phone" in out


def test_unknown_user(db: None) -> None:
    with pytest.raises(CommandError, match="No user"):
        run("tyntec2fa_disable", "nobody", "--yes")
