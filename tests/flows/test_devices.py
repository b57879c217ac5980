"""Device flows: enroll and confirm (E1, E2), remove (E3), make primary, and IDOR:
a user can never touch another user's device."""

from __future__ import annotations

import time
from typing import Any

import pytest
import time_machine

from django_tyntec2fa import flows, signals
from django_tyntec2fa.core import session
from django_tyntec2fa.exceptions import ChallengeExpired, DeviceError, InvalidCode
from django_tyntec2fa.models import AuditEvent, Challenge, LocalOtp, PhoneDevice

from ..steps import wrong_code
from .conftest import NUMBER, OTHER_NUMBER, add_device
from .helpers import received

pytestmark = pytest.mark.django_db
ENROLL = Challenge.Purpose.ENROLL


def test_enroll_then_confirm_binds_the_number_e1(user, make_request, outbox, last_code) -> None:
    """E1: the number is usable only after its code was verified; it becomes primary."""
    request = make_request(user)
    challenge = flows.enroll(request, user, number="+49 151 2345 6789", label="Work")
    phone = challenge.device
    assert (phone.number, phone.label, phone.confirmed) == (NUMBER, "Work", False)
    assert outbox[-1].number == NUMBER
    with pytest.raises(InvalidCode):
        flows.confirm(request, user, code=wrong_code(last_code()))
    assert not PhoneDevice.objects.get().confirmed
    with received(signals.device_added) as added:
        confirmed = flows.confirm(request, user, code=last_code())
    assert (confirmed.confirmed, confirmed.is_primary) == (True, True)
    assert [(c["request"], c["user"], c["device"]) for c in added] == [(request, user, confirmed)]
    assert session.is_verified(request)  # the signed-in session proved the new phone
    kinds = set(AuditEvent.objects.values_list("kind", flat=True))
    assert {AuditEvent.Kind.DEVICE_ADDED, AuditEvent.Kind.DEVICE_CONFIRMED} <= kinds


def test_enroll_reuses_the_unconfirmed_device(user, make_request, settings) -> None:
    settings.TYNTEC2FA_RESEND_COOLDOWN = (
        0  # the number's cooldown: tests/flows/test_enroll_probes.py
    )
    request = make_request(user)
    first = flows.enroll(request, user, number=NUMBER, label="old")
    second = flows.enroll(request, user, number="0049 151 23456789", label="new", channel="VOICE")
    assert first.device.pk == second.device.pk
    assert PhoneDevice.objects.get().label == "new"
    assert (second.channel, PhoneDevice.objects.get().channel) == ("SMS", "VOICE")  # P8


def test_enroll_refuses_a_confirmed_number_and_invalid_input(user, device, make_request) -> None:
    request = make_request(user, verified=True)
    with pytest.raises(DeviceError):
        flows.enroll(request, user, number="0049151 23456789")
    for number in ("12345", "+49 CALL NOW", "", "+" + "1" * 70):
        with pytest.raises(DeviceError):
            flows.enroll(request, user, number=number)
    with pytest.raises(DeviceError):
        flows.enroll(request, user, number=OTHER_NUMBER, channel="FAX")


def test_a_second_phone_needs_a_recent_second_factor_e2(user, device, make_request, outbox) -> None:
    """E2: a user who has a phone adds another only from a session that passed the
    second factor recently: not with the password alone, not with a stale proof."""
    with pytest.raises(DeviceError):
        flows.enroll(make_request(user), user, number=OTHER_NUMBER)
    stale = make_request(user)
    with time_machine.travel(time.time() - 301):
        session.mark_verified(stale)
    with pytest.raises(DeviceError):
        flows.enroll(stale, user, number=OTHER_NUMBER)
    assert outbox == []
    flows.enroll(make_request(user, verified=True), user, number=OTHER_NUMBER)
    assert len(outbox) == 1


def test_confirm_completes_a_pending_enroll_login(user, make_request, last_code) -> None:
    """A user the policy sends to enrollment: confirming the phone signs them in."""
    request = make_request(user)
    session.begin_pending(request, user, purpose="enroll")
    request.session.save()
    key_before = request.session.session_key
    flows.enroll(request, user, number=NUMBER)
    flows.confirm(request, user, code=last_code())
    assert request.user == user
    assert session.is_verified(request)
    assert session.get_pending(request) is None
    # S3: the old key is gone from the store; the session is stored under a new one.
    assert not request.session.exists(key_before)
    request.session.save()
    assert request.session.session_key not in (None, key_before)


