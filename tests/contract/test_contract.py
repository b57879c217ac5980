"""The provider contract: LocalProvider and TyntecProvider (over HTTP to FakeTyntec)
give the same observable answers for the same scenario."""

from __future__ import annotations

import datetime as dt

import pytest

from django_tyntec2fa.exceptions import OtpNotActive, OtpNotFound
from django_tyntec2fa.providers import Channel, CheckOutcome, OtpState

from ..steps import wrong_code
from .conftest import Harness

pytestmark = pytest.mark.django_db

NUMBER = "+4915112345678"
TTL = dt.timedelta(seconds=300)  # TYNTEC2FA_OTP_TTL and the fake's default application


def test_send_creates_an_active_otp_and_delivers_one_sms(harness: Harness) -> None:
    otp = harness.provider.send(NUMBER, via=Channel.SMS, language="en")
    assert otp.status is OtpState.ACTIVE
    assert otp.attempt_count == 0
    assert otp.number == NUMBER
    assert otp.expires - otp.created == TTL
    assert otp.created.tzinfo is not None
    (message,) = harness.messages()
    assert (message.number, message.channel) == (NUMBER, "SMS")
    assert len(message.code) == 6 and message.code.isdigit()  # TYNTEC2FA_PIN_LENGTH (G2)
    assert message.code in message.text


def test_number_with_00_prefix_is_normalised(harness: Harness) -> None:
    otp = harness.provider.send("004915112345678")
    assert otp.number == NUMBER


def test_status_reports_what_send_returned(harness: Harness) -> None:
    sent = harness.provider.send(NUMBER)
    assert harness.provider.status(sent.otp_id) == sent


def test_resend_on_another_channel_keeps_expiry_and_attempts(harness: Harness) -> None:
    sent = harness.provider.send(NUMBER, via=Channel.SMS)
    harness.provider.check(sent.otp_id, wrong_code(harness.delivered_code()))
    resent = harness.provider.resend(sent.otp_id, via=Channel.VOICE)
    assert resent.otp_id == sent.otp_id
    assert resent.status is OtpState.ACTIVE
    assert (resent.created, resent.expires) == (sent.created, sent.expires)
    assert resent.attempt_count == 1
    first, second = harness.messages()
    assert (first.channel, second.channel) == ("SMS", "VOICE")
    assert harness.provider.check(sent.otp_id, second.code).verified


def test_wrong_code_is_a_normal_answer(harness: Harness) -> None:
    sent = harness.provider.send(NUMBER)
    result = harness.provider.check(sent.otp_id, wrong_code(harness.delivered_code()))
    assert result.outcome is CheckOutcome.WRONG_CODE
    assert not result.verified
    assert result.otp.status is OtpState.ACTIVE
    assert result.otp.attempt_count == 1


def test_right_code_verifies_once_g5(harness: Harness) -> None:
    sent = harness.provider.send(NUMBER)
    code = harness.delivered_code()
    result = harness.provider.check(sent.otp_id, code)
    assert result.verified
    assert result.otp.status is OtpState.VERIFIED
    assert result.otp.attempt_count == 1
    again = harness.provider.check(sent.otp_id, code)
    assert again.outcome is CheckOutcome.ALREADY_FINAL
    assert not again.verified
    assert harness.provider.status(sent.otp_id).attempt_count == 1  # not evaluated


def test_exhausting_attempts_kills_the_otp_l1(harness: Harness) -> None:
    sent = harness.provider.send(NUMBER)
    code = harness.delivered_code()
    outcomes = [harness.provider.check(sent.otp_id, wrong_code(code)).outcome for _ in range(3)]
    assert outcomes == [CheckOutcome.WRONG_CODE, CheckOutcome.WRONG_CODE, CheckOutcome.EXHAUSTED]
    late = harness.provider.check(sent.otp_id, code)
    assert late.outcome is CheckOutcome.ALREADY_FINAL and not late.verified
    status = harness.provider.status(sent.otp_id)
    assert (status.status, status.attempt_count) == (OtpState.TOO_MANY_ATTEMPTS, 3)


