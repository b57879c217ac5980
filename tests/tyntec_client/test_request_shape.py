"""What goes on the wire for every operation: method, path, exact query, headers, body.

Each request is also validated against the vendored official OpenAPI file
(``tests/openapi/validate.py``), including the ``apiKey`` security requirement.
"""

from __future__ import annotations

import json

import pytest
import requests
from django.test import override_settings

from django_tyntec2fa.providers.base import Channel
from django_tyntec2fa.providers.tyntec.client import TyntecProvider
from tests.openapi.validate import validate_request

from .bodies import API_KEY, APP_ID, NUMBER, OTP_ID, app_body, otp_body
from .stub import StubServer


def _only_request(stub: StubServer, sent: list[requests.PreparedRequest]):
    assert len(stub.requests) == 1 and len(sent) == 1
    validate_request(sent[0])
    request = stub.requests[0]
    assert request.headers["apikey"] == API_KEY
    assert request.headers["accept"] == "application/json"
    return request


def test_send_puts_every_parameter_in_the_query_string(
    stub: StubServer, provider: TyntecProvider, sent: list[requests.PreparedRequest]
) -> None:
    stub.reply(200, otp_body())
    provider.send(
        NUMBER,
        via=Channel.VOICE,
        language="de",
        country="DE",
        text="Ihr Code: {{OTP}}",
        pin_length=8,
        otp_code="01234567",
        sender="ACME",
        caller="+4930123456",
        application_id=APP_ID,
        reference_id="login-42",
    )
    request = _only_request(stub, sent)
    assert (request.method, request.path, request.body) == ("POST", "/2fa/v1/otp", b"")
    assert request.query == {
        "number": NUMBER,
        "applicationId": APP_ID,
        "via": "VOICE",
        "country": "DE",
        "language": "de",
        "text": "Ihr Code: {{OTP}}",
        "referenceId": "login-42",
        "otpCode": "01234567",  # a string: the leading zero survives
        "sender": "ACME",
        "caller": "+4930123456",
        "pinLength": "8",
    }


def test_send_always_sends_pin_length_and_omits_unset_parameters_g2(
    stub: StubServer, provider: TyntecProvider, sent: list[requests.PreparedRequest]
) -> None:
    stub.reply(200, otp_body())
    with override_settings(TYNTEC2FA_PIN_LENGTH=7):
        provider.send(NUMBER)
    request = _only_request(stub, sent)
    assert request.query == {"number": NUMBER, "via": "AUTO", "pinLength": "7"}


def test_send_defaults_come_from_settings(stub: StubServer) -> None:
    stub.reply(200, otp_body())
    with override_settings(
        TYNTEC2FA_API_KEY="from-settings",
        TYNTEC2FA_API_URL=stub.url + "/",
        TYNTEC2FA_PIN_LENGTH=9,
        TYNTEC2FA_APPLICATION_ID=APP_ID,
        TYNTEC2FA_SENDER="SHOP",
        TYNTEC2FA_CALLER="+4930999",
        TYNTEC2FA_TIMEOUT=2,
        TYNTEC2FA_SEND_RETRIES=5,
    ):
        provider = TyntecProvider()
        assert (provider.timeout, provider.send_retries) == ((2.0, 2.0), 5)
        provider.send(NUMBER)
        provider.close()
    request = stub.requests[0]
    assert request.headers["apikey"] == "from-settings"
    assert request.query == {
        "number": NUMBER,
        "applicationId": APP_ID,
        "via": "AUTO",
        "sender": "SHOP",
        "caller": "+4930999",
        "pinLength": "9",
    }


def test_check_sends_the_code_as_a_string_with_leading_zeros(
    stub: StubServer, provider: TyntecProvider, sent: list[requests.PreparedRequest]
) -> None:
    stub.reply(202, otp_body("VERIFIED", attempts=1))
    provider.check(OTP_ID, "000123")
    request = _only_request(stub, sent)
    assert (request.method, request.path) == ("POST", f"/2fa/v1/otp/{OTP_ID}/check")
    assert request.query == {"otpCode": "000123"} and request.body == b""


