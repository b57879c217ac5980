"""LocalProvider.send, status, events, list_for_number and delete (docs/providers.md)."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from django_tyntec2fa.exceptions import OtpNotFound, ProviderRejected
from django_tyntec2fa.models import LocalOtp
from django_tyntec2fa.providers.base import Channel, OtpState
from django_tyntec2fa.providers.local import LocalProvider, normalize_number
from django_tyntec2fa.providers.sinks import ConsoleSink, Delivery

from .conftest import NUMBER, SendFn

pytestmark = pytest.mark.django_db

START = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("+4915112345678", "+4915112345678"),
        ("004915112345678", "+4915112345678"),
        ("+49 151 1234-5678", "+4915112345678"),
        ("0049 (151) 12345678", "+4915112345678"),
        ("+1234567", "+1234567"),
        ("+123456789012345", "+123456789012345"),
    ],
)
def test_number_is_normalised_like_tyntec(raw: str, normalised: str) -> None:
    assert normalize_number(raw) == normalised


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "4915112345678",  # bare digits: tyntec would need `country`; refused here
        "015112345678",  # national format
        "+0915112345678",  # no country code starts with 0
        "+123456",  # too short
        "+1234567890123456",  # 16 digits: longer than E.164 allows
        "+49151abc45678",
        "++4915112345678",
        "+49\u0661\u0665\u0661\u0661\u0662\u0663\u0664\u0665",  # Arabic-Indic digits
    ],
)
def test_invalid_number_is_rejected_with_a_provider_code(
    provider: LocalProvider, raw: str, outbox: list[Delivery]
) -> None:
    with pytest.raises(ProviderRejected) as info:
        provider.send(raw)
    assert info.value.provider_code == "LOCAL_INVALID_NUMBER"
    assert outbox == []
    assert not LocalOtp.objects.exists()


def test_send_creates_an_active_otp(send: SendFn) -> None:
    with time_machine.travel(START, tick=False):
        status, code = send("0049 151 12345678", reference_id="ref-1")
    assert status.number == NUMBER
    assert status.status is OtpState.ACTIVE
    assert status.attempt_count == 0
    assert status.created == START
    assert status.expires == START + dt.timedelta(seconds=300)
    assert status.reference_id == "ref-1"
    assert status.application_id is None
    assert uuid.UUID(status.otp_id)
    assert len(code) == 6 and code.isdigit()
    row = LocalOtp.objects.get()
    assert (row.max_attempts, row.channel, row.language) == (3, "SMS", "en")


@override_settings(
    TYNTEC2FA_PIN_LENGTH=8,
    TYNTEC2FA_OTP_TTL=120,
    TYNTEC2FA_MAX_ATTEMPTS=5,
    TYNTEC2FA_APPLICATION_ID="app-1",
)
def test_send_follows_the_settings(send: SendFn) -> None:
    status, code = send()
    assert len(code) == 8
    assert status.expires - status.created == dt.timedelta(seconds=120)
    assert status.application_id == "app-1"
    assert LocalOtp.objects.get().max_attempts == 5


def test_pin_length_and_otp_code_parameters(send: SendFn) -> None:
    assert len(send(pin_length=10)[1]) == 10
    assert send(otp_code="000042")[1] == "000042"


@pytest.mark.parametrize("pin_length", [3, 11])
def test_pin_length_outside_tyntec_range_is_error_1006(
    provider: LocalProvider, pin_length: int
) -> None:
    with pytest.raises(ProviderRejected) as info:
        provider.send(NUMBER, pin_length=pin_length)
    assert info.value.provider_code == "1006"


def test_text_without_placeholder_needs_an_otp_code(provider: LocalProvider) -> None:
    with pytest.raises(ProviderRejected) as info:
        provider.send(NUMBER, text="Hello")
    assert info.value.provider_code == "LOCAL_INVALID_TEXT"
    with pytest.raises(ProviderRejected) as info:
        provider.send(NUMBER, otp_code="")
    assert info.value.provider_code == "LOCAL_INVALID_CODE"


def test_custom_text_gets_otp_and_seconds(send: SendFn, outbox: list[Delivery]) -> None:
    _, code = send(text="Code {{OTP}}, valid {{SEC}} s")
    assert outbox[-1].text == f"Code {code}, valid 300 s"


@override_settings(TYNTEC2FA_SERVICE_NAME="Example Shop")
def test_sms_text_names_the_service_and_warns_g8(send: SendFn, outbox: list[Delivery]) -> None:
    _, code = send(via=Channel.AUTO)
    delivery = outbox[-1]
    assert delivery.channel is Channel.SMS
    assert delivery.text == (
        f"Example Shop: Your verification code is {code}. "
        "It expires in 5 minutes. Do not share it with anyone."
    )


@override_settings(TYNTEC2FA_OTP_TTL=90)
def test_sms_text_without_service_name_g8(send: SendFn, outbox: list[Delivery]) -> None:
    _, code = send()
    assert outbox[-1].text == (
        f"Your verification code is {code}. It expires in 90 seconds. Do not share it with anyone."
    )


def test_voice_text_spells_and_repeats_the_code_g8(send: SendFn, outbox: list[Delivery]) -> None:
    _, code = send(via=Channel.VOICE, language="de")
    delivery = outbox[-1]
    spelled = " ".join(code)
    assert delivery.channel is Channel.VOICE
    assert delivery.language == "de"
    assert delivery.text.count(spelled) == 2
    assert "Geben Sie ihn an niemanden weiter." in delivery.text  # the German catalog


def test_send_uses_the_configured_sink(provider: LocalProvider, capsys, outbox) -> None:
    with override_settings(TYNTEC2FA_LOCAL_SINK="django_tyntec2fa.providers.sinks.ConsoleSink"):
        status = provider.send(NUMBER)
    assert outbox == []
    assert f"to {NUMBER}]" in capsys.readouterr().out
    assert provider.events(status.otp_id)[0].status_text == f"Delivered to {ConsoleSink.__name__}"


def test_a_failing_sink_leaves_no_otp(provider: LocalProvider) -> None:
    with (
        override_settings(TYNTEC2FA_LOCAL_SINK="django_tyntec2fa.providers.sinks.Sink"),
        pytest.raises(NotImplementedError),
    ):
        provider.send(NUMBER)
    assert not LocalOtp.objects.exists()


def test_events_name_each_delivery_by_channel_at_its_time(
    provider: LocalProvider, send: SendFn
) -> None:
    with time_machine.travel(START, tick=False):
        status, _ = send()
        provider.resend(status.otp_id, via=Channel.VOICE)
    events = provider.events(status.otp_id)
    assert [(e.type, e.status, e.created) for e in events] == [
        ("DELIVER_OTP_SMS", "success", START),
        ("DELIVER_OTP_VOICE", "success", START),
    ]


def test_status_persists_expiry(provider: LocalProvider, send: SendFn) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        status, _ = send()
        assert provider.status(status.otp_id).status is OtpState.ACTIVE
        traveller.shift(dt.timedelta(seconds=300))
        assert provider.status(status.otp_id).status is OtpState.EXPIRED
    assert LocalOtp.objects.get().status == LocalOtp.Status.EXPIRED


@pytest.mark.parametrize("method", ["status", "resend", "check", "delete", "events"])
@pytest.mark.parametrize("otp_id", [str(uuid.uuid4()), "not-a-uuid"])
def test_unknown_otp_is_not_found(provider: LocalProvider, method: str, otp_id: str) -> None:
    args = (otp_id, "123456") if method == "check" else (otp_id,)
    with pytest.raises(OtpNotFound):
        getattr(provider, method)(*args)


def test_list_for_number_normalises_the_number_and_keeps_the_order(
    provider: LocalProvider, send: SendFn
) -> None:
    first, _ = send()
    second, _ = send("0049 151 12345678")
    send("+4915199999999")
    listed = provider.list_for_number("004915112345678")
    assert [s.otp_id for s in listed] == [first.otp_id, second.otp_id]
    assert provider.list_for_number("+4915100000000") == []
    with pytest.raises(ProviderRejected):
        provider.list_for_number("12")


def test_delete_returns_the_last_status_and_removes_the_row(
    provider: LocalProvider, send: SendFn
) -> None:
    status, code = send()
    provider.check(status.otp_id, code)
    last = provider.delete(status.otp_id)
    assert (last.otp_id, last.status, last.attempt_count) == (status.otp_id, OtpState.VERIFIED, 1)
    assert not LocalOtp.objects.exists()
    with pytest.raises(OtpNotFound):
        provider.status(status.otp_id)


def test_language_defaults_to_the_active_language(send: SendFn) -> None:
    from django.utils import translation

    with translation.override("fr"):
        send()
    with translation.override(None):
        send()
    assert list(LocalOtp.objects.values_list("language", flat=True)) == ["fr", "en"]


def test_logs_hold_neither_code_nor_full_number_g4(
    provider: LocalProvider, send: SendFn, outbox: list[Delivery], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        status, _ = send()
        provider.resend(status.otp_id)
        codes = [delivery.code for delivery in outbox]
        provider.check(status.otp_id, codes[0])  # the old code: wrong since the resend
        provider.check(status.otp_id, codes[1])
    assert caplog.records, "the provider is expected to log its actions"
    for record in caplog.records:
        text = record.getMessage()
        assert NUMBER[1:] not in text
        for code in codes:
            assert code not in text


def test_timestamps_are_aware(send: SendFn) -> None:
    status, _ = send()
    assert timezone.is_aware(status.created) and timezone.is_aware(status.expires)