# --- E3 and removal -------------------------------------------------------------------------


def test_removing_the_last_phone_needs_a_recent_second_factor_e3(
    user, device, make_request
) -> None:
    """E3: not with a password-only session, not with a stale proof; with a fresh one."""
    for request in (make_request(), make_request(user)):
        with pytest.raises(DeviceError):
            flows.remove(request, user, device.pk)
    stale = make_request(user)
    with time_machine.travel(time.time() - 301):
        session.mark_verified(stale)
    with pytest.raises(DeviceError):
        flows.remove(stale, user, device.pk)
    assert PhoneDevice.objects.filter(pk=device.pk).exists()
    with received(signals.device_removed) as removed:
        flows.remove(make_request(user, verified=True), user, device.pk)
    assert not PhoneDevice.objects.exists()
    assert len(removed) == 1 and removed[0]["user"] == user
    assert removed[0]["device"].number == NUMBER


def test_removing_the_primary_promotes_another(user, device, make_request) -> None:
    backup = add_device(user, OTHER_NUMBER, is_primary=False)
    flows.remove(make_request(user, verified=True), user, device.pk)  # not the last one
    backup.refresh_from_db()
    assert backup.is_primary


def test_removing_a_phone_cancels_its_challenge(user, device, make_request) -> None:
    backup = add_device(user, OTHER_NUMBER, is_primary=False)
    request = make_request(user, verified=True)
    flows.start(request, user, purpose=Challenge.Purpose.LOGIN, device=backup)
    flows.remove(request, user, backup.pk)
    assert flows.live_challenge(user, Challenge.Purpose.LOGIN) is None


def test_removing_a_phone_keeps_its_challenges_and_kills_its_code_s11(
    user, device, make_request
) -> None:
    """The code dies at the provider too; the challenges stay as records (L8)."""
    backup = add_device(user, OTHER_NUMBER, is_primary=False)
    request = make_request(user, verified=True)
    live = flows.start(request, user, purpose=Challenge.Purpose.LOGIN, device=backup)
    assert LocalOtp.objects.filter(otp_id=live.provider_otp_id).exists()
    flows.remove(request, user, backup.pk)
    assert not LocalOtp.objects.filter(otp_id=live.provider_otp_id).exists()
    live.refresh_from_db()
    assert (live.status, live.device_id) == (Challenge.Status.CANCELLED, None)


def test_removing_an_abandoned_enrollment_needs_nothing(user, make_request) -> None:
    phone = add_device(user, confirmed=False, is_primary=False)
    flows.remove(make_request(user), user, phone.pk)
    assert not PhoneDevice.objects.exists()


def test_make_primary(user, device, make_request) -> None:
    backup = add_device(user, OTHER_NUMBER, is_primary=False)
    fresh = make_request(user, verified=True)
    assert flows.make_primary(fresh, user, backup.pk).is_primary
    device.refresh_from_db()
    assert not device.is_primary
    assert flows.make_primary(fresh, user, str(backup.pk)).is_primary  # idempotent
    unconfirmed = add_device(user, "+4915100000001", confirmed=False, is_primary=False)
    with pytest.raises(DeviceError):
        flows.make_primary(fresh, user, unconfirmed.pk)


# --- IDOR ------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["remove", "make_primary"])
def test_a_user_cannot_touch_another_users_device_idor(
    action: str, user, other_user, device, make_request
) -> None:
    """IDOR (CVE-2020-5240): B's device id in A's request: the same DeviceError as an
    unknown id, and B's device is unchanged."""
    bobs = add_device(other_user, OTHER_NUMBER, is_primary=False)
    request = make_request(user, verified=True)
    flow: Any = getattr(flows, action)
    with pytest.raises(DeviceError) as foreign:
        flow(request, user, bobs.pk)
    with pytest.raises(DeviceError) as unknown:
        flow(request, user, 999_999)
    assert str(foreign.value.message) == str(unknown.value.message)
    bobs.refresh_from_db()
    assert (bobs.user, bobs.is_primary) == (other_user, False)


def test_confirm_needs_a_live_enrollment(user, make_request) -> None:
    with pytest.raises(ChallengeExpired):
        flows.confirm(make_request(user), user, code="123456")
