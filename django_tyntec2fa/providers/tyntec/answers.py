"""tyntec's HTTP answers -> results or typed errors, one function per operation.

This is the error table of ``docs/providers.md`` in code. Every branch that is not
a documented answer ends in a ``ProviderError`` (R1); only ``check_answer`` can
return a verified result, and only for 200/202 + VERIFIED + the requested otpId.
"""

from __future__ import annotations

from typing import Any

import requests

from ...exceptions import (
    OtpNotActive,
    OtpNotFound,
    ProviderConfigurationError,
    ProviderError,
    ProviderProtocolError,
    ProviderRejected,
    ProviderUnavailable,
)
from ..base import CheckOutcome, CheckResult, OtpEvent, OtpState, OtpStatus
from .parse import (
    INVALID_JSON,
    decode_json,
    error_code,
    looks_like_otp,
    parse_events,
    parse_otp_list,
    parse_otp_status,
)

_CHECK_OUTCOMES = {
    (401, OtpState.ACTIVE): CheckOutcome.WRONG_CODE,
    (403, OtpState.TOO_MANY_ATTEMPTS): CheckOutcome.EXHAUSTED,
    (403, OtpState.EXPIRED): CheckOutcome.EXPIRED,
}


def describe(
    operation: str, response: requests.Response, otp_id: str | None = None, *, kind: str = "otp"
) -> str:
    """Operator detail: operation, HTTP status, resource id. Never the URL or body (G4)."""
    suffix = f" ({kind} {otp_id})" if otp_id else ""
    return f"{operation}: HTTP {response.status_code}{suffix}"


def body(response: requests.Response, operation: str) -> Any:
    """The JSON body of an answer that must have one."""
    data = decode_json(response)
    if data is INVALID_JSON:
        raise ProviderProtocolError(f"{operation}: malformed JSON (HTTP {response.status_code})")
    return data


def common_error(
    operation: str,
    response: requests.Response,
    otp_id: str | None = None,
    *,
    not_found: type[ProviderError] = OtpNotFound,
    kind: str = "otp",
) -> ProviderError:
    """The error for an answer the operation has no specific rule for."""
    status, detail = response.status_code, describe(operation, response, otp_id, kind=kind)
    if status == 400:
        code = error_code(decode_json(response))
        if code is None:
            return ProviderProtocolError(f"{detail}, not an ErrorResponse")
        return ProviderRejected(f"{detail}, code {code}", provider_code=code)
    if status in (401, 403):
        return ProviderConfigurationError(f"{detail}, API key refused")
    if status == 404:
        if not_found is ProviderRejected:
            return ProviderRejected(detail, provider_code=error_code(decode_json(response)))
        return not_found(detail)
    if status == 429 or 500 <= status <= 599:
        return ProviderUnavailable(detail)
    return ProviderProtocolError(f"{detail}, undocumented status")


def check_answer(response: requests.Response, otp_id: str) -> CheckResult:
    """POST /otp/{id}/check. A wrong code is a result; everything odd is an error."""
    status, detail = response.status_code, describe("check", response, otp_id)
    if status in (200, 202):
        otp = parse_otp_status(body(response, "check"), "check", expected_id=otp_id)
        if otp.status is not OtpState.VERIFIED:
            raise ProviderProtocolError(f"{detail}, success status with otpStatus {otp.status}")
        return CheckResult(CheckOutcome.VERIFIED, otp)
    if status in (401, 403, 410):
        data = decode_json(response)
        if not looks_like_otp(data):
            if status == 410:
                raise ProviderProtocolError(f"{detail}, no OTP body")
            # The gateway's {"message": ...} or nothing: our key, not the user's code.
            raise ProviderConfigurationError(f"{detail}, API key refused")
        otp = parse_otp_status(data, "check", expected_id=otp_id)
        if status == 410:
            # Final already; the code was not evaluated, even if the body says VERIFIED (G5).
            return CheckResult(CheckOutcome.ALREADY_FINAL, otp)
        outcome = _CHECK_OUTCOMES.get((status, otp.status))
        if outcome is None:
            raise ProviderProtocolError(f"{detail}, otpStatus {otp.status}")
        return CheckResult(outcome, otp)
    raise common_error("check", response, otp_id)


def send_answer(response: requests.Response) -> OtpStatus:
    """POST /otp: a new OTP must be ACTIVE."""
    if response.status_code not in (200, 201):
        # POST /otp always exists: a 404 means a wrong API_URL, not a missing OTP.
        raise common_error("send", response, not_found=ProviderConfigurationError)
    otp = parse_otp_status(body(response, "send"), "send")
    if otp.status is not OtpState.ACTIVE:
        raise ProviderProtocolError(f"{describe('send', response, otp.otp_id)}, not ACTIVE")
    return otp


def resend_answer(response: requests.Response, otp_id: str) -> OtpStatus:
    """POST /otp/{id}: ``OtpNotActive`` once the OTP is final, whatever shape says so."""
    status, detail = response.status_code, describe("resend", response, otp_id)
    if status in (200, 201):
        otp = parse_otp_status(body(response, "resend"), "resend", expected_id=otp_id)
        if otp.status is not OtpState.ACTIVE:
            raise OtpNotActive(f"{detail}, otpStatus {otp.status}")
        return otp
    if status == 401:
        data = decode_json(response)
        if looks_like_otp(data):
            otp = parse_otp_status(data, "resend", expected_id=otp_id)
            if otp.status is OtpState.ACTIVE:
                raise ProviderProtocolError(f"{detail}, refused an ACTIVE OTP")
            raise OtpNotActive(f"{detail}, otpStatus {otp.status}")
        if error_code(data) is not None:
            raise OtpNotActive(f"{detail}, OTP is not valid anymore")
    raise common_error("resend", response, otp_id)


def status_answer(response: requests.Response, otp_id: str) -> OtpStatus:
    """GET /otp/{id}."""
    if response.status_code != 200:
        raise common_error("status", response, otp_id)
    return parse_otp_status(body(response, "status"), "status", expected_id=otp_id)


def delete_answer(response: requests.Response, otp_id: str) -> OtpStatus | None:
    """DELETE /otp/{id}: 200 gives the last status, 204 nothing."""
    if response.status_code == 204:
        return None
    if response.status_code != 200:
        raise common_error("delete", response, otp_id)
    return parse_otp_status(body(response, "delete"), "delete", expected_id=otp_id)


def events_answer(response: requests.Response, otp_id: str) -> list[OtpEvent]:
    """GET /otp/{id}/events."""
    if response.status_code != 200:
        raise common_error("events", response, otp_id)
    return parse_events(body(response, "events"), "events")


def list_answer(response: requests.Response) -> list[OtpStatus]:
    """GET /otp?number=: 204 is the empty list."""
    if response.status_code == 204:
        return []
    if response.status_code != 200:
        raise common_error("list", response, not_found=ProviderConfigurationError)
    return parse_otp_list(body(response, "list"), "list")
