"""One test per row of the provider error table (docs/providers.md, "The error table"), R1.

Each test scripts the stub with the HTTP answer of its row and asserts the one
Python result the table promises. Only the first two rows may verify.
"""

from __future__ import annotations

import pytest

from django_tyntec2fa.exceptions import (
    OtpNotActive,
    OtpNotFound,
    ProviderConfigurationError,
    ProviderProtocolError,
    ProviderRejected,
    ProviderUnavailable,
)
from django_tyntec2fa.providers.base import CheckOutcome, OtpState
from django_tyntec2fa.providers.tyntec.client import TyntecProvider

from .bodies import (
    APP_ID,
    GATEWAY_BAD_KEY,
    GATEWAY_NO_KEY,
    NUMBER,
    OTHER_OTP_ID,
    OTP_ID,
    app_body,
    error_body,
    otp_body,
)
from .stub import RESET, Canned, StubServer, closed_port_url

# -- check ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [202, 200])
def test_check_200_or_202_verified_for_the_requested_otp_is_verified(
    stub: StubServer, provider: TyntecProvider, status: int
) -> None:
    stub.reply(status, otp_body("VERIFIED", attempts=1))
    result = provider.check(OTP_ID, "123456")
    assert result.outcome is CheckOutcome.VERIFIED and result.verified
    assert result.otp.otp_id == OTP_ID and result.otp.status is OtpState.VERIFIED


def test_check_401_with_active_otp_body_is_wrong_code(
    stub: StubServer, provider: TyntecProvider
) -> None:
    stub.reply(401, otp_body("ACTIVE", attempts=1))
    result = provider.check(OTP_ID, "000000")
    assert result.outcome is CheckOutcome.WRONG_CODE and not result.verified
    assert result.otp.attempt_count == 1


@pytest.mark.parametrize(
    ("state", "outcome"),
    [("TOO_MANY_ATTEMPTS", CheckOutcome.EXHAUSTED), ("EXPIRED", CheckOutcome.EXPIRED)],
)
def test_check_403_with_final_otp_body_is_exhausted_or_expired(
    stub: StubServer, provider: TyntecProvider, state: str, outcome: CheckOutcome
) -> None:
    stub.reply(403, otp_body(state, attempts=3))
    result = provider.check(OTP_ID, "000000")
    assert result.outcome is outcome and not result.verified


@pytest.mark.parametrize("state", ["VERIFIED", "EXPIRED", "TOO_MANY_ATTEMPTS", "ACTIVE"])
def test_check_410_with_otp_body_is_already_final_even_if_verified_g5(
    stub: StubServer, provider: TyntecProvider, state: str
) -> None:
    stub.reply(410, otp_body(state, attempts=1))
    result = provider.check(OTP_ID, "123456")
    assert result.outcome is CheckOutcome.ALREADY_FINAL and not result.verified


@pytest.mark.parametrize("body", [None, error_body("404", "OTP was not found"), b"<html>"])
def test_check_404_is_otp_not_found(
    stub: StubServer, provider: TyntecProvider, body: object
) -> None:
    stub.reply(404, body)
    with pytest.raises(OtpNotFound):
        provider.check(OTP_ID, "123456")


@pytest.mark.parametrize("status", [401, 403])
@pytest.mark.parametrize("body", [GATEWAY_NO_KEY, GATEWAY_BAD_KEY, None, b"<html>denied</html>"])
def test_check_401_or_403_without_otp_body_is_configuration_error(
    stub: StubServer, provider: TyntecProvider, status: int, body: object
) -> None:
    stub.reply(status, body)
    with pytest.raises(ProviderConfigurationError):
        provider.check(OTP_ID, "123456")


def test_check_400_error_response_is_rejected_with_provider_code(
    stub: StubServer, provider: TyntecProvider
) -> None:
    stub.reply(400, error_body("1006"))
    with pytest.raises(ProviderRejected) as caught:
        provider.check(OTP_ID, "123456")
    assert caught.value.provider_code == "1006"


