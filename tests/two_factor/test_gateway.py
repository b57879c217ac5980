"""``contrib.two_factor.TyntecGateway`` on its own, against the fake tyntec server over
real HTTP: what a send asks of tyntec (``otpCode``, ``via``, ``language``,
``pinLength``) and what a failure leaves in logs, errors and error reports (G4).

A device here is a stand-in with django-two-factor-auth's ``PhoneNumber``: its
``PhoneDevice`` model needs its apps installed, which ``test_site.py`` does.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import override_settings
from django.utils import translation
from django.views.debug import ExceptionReporter
from phonenumber_field.phonenumber import PhoneNumber

from django_tyntec2fa.contrib.two_factor import TyntecGateway
from django_tyntec2fa.exceptions import DestinationRefused, ProviderUnavailable
from django_tyntec2fa.testing.fake_tyntec import FakeTyntec, Fault

from ..example_site import free_port

API_KEY = "gateway-key"
NUMBER = "+4915123456789"
TOKEN = "012345"  # a leading zero, as django-two-factor-auth's zfill keeps it


@pytest.fixture
def fake() -> Iterator[FakeTyntec]:
    # The breaker off: these tests are about one send each, not about the breaker
    # (test_site.py opens it), and an opening would write an audit row.
    with (
        FakeTyntec(api_key=API_KEY) as server,
        override_settings(
            TYNTEC2FA_API_URL=server.url,
            TYNTEC2FA_API_KEY=API_KEY,
            TYNTEC2FA_BREAKER_FAILURES=0,
        ),
    ):
        yield server


def _device(number: str = NUMBER, **extra: Any) -> SimpleNamespace:
    return SimpleNamespace(number=PhoneNumber.from_string(number), **extra)


def _sent_queries(gateway: TyntecGateway) -> list[dict[str, list[str]]]:
    """The query of every request the gateway's provider makes from now on."""
    queries: list[dict[str, list[str]]] = []

    def record(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        queries.append(parse_qs(urlsplit(response.request.url or "").query))

    gateway.provider().session.hooks["response"].append(record)  # type: ignore[attr-defined]
    return queries


def test_send_sms_sends_the_token_as_otp_code_in_the_active_language(
    fake: FakeTyntec,
) -> None:
    gateway = TyntecGateway()
    queries = _sent_queries(gateway)
    with translation.override("de-at"):
        status = gateway.send_sms(device=_device(), token=TOKEN)

    (message,) = fake.outbox
    assert (message.code, message.channel, message.number) == (TOKEN, "SMS", NUMBER)
    assert fake.otps[status.otp_id].language == "de"  # "de-at" as ISO 639-1
    (query,) = queries
    assert query["otpCode"] == [TOKEN]
    assert query["via"] == ["SMS"]
    assert query["language"] == ["de"]
    assert query["pinLength"] == ["6"]


def test_make_call_reads_the_token_out_and_an_eight_digit_token_keeps_its_length(
    fake: FakeTyntec,
) -> None:
    gateway = TyntecGateway()
    queries = _sent_queries(gateway)
    with translation.override("fr"):
        gateway.make_call(device=_device(), token="00123456")

    (message,) = fake.outbox
    assert (message.code, message.channel) == ("00123456", "VOICE")
    assert queries[0]["pinLength"] == ["8"]
    assert queries[0]["language"] == ["fr"]


def test_without_an_active_language_tyntec_chooses_by_the_number(fake: FakeTyntec) -> None:
    gateway = TyntecGateway()
    queries = _sent_queries(gateway)
    with translation.override(None):
        status = gateway.send_sms(device=_device("+33612345678"), token=TOKEN)

    assert "language" not in queries[0]
    assert fake.otps[status.otp_id].language == "fr"  # the fake's pick for +33


def test_a_subclass_sends_in_the_language_stored_with_the_user(fake: FakeTyntec) -> None:
    class UsersLanguage(TyntecGateway):
        def language_for(self, device: Any) -> str | None:
            return str(device.user.language)

    device = _device(user=SimpleNamespace(language="fr"))
    with translation.override("de"):
        status = UsersLanguage().send_sms(device=device, token=TOKEN)
    assert fake.otps[status.otp_id].language == "fr"


def test_a_phone_number_given_as_a_string_is_sent_too(fake: FakeTyntec) -> None:
    TyntecGateway().send_sms(device=SimpleNamespace(number=NUMBER), token=TOKEN)
    assert fake.outbox[0].number == NUMBER


@pytest.mark.parametrize(
    ("number", "countries", "send", "detail"),
    [
        ("+499001234567", None, "send_sms", "number type PREMIUM_RATE blocked"),
        ("+33612345678", ["DE"], "send_sms", "country FR not in TYNTEC2FA_SMS_COUNTRIES"),
        ("+4915123456789", None, "send_sms", None),
        ("+4915123456789", ["+49"], "make_call", None),
    ],
)
def test_the_destination_policy_refuses_before_tyntec_is_asked_p1_p2(
    fake: FakeTyntec,
    caplog: pytest.LogCaptureFixture,
    number: str,
    countries: list[str] | None,
    send: str,
    detail: str | None,
) -> None:
    """P1, P2: the app's countries and number types hold for django-two-factor-auth's
    tokens too; a refused number costs nothing (tyntec is not asked)."""
    with override_settings(TYNTEC2FA_SMS_COUNTRIES=countries):
        deliver = getattr(TyntecGateway(), send)
        if detail is None:
            deliver(device=_device(number), token=TOKEN)
            assert [message.number for message in fake.outbox] == [number]
            return
        with pytest.raises(DestinationRefused) as raised:
            deliver(device=_device(number), token=TOKEN)
    assert raised.value.detail == detail
    assert fake.counters.get("send", 0) == 0
    assert fake.outbox == []
    assert f"not sent: destination_refused ({detail})" in caplog.text
    assert number not in caplog.text


@pytest.mark.parametrize("down", ["HTTP 503", "connection refused"])
def test_a_failed_send_raises_the_providers_error_and_logs_neither_token_nor_number_g4(
    fake: FakeTyntec, caplog: pytest.LogCaptureFixture, down: str
) -> None:
    """G4, R1: every logger at DEBUG (urllib3's included) while a send fails."""
    if down == "HTTP 503":
        fake.inject(Fault("status", operation="send", status=503))
        url = fake.url
    else:
        url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    caplog.set_level(logging.DEBUG)
    with override_settings(TYNTEC2FA_API_URL=url), pytest.raises(ProviderUnavailable) as raised:
        TyntecGateway().send_sms(device=_device(), token=TOKEN)

    assert fake.outbox == []
    warnings = [r for r in caplog.records if r.name == "django_tyntec2fa.contrib.two_factor"]
    assert [r.levelname for r in warnings] == ["WARNING"]
    assert "SMS to +49*******6789 not sent: provider_unavailable" in warnings[0].getMessage()
    for text in (caplog.text, str(raised.value), repr(raised.value)):
        assert TOKEN not in text
        assert NUMBER not in text
        assert NUMBER[1:] not in text


def test_an_error_report_hides_the_token_in_the_gateways_frames_g4(fake: FakeTyntec) -> None:
    """G4: Django's error report (the 500 mail, a debug page) of a failed send shows
    the gateway's and the provider's frames with the token replaced by stars."""
    fake.inject(Fault("status", operation="send", status=503))
    try:
        TyntecGateway().send_sms(device=_device(), token=TOKEN)
    except ProviderUnavailable:
        frames = ExceptionReporter(None, *sys.exc_info()).get_traceback_frames()
    functions = {frame["function"] for frame in frames}
    assert {"send_sms", "deliver", "send"} <= functions
    ours = [frame for frame in frames if frame["function"] in {"send_sms", "deliver"}]
    stars = "********************"
    assert {name: value for frame in ours for name, value in frame["vars"] if name == "token"} == {
        "token": stars
    }
    assert [value for frame in ours for name, value in frame["vars"] if name == "device"] == [
        stars,
        stars,
    ]
    # No frame at all shows the token; the gateway's frames show no number either.
    assert [
        frame["function"] for frame in frames for _, value in frame["vars"] if TOKEN in str(value)
    ] == []
    assert [
        frame["function"] for frame in ours for _, value in frame["vars"] if NUMBER in str(value)
    ] == []