@pytest.mark.parametrize(
    ("call", "method", "path", "query", "answer"),
    [
        (lambda p: p.status(OTP_ID), "GET", f"/otp/{OTP_ID}", {}, (200, otp_body())),
        (lambda p: p.resend(OTP_ID), "POST", f"/otp/{OTP_ID}", {"via": "AUTO"}, (200, otp_body())),
        (
            lambda p: p.resend(OTP_ID, via=Channel.SMS, sender="ACME", caller="+4930"),
            "POST",
            f"/otp/{OTP_ID}",
            {"via": "SMS", "sender": "ACME", "caller": "+4930"},
            (200, otp_body()),
        ),
        (lambda p: p.delete(OTP_ID), "DELETE", f"/otp/{OTP_ID}", {}, (204, None)),
        (lambda p: p.events(OTP_ID), "GET", f"/otp/{OTP_ID}/events", {}, (200, [])),
        (lambda p: p.list_for_number(NUMBER), "GET", "/otp", {"number": NUMBER}, (204, None)),
        (lambda p: p.list_applications(), "GET", "/application", {}, (200, [app_body()])),
        (
            lambda p: p.get_application(APP_ID),
            "GET",
            f"/application/{APP_ID}",
            {},
            (200, app_body()),
        ),
        (
            lambda p: p.update_application(
                "default",
                name="shop",
                pin_length=8,
                alphanumeric=False,
                attempts=3,
                expire=300,
                sender="ACME",
                caller="+4930",
                delete_caller=True,
            ),
            "POST",
            "/application/default",
            {
                "name": "shop",
                "pinLength": "8",
                "alphaNumeric": "false",
                "attempts": "3",
                "expire": "300",
                "sender": "ACME",
                "caller": "+4930",
                "deleteCaller": "true",
            },
            (200, app_body()),
        ),
        (
            lambda p: p.update_application(APP_ID),
            "POST",
            f"/application/{APP_ID}",
            {},
            (200, app_body()),
        ),
        (
            lambda p: p.delete_application(APP_ID),
            "DELETE",
            f"/application/{APP_ID}",
            {},
            (200, app_body()),
        ),
        (
            lambda p: p.save_template(APP_ID, "de", "Code {{OTP}}", channel="VOICE"),
            "POST",
            f"/application/{APP_ID}/language",
            {"language": "de", "text": "Code {{OTP}}", "channel": "VOICE"},
            (200, app_body()),
        ),
        (
            lambda p: p.delete_template(APP_ID, "de"),
            "DELETE",
            f"/application/{APP_ID}/language",
            {"language": "de"},
            (204, None),
        ),
    ],
    ids=[
        "status",
        "resend",
        "resend-overrides",
        "delete",
        "events",
        "list",
        "list_applications",
        "get_application",
        "update_application",
        "update_application-nothing",
        "delete_application",
        "save_template",
        "delete_template",
    ],
)
def test_operation_request_shape(
    stub: StubServer,
    provider: TyntecProvider,
    sent: list[requests.PreparedRequest],
    call,
    method: str,
    path: str,
    query: dict[str, str],
    answer: tuple[int, object],
) -> None:
    stub.reply(*answer)
    call(provider)
    request = _only_request(stub, sent)
    assert (request.method, request.path, request.query) == (method, "/2fa/v1" + path, query)
    assert request.body == b""


@pytest.mark.parametrize(
    ("kwargs", "payload"),
    [
        ({}, {}),
        (
            {
                "name": "shop",
                "pin_length": 8,
                "alphanumeric": True,
                "attempts": 3,
                "expire": 300,
                "sender": "ACME",
                "caller": "+4930",
            },
            {
                "name": "shop",
                "pinLength": 8,
                "alphanumeric": True,
                "attempts": 3,
                "expire": 300,
                "sender": "ACME",
                "caller": "+4930",
            },
        ),
    ],
    ids=["defaults", "everything"],
)
def test_create_application_sends_a_json_body(
    stub: StubServer,
    provider: TyntecProvider,
    sent: list[requests.PreparedRequest],
    kwargs: dict[str, object],
    payload: dict[str, object],
) -> None:
    stub.reply(200, app_body())
    provider.create_application(**kwargs)
    request = _only_request(stub, sent)
    assert (request.method, request.path, request.query) == ("POST", "/2fa/v1/application", {})
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.body) == payload


def test_repr_shows_the_base_url_only_g4(provider: TyntecProvider, stub: StubServer) -> None:
    assert repr(provider) == f"TyntecProvider(base_url={stub.url!r})"
    assert API_KEY not in repr(provider._http)
