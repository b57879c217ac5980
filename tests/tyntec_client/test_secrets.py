"""G4: neither the API key, nor the code, nor the full number in logs, errors or reprs."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from django_tyntec2fa.exceptions import ProviderError
from django_tyntec2fa.providers.tyntec.client import TyntecProvider
from django_tyntec2fa.providers.tyntec.http import (
    REDACTED_LOGGERS,
    QueryStringRedactor,
    install_log_redaction,
)

from .bodies import OTP_ID, otp_body
from .stub import HANG, RESET, Canned, StubServer, closed_port_url

SECRET_KEY = "api-key-S3CRET-91c2"
CODE = "073519"
NUMBER = "+4917012345678"
SECRETS = (SECRET_KEY, CODE, NUMBER, NUMBER[1:])
SCRIPTED_FAILURES = {
    "reset": RESET,
    "hang": HANG,
    "garbage": Canned(202, b'{"otpStatus": "VERIFIED", "otpCode": "' + CODE.encode()),
    "gateway": Canned(401, {"message": "Invalid authentication credentials"}),
}


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG)  # the root logger
    for name in ("urllib3", "urllib3.connectionpool", "requests", "django_tyntec2fa"):
        caplog.set_level(logging.DEBUG, logger=name)
    yield caplog


def _assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def test_send_check_cycle_logs_no_secret_at_debug_level_g4(
    stub: StubServer, debug_logs: pytest.LogCaptureFixture
) -> None:
    provider = TyntecProvider(api_key=SECRET_KEY, base_url=stub.url, timeout=(1, 1))
    body = otp_body() | {"number": NUMBER}
    stub.reply(200, body)
    stub.reply(401, body | {"attemptCount": 1})
    stub.reply(202, body | {"otpStatus": "VERIFIED", "attemptCount": 2})
    otp = provider.send(NUMBER, otp_code=CODE)
    assert not provider.check(otp.otp_id, "999999").verified
    assert provider.check(otp.otp_id, CODE).verified
    provider.close()

    assert stub.requests[2].query["otpCode"] == CODE  # the secret did go over the wire
    names = {record.name for record in debug_logs.records}
    assert "urllib3.connectionpool" in names, "urllib3 did not log: the test proves nothing"
    ours = [r for r in debug_logs.records if r.name == "django_tyntec2fa.providers.tyntec"]
    assert len(ours) == 3
    assert "+49*******5678" in ours[0].getMessage()
    _assert_clean("\n".join(record.getMessage() for record in debug_logs.records))
    _assert_clean(repr(otp))


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: BaseException | None = error
    for _ in range(20):  # bounded: a chain is short
        if seen is None:
            return
        yield seen
        seen = seen.__cause__ or seen.__context__


@pytest.mark.parametrize(
    "failure",
    ["refused", "reset", "hang", "garbage", "gateway", "bad-header"],
)
def test_errors_hold_no_secret_in_message_repr_or_chain_g4(
    stub: StubServer, debug_logs: pytest.LogCaptureFixture, failure: str
) -> None:
    base_url, key = stub.url, SECRET_KEY
    if failure == "refused":
        base_url = closed_port_url()
    elif failure == "bad-header":
        key = SECRET_KEY + "\n"  # requests refuses it and quotes the value in its error
    else:
        stub.enqueue(SCRIPTED_FAILURES[failure])
    provider = TyntecProvider(api_key=key, base_url=base_url, timeout=(1, 0.3))
    with pytest.raises(ProviderError) as caught:
        provider.check(OTP_ID, CODE)
    provider.close()
    error = caught.value
    assert error.__cause__ is None and error.__context__ is None
    for link in _chain(error):
        _assert_clean(f"{link!s} {link!r} {getattr(link, 'detail', '')}")
    _assert_clean("\n".join(record.getMessage() for record in debug_logs.records))


def test_redactor_removes_query_strings_from_urllib3_records() -> None:
    record = logging.LogRecord(
        "urllib3.connectionpool",
        logging.DEBUG,
        __file__,
        1,
        '%s://%s:%s "%s %s %s" %s %s',
        ("http", "127.0.0.1", 80, "POST", f"/otp/x/check?otpCode={CODE}", "HTTP/1.1", 202, 10),
        None,
    )
    assert QueryStringRedactor().filter(record)
    assert (
        record.getMessage() == 'http://127.0.0.1:80 "POST /otp/x/check?[redacted] HTTP/1.1" 202 10'
    )


def test_redaction_is_installed_once_per_logger() -> None:
    install_log_redaction()
    install_log_redaction()
    for name in REDACTED_LOGGERS:
        filters = logging.getLogger(name).filters
        assert sum(isinstance(f, QueryStringRedactor) for f in filters) == 1
