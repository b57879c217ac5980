"""Timeouts, retries (R2) and keep-alive, over real TCP on 127.0.0.1. The timed bound
on a hanging provider is proven against the fake tyntec server
(``tests/test_tyntec_against_fake.py``)."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from urllib3.exceptions import (
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)

from django_tyntec2fa.exceptions import ProviderConfigurationError, ProviderUnavailable
from django_tyntec2fa.providers.tyntec.client import TyntecProvider
from django_tyntec2fa.providers.tyntec.http import READ_RETRIES, failed_before_sending

from .bodies import APP_ID, NUMBER, OTP_ID, otp_body
from .stub import HANG, RESET, StubServer, closed_port_url


def _count_attempts(provider: TyntecProvider, fail_first: int = 0) -> list[str]:
    """Wrap the adapter's send: record each attempt; the first ``fail_first`` attempts
    fail as a refused connection would, before anything reaches the server."""
    adapter = provider.session.get_adapter(provider.base_url)
    real_send = adapter.send
    attempts: list[str] = []

    def send(request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        attempts.append(request.method or "")
        if len(attempts) <= fail_first:
            reason = NewConnectionError(None, "Connection refused")  # type: ignore[arg-type]
            raise requests.ConnectionError(MaxRetryError(None, "/", reason))  # type: ignore[arg-type]
        return real_send(request, **kwargs)

    adapter.send = send  # type: ignore[method-assign]
    return attempts


def send_call(provider: TyntecProvider) -> object:
    return provider.send(NUMBER)


def resend_call(provider: TyntecProvider) -> object:
    return provider.resend(OTP_ID)


def check_call(provider: TyntecProvider) -> object:
    return provider.check(OTP_ID, "123456")


@pytest.mark.parametrize("call", [send_call, resend_call], ids=["send", "resend"])
def test_refused_connection_is_retried_send_retries_times_then_unavailable_r2(call) -> None:
    provider = TyntecProvider(api_key="k", base_url=closed_port_url(), timeout=(1, 1))
    provider.send_retries = 3
    attempts = _count_attempts(provider)
    with pytest.raises(ProviderUnavailable):
        call(provider)
    assert len(attempts) == 1 + 3


def test_send_succeeds_after_refused_connections_and_reaches_the_server_once(
    stub: StubServer, provider: TyntecProvider
) -> None:
    provider.send_retries = 2
    attempts = _count_attempts(provider, fail_first=2)
    stub.reply(200, otp_body())
    assert provider.send(NUMBER).otp_id == OTP_ID
    assert len(attempts) == 3 and len(stub.requests) == 1


def test_check_is_never_retried_even_when_the_connection_was_refused_r2() -> None:
    provider = TyntecProvider(api_key="k", base_url=closed_port_url(), timeout=(1, 1))
    provider.send_retries = 5
    attempts = _count_attempts(provider)
    with pytest.raises(ProviderUnavailable):
        provider.check(OTP_ID, "123456")
    assert len(attempts) == 1


@pytest.mark.parametrize(
    "call", [send_call, resend_call, check_call], ids=["send", "resend", "check"]
)
@pytest.mark.parametrize("failure", [RESET, HANG], ids=["reset", "read-timeout"])
def test_failure_after_the_request_was_sent_is_not_retried_r2(
    stub: StubServer, call, failure
) -> None:
    provider = TyntecProvider(api_key="k", base_url=stub.url, timeout=(1, 0.3))
    provider.send_retries = 3
    stub.enqueue(failure)
    stub.reply(200, otp_body())  # what a retry would get
    with pytest.raises(ProviderUnavailable):
        call(provider)
    assert len(stub.requests) == 1 and stub.pending == 1
    provider.close()


@pytest.mark.parametrize(
    "call",
    [
        lambda p: p.status(OTP_ID),
        lambda p: p.events(OTP_ID),
        lambda p: p.list_for_number(NUMBER),
        lambda p: p.get_application(APP_ID),
    ],
    ids=["status", "events", "list", "get_application"],
)
def test_idempotent_reads_are_retried_on_refused_connections(call) -> None:
    provider = TyntecProvider(api_key="k", base_url=closed_port_url(), timeout=(1, 1))
    attempts = _count_attempts(provider)
    with pytest.raises(ProviderUnavailable):
        call(provider)
    assert len(attempts) == 1 + READ_RETRIES


def test_writes_other_than_send_are_not_retried() -> None:
    provider = TyntecProvider(api_key="k", base_url=closed_port_url(), timeout=(1, 1))
    attempts = _count_attempts(provider)
    for call in (
        lambda: provider.delete(OTP_ID),
        lambda: provider.create_application(),
        lambda: provider.update_application(APP_ID, attempts=3),
        lambda: provider.delete_application(APP_ID),
        lambda: provider.save_template(APP_ID, "en", "{{OTP}}"),
    ):
        attempts.clear()
        with pytest.raises(ProviderUnavailable):
            call()
        assert len(attempts) == 1


def test_sequential_calls_share_one_keep_alive_connection(
    stub: StubServer, provider: TyntecProvider
) -> None:
    for _ in range(10):
        stub.reply(200, otp_body())
    for _ in range(5):
        provider.send(NUMBER)
        provider.status(OTP_ID)
    assert len(stub.requests) == 10
    assert stub.connections == 1
    assert {request.connection for request in stub.requests} == {1}


def test_every_call_carries_the_explicit_connect_and_read_timeout(
    stub: StubServer, provider: TyntecProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[object] = []
    adapter = provider.session.get_adapter(provider.base_url)
    real_send = adapter.send

    def send(request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        seen.append(kwargs["timeout"])
        return real_send(request, **kwargs)

    monkeypatch.setattr(adapter, "send", send)
    stub.reply(200, otp_body())
    stub.reply(202, otp_body("VERIFIED"))
    provider.send(NUMBER)
    provider.check(OTP_ID, "1")
    assert seen == [(1.0, 1.0), (1.0, 1.0)]
    assert adapter.max_retries.total == 0


def test_unusable_base_url_is_configuration_error() -> None:
    provider = TyntecProvider(api_key="k", base_url="api.tyntec.com")
    with pytest.raises(ProviderConfigurationError):
        provider.status(OTP_ID)


@pytest.mark.parametrize(
    ("error", "before"),
    [
        (requests.ConnectTimeout(), True),
        (requests.ConnectionError(MaxRetryError(None, "/", NewConnectionError(None, "x"))), True),  # type: ignore[arg-type]
        (
            requests.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError())),
            False,
        ),
        (requests.ConnectionError(MaxRetryError(None, "/", ProtocolError("reset"))), False),  # type: ignore[arg-type]
        (requests.ReadTimeout(ReadTimeoutError(None, "/", "read timed out")), False),  # type: ignore[arg-type]
        (requests.ConnectionError(), False),
        (requests.exceptions.ChunkedEncodingError(), False),
    ],
    ids=["connect-timeout", "refused", "aborted", "reset", "read-timeout", "bare", "chunked"],
)
def test_only_connect_failures_count_as_not_sent(error: Exception, before: bool) -> None:
    assert failed_before_sending(error) is before