def test_code_is_accepted_one_second_before_expiry_g6(harness: Harness) -> None:
    sent = harness.provider.send(NUMBER)
    harness.advance(TTL.total_seconds() - 1)
    assert harness.provider.check(sent.otp_id, harness.delivered_code()).verified


def test_code_is_refused_after_expiry_g6(harness: Harness) -> None:
    sent = harness.provider.send(NUMBER)
    harness.advance(TTL.total_seconds() + 1)
    assert harness.provider.status(sent.otp_id).status is OtpState.EXPIRED
    result = harness.provider.check(sent.otp_id, harness.delivered_code())
    assert not result.verified
    assert result.outcome in {CheckOutcome.EXPIRED, CheckOutcome.ALREADY_FINAL}
    with pytest.raises(OtpNotActive):
        harness.provider.resend(sent.otp_id)


def test_first_check_after_expiry_is_expired_and_not_counted(harness: Harness) -> None:
    sent = harness.provider.send(NUMBER)
    harness.advance(TTL.total_seconds())
    first = harness.provider.check(sent.otp_id, harness.delivered_code())
    assert (first.outcome, first.otp.status, first.otp.attempt_count) == (
        CheckOutcome.EXPIRED,
        OtpState.EXPIRED,
        0,
    )
    second = harness.provider.check(sent.otp_id, harness.delivered_code())
    assert second.outcome is CheckOutcome.ALREADY_FINAL and not second.verified


def test_check_after_a_final_state_is_not_evaluated(harness: Harness) -> None:
    sent = harness.provider.send(NUMBER)
    code = harness.delivered_code()
    assert harness.provider.check(sent.otp_id, code).verified
    result = harness.provider.check(sent.otp_id, wrong_code(code))
    assert result.outcome is CheckOutcome.ALREADY_FINAL
    assert result.otp.status is OtpState.VERIFIED
    assert result.otp.attempt_count == 1


def test_resend_after_a_final_state_is_refused(harness: Harness) -> None:
    sent = harness.provider.send(NUMBER)
    harness.provider.check(sent.otp_id, harness.delivered_code())
    with pytest.raises(OtpNotActive):
        harness.provider.resend(sent.otp_id)
    assert len(harness.messages()) == 1


def test_delete_then_the_otp_is_unknown(harness: Harness) -> None:
    sent = harness.provider.send(NUMBER)
    code = harness.delivered_code()
    deleted = harness.provider.delete(sent.otp_id)
    assert deleted is not None and deleted.otp_id == sent.otp_id
    with pytest.raises(OtpNotFound):
        harness.provider.status(sent.otp_id)
    with pytest.raises(OtpNotFound):
        harness.provider.check(sent.otp_id, code)


def test_events_record_each_delivery(harness: Harness) -> None:
    sent = harness.provider.send(NUMBER)
    assert len(harness.provider.events(sent.otp_id)) == 1
    harness.provider.resend(sent.otp_id, via=Channel.VOICE)
    events = harness.provider.events(sent.otp_id)
    assert len(events) == 2
    assert events[0].created <= events[1].created


@pytest.mark.parametrize("operation", ["status", "resend", "check", "delete", "events"])
def test_unknown_id_is_not_found(harness: Harness, operation: str) -> None:
    unknown = "7b1e6f0e-8f65-4a51-9d5b-3f5c8c8f0000"
    call = getattr(harness.provider, operation)
    with pytest.raises(OtpNotFound):
        call(unknown, "123456") if operation == "check" else call(unknown)


def test_list_for_number(harness: Harness) -> None:
    first = harness.provider.send(NUMBER)
    second = harness.provider.send(NUMBER)
    harness.provider.send("+4915199999999")
    listed = {otp.otp_id for otp in harness.provider.list_for_number(NUMBER)}
    assert listed == {first.otp_id, second.otp_id}
    assert harness.provider.list_for_number("+4915100000000") == []


def test_given_code_keeps_leading_zeros(harness: Harness) -> None:
    sent = harness.provider.send(NUMBER, otp_code="012345")
    assert harness.delivered_code() == "012345"
    assert not harness.provider.check(sent.otp_id, "12345").verified
    assert harness.provider.check(sent.otp_id, "012345").verified
