"""LocalProvider.check and resend: tyntec's 202/401/403/410 table (docs/providers.md)."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.test import override_settings
from django.utils.crypto import constant_time_compare

from django_tyntec2fa.exceptions import OtpNotActive
from django_tyntec2fa.models import LocalOtp
from django_tyntec2fa.providers.base import Channel, CheckOutcome, OtpState
from django_tyntec2fa.providers.local import LocalProvider
from django_tyntec2fa.providers.sinks import Delivery

from ..steps import wrong_code
from .conftest import SendFn

pytestmark = pytest.mark.django_db

START = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
TTL = dt.timedelta(seconds=300)


def test_right_code_verifies_and_counts(provider: LocalProvider, send: SendFn) -> None:
    status, code = send()
    result = provider.check(status.otp_id, code)
    assert result.outcome is CheckOutcome.VERIFIED and result.verified
    assert (result.otp.status, result.otp.attempt_count) == (OtpState.VERIFIED, 1)


def test_verified_otp_is_final_and_not_counted_g5(provider: LocalProvider, send: SendFn) -> None:
    status, code = send()
    provider.check(status.otp_id, code)
    for attempt in (code, wrong_code(code)):
        result = provider.check(status.otp_id, attempt)
        assert result.outcome is CheckOutcome.ALREADY_FINAL and not result.verified
        assert (result.otp.status, result.otp.attempt_count) == (OtpState.VERIFIED, 1)


def test_wrong_codes_exhaust_the_otp_l1(provider: LocalProvider, send: SendFn) -> None:
    status, code = send()  # MAX_ATTEMPTS is 3
    outcomes = [provider.check(status.otp_id, wrong_code(code)) for _ in range(3)]
    assert [r.outcome for r in outcomes] == [
        CheckOutcome.WRONG_CODE,
        CheckOutcome.WRONG_CODE,
        CheckOutcome.EXHAUSTED,
    ]
    assert [r.otp.status for r in outcomes] == [OtpState.ACTIVE] * 2 + [OtpState.TOO_MANY_ATTEMPTS]
    assert [r.otp.attempt_count for r in outcomes] == [1, 2, 3]
    late = provider.check(status.otp_id, code)  # even the right code is refused now
    assert late.outcome is CheckOutcome.ALREADY_FINAL
    assert (late.otp.status, late.otp.attempt_count) == (OtpState.TOO_MANY_ATTEMPTS, 3)


def test_right_code_on_the_last_attempt_verifies(provider: LocalProvider, send: SendFn) -> None:
    status, code = send()
    provider.check(status.otp_id, wrong_code(code))
    provider.check(status.otp_id, wrong_code(code))
    assert provider.check(status.otp_id, code).outcome is CheckOutcome.VERIFIED


@pytest.mark.parametrize(
    "variant",
    [
        lambda code: " " + code,
        lambda code: code + "\n",
        lambda code: code.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
        lambda code: code[:-1],
        lambda code: code + "0",
        lambda code: "",
    ],
    ids=["leading-space", "trailing-newline", "fullwidth", "short", "long", "empty"],
)
def test_code_is_compared_exactly_as_given(provider: LocalProvider, send: SendFn, variant) -> None:
    status, code = send()
    assert provider.check(status.otp_id, variant(code)).outcome is CheckOutcome.WRONG_CODE


def test_leading_zeros_matter_g1(provider: LocalProvider, send: SendFn) -> None:
    status, _ = send(otp_code="004217")
    assert provider.check(status.otp_id, "4217").outcome is CheckOutcome.WRONG_CODE
    assert provider.check(status.otp_id, "004217").outcome is CheckOutcome.VERIFIED


@pytest.mark.parametrize("right", [True, False], ids=["right", "wrong"])
def test_one_constant_time_compare_per_check_l5(
    provider: LocalProvider, send: SendFn, right: bool
) -> None:
    status, code = send()
    with mock.patch(
        "django_tyntec2fa.providers.local.constant_time_compare", wraps=constant_time_compare
    ) as compare:
        result = provider.check(status.otp_id, code if right else wrong_code(code))
    assert result.verified is right
    assert compare.call_count == 1


def test_final_otp_is_not_compared_l5(provider: LocalProvider, send: SendFn) -> None:
    status, code = send()
    provider.check(status.otp_id, code)
    with mock.patch("django_tyntec2fa.providers.local.constant_time_compare") as compare:
        provider.check(status.otp_id, code)
    compare.assert_not_called()


@pytest.mark.parametrize(
    ("offset", "outcome"),
    [
        (TTL - dt.timedelta(seconds=1), CheckOutcome.VERIFIED),
        (TTL, CheckOutcome.EXPIRED),
        (TTL + dt.timedelta(seconds=1), CheckOutcome.EXPIRED),
    ],
    ids=["ttl-1s", "ttl", "ttl+1s"],
)
def test_expiry_boundary_g6(
    provider: LocalProvider, send: SendFn, offset: dt.timedelta, outcome: CheckOutcome
) -> None:
    """Expired means now >= expires: accepted at TTL-1 s, refused at TTL+0 s."""
    with time_machine.travel(START, tick=False) as traveller:
        status, code = send()
        traveller.shift(offset)
        result = provider.check(status.otp_id, code)
    assert result.outcome is outcome
    # A check of an expired OTP does not look at the code and is not counted (the fake
    # tyntec server's choice, see docs/providers.md), so only the in-time check counts.
    assert result.otp.attempt_count == (1 if outcome is CheckOutcome.VERIFIED else 0)


def test_expired_otp_becomes_final(provider: LocalProvider, send: SendFn) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        status, code = send()
        traveller.shift(TTL)
        assert provider.check(status.otp_id, wrong_code(code)).otp.status is OtpState.EXPIRED
        again = provider.check(status.otp_id, code)
    assert again.outcome is CheckOutcome.ALREADY_FINAL
    assert (again.otp.status, again.otp.attempt_count) == (OtpState.EXPIRED, 0)


def test_resend_issues_a_new_code_and_keeps_the_rest_g7(
    provider: LocalProvider, send: SendFn, outbox: list[Delivery]
) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        status, old = send()
        provider.check(status.otp_id, wrong_code(old))
        traveller.shift(dt.timedelta(seconds=60))
        resent = provider.resend(status.otp_id, via=Channel.VOICE)
    new = outbox[-1].code
    assert outbox[-1].channel is Channel.VOICE
    assert len(new) == len(old)
    assert (resent.created, resent.expires, resent.attempt_count) == (
        status.created,
        status.expires,
        1,
    )
    assert resent.status is OtpState.ACTIVE
    if new != old:  # a 1 in 10**6 draw repeats the code; then only the second check applies
        assert provider.check(status.otp_id, old).outcome is CheckOutcome.WRONG_CODE
    assert provider.check(status.otp_id, new).outcome is CheckOutcome.VERIFIED


def test_resend_keeps_the_pin_length(
    provider: LocalProvider, send: SendFn, outbox: list[Delivery]
) -> None:
    status, _ = send(pin_length=9)
    provider.resend(status.otp_id)
    assert len(outbox[-1].code) == 9


def test_resend_of_a_final_otp_is_refused(
    provider: LocalProvider, send: SendFn, outbox: list[Delivery]
) -> None:
    status, code = send()
    provider.check(status.otp_id, code)
    with pytest.raises(OtpNotActive):
        provider.resend(status.otp_id)
    assert len(outbox) == 1


def test_resend_of_an_expired_otp_is_refused_and_persists_expiry(
    provider: LocalProvider, send: SendFn, outbox: list[Delivery]
) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        status, _ = send()
        traveller.shift(TTL)
        with pytest.raises(OtpNotActive):
            provider.resend(status.otp_id)
    assert len(outbox) == 1
    assert LocalOtp.objects.get().status == LocalOtp.Status.EXPIRED


@override_settings(TYNTEC2FA_MAX_ATTEMPTS=1)
def test_max_attempts_is_fixed_at_send(provider: LocalProvider, send: SendFn) -> None:
    status, code = send()
    with override_settings(TYNTEC2FA_MAX_ATTEMPTS=5):
        result = provider.check(status.otp_id, wrong_code(code))
    assert result.outcome is CheckOutcome.EXHAUSTED