def test_check_400_without_error_response_is_protocol_error(
    stub: StubServer, provider: TyntecProvider
) -> None:
    stub.reply(400, {"message": "no code"})
    with pytest.raises(ProviderProtocolError):
        provider.check(OTP_ID, "123456")


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_check_429_or_5xx_is_unavailable(
    stub: StubServer, provider: TyntecProvider, status: int
) -> None:
    stub.reply(status, error_body("500", "Something went wrong"))
    with pytest.raises(ProviderUnavailable):
        provider.check(OTP_ID, "123456")


def test_check_connection_refused_or_reset_is_unavailable(stub: StubServer) -> None:
    """Timeouts: test_transport.py (read timeouts) and tests/test_tyntec_against_fake.py
    (the timed bound on a hang)."""
    refused = TyntecProvider(api_key="k", base_url=closed_port_url(), timeout=(1, 1))
    with pytest.raises(ProviderUnavailable):
        refused.check(OTP_ID, "123456")
    stub.enqueue(RESET)
    reset = TyntecProvider(api_key="k", base_url=stub.url, timeout=(1, 1))
    with pytest.raises(ProviderUnavailable):
        reset.check(OTP_ID, "123456")


@pytest.mark.parametrize("status", [200, 202, 410])
@pytest.mark.parametrize("body", [b"{not json", b'{"otpStatus": "VERIFIED"', b"\xff\xfe"])
def test_check_malformed_json_is_protocol_error(
    stub: StubServer, provider: TyntecProvider, status: int, body: bytes
) -> None:
    stub.reply(status, body)
    with pytest.raises(ProviderProtocolError):
        provider.check(OTP_ID, "123456")


@pytest.mark.parametrize(
    "body", [None, [], "VERIFIED", {"otpStatus": "VERIFIED"}, [otp_body("VERIFIED")]]
)
def test_check_success_without_otp_status_entity_is_protocol_error(
    stub: StubServer, provider: TyntecProvider, body: object
) -> None:
    stub.reply(202, body)
    with pytest.raises(ProviderProtocolError):
        provider.check(OTP_ID, "123456")


#: HTTP status and ``otpStatus`` of a check answer that are not one of tyntec's
#: documented pairs: an unknown ``otpStatus``, a success code without VERIFIED, and a
#: 401 or 403 whose ``otpStatus`` contradicts it.
UNDOCUMENTED_PAIRS = [
    *[(status, "VALID") for status in (200, 202, 401, 403, 410)],
    *[
        (status, state)
        for status in (200, 202)
        for state in ("ACTIVE", "EXPIRED", "TOO_MANY_ATTEMPTS")
    ],
    (401, "VERIFIED"),
    (401, "EXPIRED"),
    (401, "TOO_MANY_ATTEMPTS"),
    (403, "ACTIVE"),
    (403, "VERIFIED"),
]


@pytest.mark.parametrize(
    ("status", "state"), UNDOCUMENTED_PAIRS, ids=[f"{s}-{state}" for s, state in UNDOCUMENTED_PAIRS]
)
def test_check_answer_that_is_not_a_documented_pair_is_protocol_error(
    stub: StubServer, provider: TyntecProvider, status: int, state: str
) -> None:
    stub.reply(status, otp_body(state))
    with pytest.raises(ProviderProtocolError):
        provider.check(OTP_ID, "123456")


@pytest.mark.parametrize("status", [200, 202, 401, 403, 410])
def test_check_answer_for_another_otp_id_is_protocol_error(
    stub: StubServer, provider: TyntecProvider, status: int
) -> None:
    state = {200: "VERIFIED", 202: "VERIFIED", 401: "ACTIVE", 403: "EXPIRED", 410: "VERIFIED"}
    stub.reply(status, otp_body(state[status], otp_id=OTHER_OTP_ID))
    with pytest.raises(ProviderProtocolError):
        provider.check(OTP_ID, "123456")


@pytest.mark.parametrize("body", [None, GATEWAY_NO_KEY, error_body()])
def test_check_410_without_otp_body_is_protocol_error(
    stub: StubServer, provider: TyntecProvider, body: object
) -> None:
    stub.reply(410, body)
    with pytest.raises(ProviderProtocolError):
        provider.check(OTP_ID, "123456")


@pytest.mark.parametrize("status", [201, 204, 301, 302, 409, 418, 422])
def test_check_any_other_status_code_is_protocol_error(
    stub: StubServer, provider: TyntecProvider, status: int
) -> None:
    stub.reply(status, otp_body("VERIFIED"), Location=stub.url + "/elsewhere")
    with pytest.raises(ProviderProtocolError):
        provider.check(OTP_ID, "123456")
    assert len(stub.requests) == 1  # a redirect is not followed (it would carry the key)


