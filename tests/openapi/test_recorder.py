"""The exchange recorder the contract suite relies on: it sees every call of a session,
whatever the operation, and it fails on what tyntec's OpenAPI file does not allow."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from django_tyntec2fa.exceptions import ProviderProtocolError
from django_tyntec2fa.providers.tyntec.client import TyntecProvider
from django_tyntec2fa.testing.fake_tyntec import FakeTyntec, Fault

from .recorder import ExchangeRecorder
from .validate import operation_id

KEY = "recorder-key"
NUMBER = "+4915112345678"


@pytest.fixture
def client() -> Iterator[tuple[TyntecProvider, FakeTyntec]]:
    with FakeTyntec(api_key=KEY) as fake:
        provider = TyntecProvider(api_key=KEY, base_url=fake.url, timeout=(1.0, 2.0))
        yield provider, fake
        provider.close()


def test_every_call_of_the_session_is_recorded_and_valid(
    client: tuple[TyntecProvider, FakeTyntec],
) -> None:
    provider, fake = client
    recorder = ExchangeRecorder.attach(provider.session)

    otp = provider.send(NUMBER)
    provider.events(otp.otp_id)
    provider.get_application("default")

    assert [operation_id(r.request) for r in recorder.exchanges] == [
        "sendOtpForNumberUsingPOST",
        "getOtpEventsUsingGET",
        "getTwoFactorAuthApplicationUsingGET",
    ]
    assert recorder.problems() == []


def test_an_answer_with_a_null_string_field_is_reported(
    client: tuple[TyntecProvider, FakeTyntec],
) -> None:
    provider, _ = client
    recorder = ExchangeRecorder.attach(provider.session)
    provider.get_application("default")
    (response,) = recorder.exchanges
    response._content = json.dumps(response.json() | {"caller": None}).encode()

    (problem,) = recorder.problems()

    assert problem.startswith("answer GET /application/default")
    with pytest.raises(AssertionError, match="not allowed by tyntec's OpenAPI file"):
        recorder.assert_valid()


def test_an_undocumented_status_is_reported(client: tuple[TyntecProvider, FakeTyntec]) -> None:
    provider, fake = client
    recorder = ExchangeRecorder.attach(provider.session)
    fake.inject(Fault("status", operation="app_read", status=418))

    with pytest.raises(ProviderProtocolError):  # 418 is undocumented
        provider.get_application("default")

    assert [p.split(":")[0] for p in recorder.problems()] == [
        "answer GET /application/default (getTwoFactorAuthApplicationUsingGET) -> 418"
    ]
