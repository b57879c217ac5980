"""start / resend / cancel: one live challenge (S4), cancel (S11), voice only to a
confirmed number (P8), the resend rules, unconfirmed devices (E1), challenge_sent."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.utils import translation

from django_tyntec2fa import flows, signals
from django_tyntec2fa.exceptions import (
    ChallengeExpired,
    DeviceError,
    InvalidCode,
    ProviderUnavailable,
    ResendNotAllowed,
)
from django_tyntec2fa.models import AuditEvent, Challenge, LocalOtp
from django_tyntec2fa.providers import Channel, get_provider

from .conftest import OTHER_NUMBER, add_device
from .helpers import received

pytestmark = pytest.mark.django_db
LOGIN = Challenge.Purpose.LOGIN
ENROLL = Challenge.Purpose.ENROLL
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_start_sends_to_the_primary_phone(user, device, make_request, outbox, settings) -> None:
    settings.TYNTEC2FA_PIN_LENGTH = 8
    add_device(user, OTHER_NUMBER, is_primary=False)
    with received(signals.challenge_sent) as sent, translation.override("de"):
        challenge = flows.start(make_request(), user, purpose=LOGIN)
    assert [delivery.number for delivery in outbox] == [device.number]
    assert (outbox[0].language, len(outbox[0].code)) == ("de", 8)
    assert challenge.device == device
    assert (challenge.channel, challenge.attempts, challenge.max_attempts) == ("SMS", 0, 3)
    assert challenge.provider_otp_id == outbox[0].otp_id
    assert [(c["user"], c["challenge"], c["device"]) for c in sent] == [(user, challenge, device)]


def test_the_device_language_wins_over_the_active_language(user, make_request, outbox) -> None:
    add_device(user, language="fr")
    flows.start(make_request(), user, purpose=LOGIN)
    assert outbox[0].language == "fr"


def test_a_new_challenge_cancels_the_older_one_s4(user, device, make_request, outbox) -> None:
    """S4: at most one live challenge per user and purpose; the old OTP is deleted."""
    request = make_request()
    first = flows.start(request, user, purpose=LOGIN)
    second = flows.start(request, user, purpose=LOGIN)
    first.refresh_from_db()
    assert first.status == Challenge.Status.CANCELLED
    assert flows.live_challenge(user, LOGIN) == second
    assert [str(otp.otp_id) for otp in LocalOtp.objects.all()] == [second.provider_otp_id]
    assert outbox[0].code != outbox[1].code  # else the next line proves nothing (1e-6)
    with pytest.raises(InvalidCode):  # the old code is checked against the new challenge
        flows.verify(request, user, purpose=LOGIN, code=outbox[0].code)


def test_cancel_kills_the_challenge_and_deletes_the_otp_s11(
    user, device, make_request, last_code
) -> None:
    """S11: cancel marks the challenge cancelled and deletes the OTP at the provider."""
    request = make_request()
    challenge = flows.start(request, user, purpose=LOGIN)
    flows.cancel(request, user, purpose=LOGIN)
    challenge.refresh_from_db()
    assert challenge.status == Challenge.Status.CANCELLED
    assert not LocalOtp.objects.exists()
    with pytest.raises(ChallengeExpired):
        flows.verify(request, user, purpose=LOGIN, code=last_code())
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CHALLENGE_CANCELLED).count() == 1
    flows.cancel(request, user, purpose=LOGIN)  # nothing live: nothing happens


def test_cancel_survives_a_provider_error_s11(user, device, make_request) -> None:
    request = make_request()
    flows.start(request, user, purpose=LOGIN)
    broken = mock.Mock(side_effect=ProviderUnavailable("delete: timeout"))
    with mock.patch.object(get_provider(), "delete", broken):
        flows.cancel(request, user, purpose=LOGIN)
    assert broken.call_count == 1
    assert flows.live_challenge(user, LOGIN) is None


def test_an_unconfirmed_device_never_gets_a_login_code_e1(user, make_request, outbox) -> None:
    """E1: a user whose only phone is unconfirmed gets no login or step-up code."""
    phone = add_device(user, confirmed=False, is_primary=False)
    for purpose in (LOGIN, Challenge.Purpose.STEP_UP):
        with pytest.raises(DeviceError):
            flows.start(make_request(), user, purpose=purpose)
        with pytest.raises(DeviceError):
            flows.start(make_request(), user, purpose=purpose, device=phone)
    assert outbox == []


def test_login_codes_skip_an_unconfirmed_phone_e1(user, make_request, outbox) -> None:
    add_device(user, OTHER_NUMBER, confirmed=False, is_primary=False)
    confirmed = add_device(user, is_primary=False)
    assert flows.start(make_request(), user, purpose=LOGIN).device == confirmed
    assert [delivery.number for delivery in outbox] == [confirmed.number]


def test_another_users_device_is_refused(user, other_user, make_request, outbox) -> None:
    bobs = add_device(other_user)
    with pytest.raises(DeviceError):
        flows.start(make_request(), user, purpose=LOGIN, device=bobs)
    assert outbox == []


def test_provider_error_on_send_stores_nothing_and_is_audited_r1(
    user, device, make_request
) -> None:
    broken = mock.Mock(side_effect=ProviderUnavailable("send: timeout"))
    with mock.patch.object(get_provider(), "send", broken), pytest.raises(ProviderUnavailable):
        flows.start(make_request(), user, purpose=LOGIN)
    assert not Challenge.objects.exists()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PROVIDER_ERROR).count() == 1


# --- resend -------------------------------------------------------------------------------


def test_resend_by_voice_call_me_instead(user, device, make_request, outbox, last_code) -> None:
    """Resend switches to voice for a confirmed phone; the latest code verifies (G7)."""
    request = make_request()
    with time_machine.travel(T0, tick=False):
        challenge = flows.start(request, user, purpose=LOGIN)
    with time_machine.travel(T0 + dt.timedelta(seconds=30), tick=False):
        with received(signals.challenge_sent) as sent:
            again = flows.resend(request, user, purpose=LOGIN, channel="VOICE")
    assert again.pk == challenge.pk
    assert (again.resend_count, again.channel, outbox[-1].channel) == (1, "VOICE", Channel.VOICE)
    assert again.expires_at == challenge.expires_at  # a resend does not extend the TTL
    assert len(sent) == 1 and sent[0]["challenge"].resend_count == 1
    with time_machine.travel(T0 + dt.timedelta(seconds=31), tick=False):
        flows.verify(request, user, purpose=LOGIN, code=last_code())


def test_resend_cooldown_and_maximum(user, device, make_request, settings) -> None:
    settings.TYNTEC2FA_RESEND_COOLDOWN = 30
    settings.TYNTEC2FA_MAX_RESENDS = 2
    request = make_request()
    with time_machine.travel(T0, tick=False):
        flows.start(request, user, purpose=LOGIN)
    with time_machine.travel(T0 + dt.timedelta(seconds=10), tick=False):
        with pytest.raises(ResendNotAllowed) as early:
            flows.resend(request, user, purpose=LOGIN)
    assert early.value.retry_after == 20
    for step in (1, 2):
        with time_machine.travel(T0 + dt.timedelta(seconds=40 * step), tick=False):
            flows.resend(request, user, purpose=LOGIN)
    with time_machine.travel(T0 + dt.timedelta(seconds=200), tick=False):
        with pytest.raises(ResendNotAllowed) as exhausted:
            flows.resend(request, user, purpose=LOGIN)
    assert exhausted.value.retry_after is None
    assert Challenge.objects.get().resend_count == 2


def test_resend_without_a_live_challenge(user, device, make_request) -> None:
    with pytest.raises(ChallengeExpired):
        flows.resend(make_request(), user, purpose=LOGIN)
    with time_machine.travel(T0, tick=False):
        flows.start(make_request(), user, purpose=LOGIN)
    with time_machine.travel(T0 + dt.timedelta(seconds=300), tick=False):
        with pytest.raises(ChallengeExpired):
            flows.resend(make_request(), user, purpose=LOGIN)


def test_voice_is_refused_for_an_unconfirmed_enrollment_number_p8(
    user, make_request, outbox
) -> None:
    """P8: the enrollment code goes by SMS, whatever the stored preference; a voice
    resend (or start) to the unconfirmed number is refused and nothing is sent."""
    phone = add_device(user, confirmed=False, is_primary=False, channel="VOICE")
    request = make_request()
    with pytest.raises(DeviceError):
        flows.start(request, user, purpose=ENROLL, device=phone, channel="VOICE")
    with time_machine.travel(T0, tick=False):
        challenge = flows.start(request, user, purpose=ENROLL, device=phone)
    assert (challenge.channel, outbox[-1].channel) == ("SMS", Channel.SMS)
    for channel in ("VOICE", "AUTO"):
        with time_machine.travel(T0 + dt.timedelta(seconds=60), tick=False):
            with pytest.raises(ResendNotAllowed):
                flows.resend(request, user, purpose=ENROLL, channel=channel)
    assert len(outbox) == 1


@pytest.mark.parametrize("channel", ["FAX", "sms", "", "VOICE\x00"])
def test_an_unknown_channel_is_refused(user, device, make_request, outbox, channel) -> None:
    if not channel:
        flows.start(make_request(), user, purpose=LOGIN, channel=channel)  # empty: default
        assert len(outbox) == 1
        return
    with pytest.raises(DeviceError):
        flows.start(make_request(), user, purpose=LOGIN, channel=channel)
    assert outbox == []