# -- send ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [200, 201])
def test_send_200_or_201_with_active_otp_is_the_status(
    stub: StubServer, provider: TyntecProvider, status: int
) -> None:
    stub.reply(status, otp_body("ACTIVE"))
    otp = provider.send(NUMBER)
    assert (otp.otp_id, otp.status, otp.attempt_count) == (OTP_ID, OtpState.ACTIVE, 0)
    assert otp.created.tzinfo is not None and otp.created.timestamp() == 1_499_677_061.834
    assert (otp.expires - otp.created).total_seconds() == 300


def test_send_answer_that_is_not_active_is_protocol_error(
    stub: StubServer, provider: TyntecProvider
) -> None:
    stub.reply(200, otp_body("VERIFIED"))
    with pytest.raises(ProviderProtocolError):
        provider.send(NUMBER)


def test_send_400_error_response_is_rejected_with_provider_code(
    stub: StubServer, provider: TyntecProvider
) -> None:
    stub.reply(400, error_body("1004", "Invalid number"))
    with pytest.raises(ProviderRejected) as caught:
        provider.send(NUMBER)
    assert caught.value.provider_code == "1004"


@pytest.mark.parametrize(("status", "body"), [(401, GATEWAY_NO_KEY), (403, None), (404, None)])
def test_send_401_403_404_is_configuration_error(
    stub: StubServer, provider: TyntecProvider, status: int, body: object
) -> None:
    stub.reply(status, body)
    with pytest.raises(ProviderConfigurationError):
        provider.send(NUMBER)


def test_send_without_api_key_is_configuration_error_without_a_request(
    stub: StubServer,
) -> None:
    provider = TyntecProvider(api_key="", base_url=stub.url)
    with pytest.raises(ProviderConfigurationError):
        provider.send(NUMBER)
    assert stub.requests == []


# -- resend --------------------------------------------------------------------------


def test_resend_200_with_active_otp_is_the_status(
    stub: StubServer, provider: TyntecProvider
) -> None:
    stub.reply(200, otp_body("ACTIVE"))
    assert provider.resend(OTP_ID).status is OtpState.ACTIVE


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (401, error_body("401", "OTP is not valid anymore")),
        (401, otp_body("EXPIRED")),
        (200, otp_body("VERIFIED")),
        (200, otp_body("TOO_MANY_ATTEMPTS")),
    ],
)
def test_resend_401_error_response_or_final_otp_is_not_active(
    stub: StubServer, provider: TyntecProvider, status: int, body: object
) -> None:
    stub.reply(status, body)
    with pytest.raises(OtpNotActive):
        provider.resend(OTP_ID)


@pytest.mark.parametrize("body", [GATEWAY_NO_KEY, None])
def test_resend_401_without_error_response_is_configuration_error(
    stub: StubServer, provider: TyntecProvider, body: object
) -> None:
    stub.reply(401, body)
    with pytest.raises(ProviderConfigurationError):
        provider.resend(OTP_ID)


def test_resend_401_with_active_otp_is_protocol_error(
    stub: StubServer, provider: TyntecProvider
) -> None:
    stub.reply(401, otp_body("ACTIVE"))
    with pytest.raises(ProviderProtocolError):
        provider.resend(OTP_ID)


# -- status, delete, events, list ----------------------------------------------------


@pytest.mark.parametrize("operation", ["status", "resend", "delete", "events"])
def test_otp_operation_404_is_otp_not_found(
    stub: StubServer, provider: TyntecProvider, operation: str
) -> None:
    stub.reply(404, error_body("404", "OTP code was not found"))
    with pytest.raises(OtpNotFound):
        getattr(provider, operation)(OTP_ID)


def test_malformed_otp_id_is_otp_not_found_without_a_request(
    stub: StubServer, provider: TyntecProvider
) -> None:
    for bad in ("", "..", "../application", "a/b", "x?otpCode=1", "-x"):
        with pytest.raises(OtpNotFound):
            provider.status(bad)
    assert stub.requests == []


