"""``tyntec2fa_disable`` also removes the user's recovery codes (issue 11): a user whose
second factor was turned off cannot be signed in with an old code later."""

from __future__ import annotations

from typing import Any
from unittest import mock

from django_tyntec2fa import signals
from django_tyntec2fa.flows import recovery
from django_tyntec2fa.models import AuditEvent, PhoneDevice, RecoveryCode

from .conftest import run


def test_disable_removes_the_recovery_codes(device: PhoneDevice, alice: Any) -> None:
    with mock.patch("django_tyntec2fa.flows.sensitive.recent_for", return_value=True):
        recovery.generate(None, alice)
    revoked: list[int] = []

    def on_revoked(**kwargs: Any) -> None:
        revoked.append(kwargs["count"])

    signals.recovery_codes_revoked.connect(on_revoked)
    try:
        out, err = run("tyntec2fa_disable", "alice", "--yes")
    finally:
        signals.recovery_codes_revoked.disconnect(on_revoked)
    assert "10 unused recovery code(s) removed" in out and not err
    assert not RecoveryCode.objects.filter(user=alice).exists()
    assert revoked == [10]
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.RECOVERY_REVOKED)
    assert event.detail == "10 unused; by an operator"


def test_disable_without_codes_says_none_were_removed(device: PhoneDevice) -> None:
    out, _err = run("tyntec2fa_disable", "alice", "--yes")
    assert " 0 unused recovery code(s) removed" in out
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.RECOVERY_REVOKED).exists()
