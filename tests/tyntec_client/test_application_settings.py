"""The application settings on the wire, against the fake tyntec server over real HTTP:
every send names ``TYNTEC2FA_APPLICATION_ID`` (none: tyntec's default application),
send and resend carry ``TYNTEC2FA_SENDER``/``_CALLER``, and the default application's
refused delete is a ``ProviderRejected``, not an "API key refused"."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from django_tyntec2fa.exceptions import ProviderRejected
from django_tyntec2fa.providers import Channel
from django_tyntec2fa.providers.tyntec.client import TyntecProvider
from django_tyntec2fa.testing.fake_tyntec import DEFAULT_APPLICATION_ID, FakeTyntec

from ..openapi.recorder import ExchangeRecorder

KEY = "application-settings-key"
NUMBER = "+4915112345678"


@pytest.fixture
def fake() -> Iterator[FakeTyntec]:
    with FakeTyntec(api_key=KEY) as server:
        yield server


@pytest.fixture
def client(fake: FakeTyntec) -> Iterator[TyntecProvider]:
    provider = TyntecProvider(api_key=KEY, base_url=fake.url, timeout=(1.0, 2.0))
    recorder = ExchangeRecorder.attach(provider.session)
    yield provider
    provider.close()
    recorder.assert_valid()


def test_without_an_application_id_sends_use_the_default_application(
    fake: FakeTyntec, client: TyntecProvider
) -> None:
    otp = client.send(NUMBER)

    assert otp.application_id == DEFAULT_APPLICATION_ID


def test_every_send_names_the_configured_application(
    fake: FakeTyntec, client: TyntecProvider, settings: Any
) -> None:
    app_id = client.create_application(name="site", pin_length=6).application_id
    assert app_id
    settings.TYNTEC2FA_APPLICATION_ID = app_id

    sms = client.send(NUMBER, via=Channel.SMS)
    voice = client.send(NUMBER, via=Channel.VOICE)

    assert {sms.application_id, voice.application_id} == {app_id}
    assert {otp.application_id for otp in fake.otps.values()} == {app_id}


def test_send_and_resend_carry_the_sender_and_caller_settings(
    fake: FakeTyntec, client: TyntecProvider, settings: Any
) -> None:
    settings.TYNTEC2FA_SENDER = "SHOP"
    settings.TYNTEC2FA_CALLER = "+4930123456"

    otp = client.send(NUMBER, via=Channel.SMS)
    client.resend(otp.otp_id, via=Channel.SMS)
    client.resend(otp.otp_id, via=Channel.VOICE)

    assert [(m.channel, m.sender) for m in fake.outbox] == [
        ("SMS", "SHOP"),
        ("SMS", "SHOP"),
        ("VOICE", "+4930123456"),
    ]


def test_the_default_applications_refused_delete_is_rejected_not_a_key_problem(
    fake: FakeTyntec, client: TyntecProvider
) -> None:
    with pytest.raises(ProviderRejected) as raised:
        client.delete_application("default")

    assert raised.value.provider_code == "9007"
    assert "HTTP 403" in raised.value.detail
    assert DEFAULT_APPLICATION_ID in fake.applications
