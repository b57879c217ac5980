"""TyntecProvider against FakeTyntec over real HTTP on 127.0.0.1: the issue's proofs
for keep-alive, the hang bound (R2), secrets in logs (G4) and the OpenAPI file."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest
import requests

from django_tyntec2fa.exceptions import ProviderUnavailable
from django_tyntec2fa.providers import Channel
from django_tyntec2fa.providers.tyntec.client import TyntecProvider
from django_tyntec2fa.testing.fake_tyntec import FakeTyntec, Fault

from .openapi.validate import validate_request, validate_response

API_KEY = "fake-api-key-5f2c9e"
NUMBER = "+4915112345678"


@pytest.fixture
def fake() -> Iterator[FakeTyntec]:
    with FakeTyntec(api_key=API_KEY) as server:
        yield server


@pytest.fixture
def provider(fake: FakeTyntec) -> Iterator[TyntecProvider]:
    provider = TyntecProvider(api_key=API_KEY, base_url=fake.url, timeout=(1.0, 1.0))
    yield provider
    provider.close()


def test_100_sequential_sends_use_one_tcp_connection(
    fake: FakeTyntec, provider: TyntecProvider
) -> None:
    for _ in range(100):
        provider.send(NUMBER)
    assert fake.counters["send"] == 100
    assert fake.connections == 1


def test_hanging_provider_is_unavailable_within_timeout_plus_half_a_second_r2(
    fake: FakeTyntec, provider: TyntecProvider
) -> None:
    otp = provider.send(NUMBER)
    fake.inject(Fault("hang", operation="check"))
    started = time.monotonic()
    with pytest.raises(ProviderUnavailable):
        provider.check(otp.otp_id, fake.outbox[-1].code)
    elapsed = time.monotonic() - started
    assert elapsed < 1.0 + 0.5, elapsed  # read timeout (1.0 s) + 0.5 s
    assert fake.counters["check"] == 1  # a check is never retried


def test_debug_logs_hold_neither_api_key_nor_code_nor_number_g4(
    fake: FakeTyntec, provider: TyntecProvider, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # root logger: urllib3, requests, ours, the fake's
    for name in ("urllib3", "urllib3.connectionpool", "requests", "django_tyntec2fa"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    otp = provider.send(NUMBER, via=Channel.SMS)
    code = fake.outbox[-1].code
    provider.resend(otp.otp_id, via=Channel.VOICE)
    assert provider.check(otp.otp_id, code).verified
    provider.delete(otp.otp_id)
    assert caplog.records, "nothing was logged, so the test proves nothing"
    assert any(r.name.startswith("urllib3") for r in caplog.records)
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert API_KEY not in text
    assert code not in text
    assert NUMBER not in text and NUMBER[1:] not in text


def test_every_exchange_matches_the_official_openapi_file(fake: FakeTyntec) -> None:
    """Both sides at once: the client's requests and the fake's answers, for a full
    OTP life cycle and the application service."""
    provider = TyntecProvider(api_key=API_KEY, base_url=fake.url, timeout=(1.0, 2.0))
    exchanges: list[requests.Response] = []
    provider_session = provider.session  # observing the wire, not changing it
    provider_session.hooks["response"].append(lambda response, *a, **k: exchanges.append(response))
    try:
        otp = provider.send(NUMBER, language="de", via=Channel.SMS)
        provider.status(otp.otp_id)
        provider.resend(otp.otp_id, via=Channel.VOICE)
        provider.check(otp.otp_id, "000000" if fake.outbox[-1].code != "000000" else "111111")
        provider.check(otp.otp_id, fake.outbox[-1].code)
        provider.events(otp.otp_id)
        provider.list_for_number(NUMBER)
        provider.delete(otp.otp_id)
        app = provider.create_application(name="contract", pin_length=6, attempts=3, expire=300)
        provider.list_applications()
        provider.get_application(app.application_id)
        provider.update_application(app.application_id, sender="ACME")
        provider.save_template(app.application_id, "de", "Ihr Code: {{OTP}}", channel="SMS")
        provider.delete_template(app.application_id, "de", channel="SMS")
        provider.delete_application(app.application_id)
    finally:
        provider.close()
    assert len(exchanges) == 15
    for response in exchanges:
        validate_request(response.request)
        validate_response(response.request, response)