def test_status_200_is_the_status(stub: StubServer, provider: TyntecProvider) -> None:
    stub.reply(200, otp_body("EXPIRED", attempts=2))
    otp = provider.status(OTP_ID)
    assert (otp.status, otp.attempt_count, otp.number) == (OtpState.EXPIRED, 2, NUMBER)


def test_delete_200_is_the_last_status_and_204_is_none(
    stub: StubServer, provider: TyntecProvider
) -> None:
    stub.reply(200, otp_body("VERIFIED", attempts=1))
    stub.reply(204)
    last = provider.delete(OTP_ID)
    assert last is not None and last.status is OtpState.VERIFIED
    assert provider.delete(OTP_ID) is None


def test_events_200_are_returned_oldest_first(stub: StubServer, provider: TyntecProvider) -> None:
    stub.reply(
        200,
        [
            {"created": 2000, "type": "DELIVER_OTP_RES_FAIL", "status": "failed"},
            {"created": 1000, "type": "DELIVER_OTP", "status": "success", "statusText": "ok"},
        ],
    )
    events = provider.events(OTP_ID)
    assert [e.type for e in events] == ["DELIVER_OTP", "DELIVER_OTP_RES_FAIL"]
    assert events[0].status_text == "ok" and events[1].status_text is None


def test_list_200_is_the_otps_and_204_is_the_empty_list(
    stub: StubServer, provider: TyntecProvider
) -> None:
    stub.reply(200, [otp_body("VERIFIED"), otp_body("ACTIVE", otp_id=OTHER_OTP_ID)])
    stub.reply(204)
    assert [o.otp_id for o in provider.list_for_number(NUMBER)] == [OTP_ID, OTHER_OTP_ID]
    assert provider.list_for_number(NUMBER) == []


@pytest.mark.parametrize("operation", ["status", "delete", "events"])
@pytest.mark.parametrize(
    ("status", "error"),
    [(401, ProviderConfigurationError), (503, ProviderUnavailable), (302, ProviderProtocolError)],
)
def test_otp_operation_auth_5xx_and_unknown_status_map_like_check(
    stub: StubServer, provider: TyntecProvider, operation: str, status: int, error: type
) -> None:
    stub.reply(status, GATEWAY_BAD_KEY)
    with pytest.raises(error):
        getattr(provider, operation)(OTP_ID)


# -- application service -------------------------------------------------------------


def test_application_200_is_an_application_with_templates(
    stub: StubServer, provider: TyntecProvider
) -> None:
    stub.reply(200, app_body(template={"en": "{{OTP}}", "en-voice": "Code {{OTP}}"}))
    app = provider.get_application(APP_ID)
    assert (app.application_id, app.pin_length, app.alphanumeric) == (APP_ID, 6, False)
    assert app.templates == {"en": "{{OTP}}", "en-voice": "Code {{OTP}}"}
    assert app.created is not None and app.created.timestamp() == 1_499_677_061.834


def test_application_list_204_is_empty_and_deletes_204_are_none(
    stub: StubServer, provider: TyntecProvider
) -> None:
    stub.enqueue(Canned(204), Canned(204), Canned(204))
    assert provider.list_applications() == []
    assert provider.delete_application(APP_ID) is None
    assert provider.delete_template(APP_ID, "de") is None


def test_application_404_is_rejected(stub: StubServer, provider: TyntecProvider) -> None:
    stub.reply(404, error_body("404", "ID is not valid"))
    with pytest.raises(ProviderRejected) as caught:
        provider.get_application(APP_ID)
    assert caught.value.provider_code == "404"


def test_application_400_error_response_is_rejected_with_provider_code(
    stub: StubServer, provider: TyntecProvider
) -> None:
    stub.reply(400, error_body("1017", "Cannot create application with name 'default'"))
    with pytest.raises(ProviderRejected) as caught:
        provider.create_application(name="default")
    assert caught.value.provider_code == "1017"


@pytest.mark.parametrize("body", [app_body(pinLength="6"), app_body(template=["en"]), [app_body()]])
def test_application_malformed_entity_is_protocol_error(
    stub: StubServer, provider: TyntecProvider, body: object
) -> None:
    stub.reply(200, body)
    with pytest.raises(ProviderProtocolError):
        provider.get_application(APP_ID)
