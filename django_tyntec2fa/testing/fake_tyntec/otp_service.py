"""The OTP service: send, list, status, resend, delete, events, check (docs/providers.md: the endpoints, the life of an OTP)."""

from __future__ import annotations

import hmac
import uuid

from .delivery import deliver, generate_code
from .errors import (
    MISSING_OTP_PLACEHOLDER,
    OTP_NOT_FOUND,
    OTP_NOT_VALID,
    PIN_LENGTH,
    PIN_LENGTH_MESSAGE,
    UNKNOWN_APPLICATION,
    ApiError,
    missing_parameter,
)
from .models import FakeOtp, OtpState
from .numbers import language_for_number, normalise_number
from .params import Params
from .reply import Reply
from .state import FakeState

PIN_LENGTH_RANGE = range(4, 11)  # 4..10: error 1006's text (the spec's "4-11" is contradicted)


def _pin_length(params: Params) -> int | None:
    error = ApiError(400, PIN_LENGTH, PIN_LENGTH_MESSAGE)
    value = params.integer("pinLength", error=error)
    if value is not None and value not in PIN_LENGTH_RANGE:
        raise error
    return value


def _find(state: FakeState, otp_id: str, *, with_body: bool) -> FakeOtp:
    """The OTP, or 404: with an ErrorResponse where the spec documents one."""
    otp = state.otps.get(otp_id)
    if otp is None:
        if with_body:
            raise ApiError(404, OTP_NOT_FOUND, "OTP code was not found.")
        raise ApiError(404)
    return otp


def send(state: FakeState, params: Params, args: dict[str, str], body: bytes) -> Reply:
    """POST /otp: create an OTP and deliver it."""
    number = normalise_number(params.require("number"), params.get("country"))
    app_id = params.get("applicationId")
    app = state.application(app_id, status=400) if app_id else state.application("default")
    channel = params.via()
    pin_length = _pin_length(params)
    code = params.get("otpCode")
    text = params.get("text")
    if text is not None and "{{OTP}}" not in text and code is None:
        raise ApiError(400, MISSING_OTP_PLACEHOLDER, "Text must contain {{OTP}}.")
    if code is None:
        code = generate_code(pin_length or app.pin_length, alphanumeric=app.alphanumeric)
    now = state.now_ms()
    otp = FakeOtp(
        otp_id=str(uuid.uuid4()),
        application_id=app.application_id,
        number=number,
        code=code,
        created_ms=now,
        expire_ms=now + app.expire * 1000,
        attempts=app.attempts,
        expire_seconds=app.expire,
        language=(params.get("language") or language_for_number(number)).lower(),
        text=text,
        reference_id=params.get("referenceId"),
    )
    state.otps[otp.otp_id] = otp
    deliver(
        state,
        otp,
        app,
        channel,
        sender=params.get("sender", "Sender"),  # the connector capitalises these two
        caller=params.get("caller", "Caller"),
    )
    return Reply(200, otp.to_json(state.account_id, now))


def list_for_number(state: FakeState, params: Params, args: dict[str, str], body: bytes) -> Reply:
    """GET /otp?number=: the account's OTPs for a number; 204 and no body when none."""
    number = normalise_number(params.require("number"), params.get("country"))
    now = state.now_ms()
    found = [
        otp.to_json(state.account_id, now) for otp in state.otps.values() if otp.number == number
    ]
    return Reply(200, found) if found else Reply(204)


def status(state: FakeState, params: Params, args: dict[str, str], body: bytes) -> Reply:
    """GET /otp/{otpId}."""
    otp = _find(state, args["otp_id"], with_body=True)
    return Reply(200, otp.to_json(state.account_id, state.now_ms()))


def resend(state: FakeState, params: Params, args: dict[str, str], body: bytes) -> Reply:
    """POST /otp/{otpId}: the same code again, possibly on another channel; times unchanged."""
    otp = _find(state, args["otp_id"], with_body=True)
    app = state.applications.get(otp.application_id)
    if app is None:  # tyntec: after deleting the app, resend is not possible
        raise ApiError(404, UNKNOWN_APPLICATION, "The application of this OTP was deleted.")
    channel = params.via()
    now = state.now_ms()
    if otp.effective_status(now) is not OtpState.ACTIVE:
        raise ApiError(401, OTP_NOT_VALID, "OTP is not valid anymore")
    deliver(
        state,
        otp,
        app,
        channel,
        sender=params.get("sender", "Sender"),
        caller=params.get("caller", "Caller"),
    )
    return Reply(200, otp.to_json(state.account_id, now))


def delete(state: FakeState, params: Params, args: dict[str, str], body: bytes) -> Reply:
    """DELETE /otp/{otpId}: 200 with the entity as it was; the id is unknown afterwards."""
    otp = _find(state, args["otp_id"], with_body=False)
    entity = otp.to_json(state.account_id, state.now_ms())
    del state.otps[otp.otp_id]
    return Reply(200, entity)


def events(state: FakeState, params: Params, args: dict[str, str], body: bytes) -> Reply:
    """GET /otp/{otpId}/events: the delivery reports that have arrived by now
    (``outcomes.py``), oldest first."""
    otp = _find(state, args["otp_id"], with_body=True)
    now = state.now_ms()
    arrived = [event for event in otp.events if event["created"] <= now]
    return Reply(200, sorted(arrived, key=lambda event: event["created"]))


def check(state: FakeState, params: Params, args: dict[str, str], body: bytes) -> Reply:
    """POST /otp/{otpId}/check: the status table of docs/providers.md ("How each answer becomes a result")."""
    otp = _find(state, args["otp_id"], with_body=False)
    if otp.application_id not in state.applications:
        raise ApiError(404)  # tyntec: verification impossible once the app is deleted
    submitted = params.get("otpCode")
    if submitted is None:
        raise missing_parameter("otpCode")
    now = state.now_ms()
    if otp.status is not OtpState.ACTIVE:
        return Reply(410, otp.to_json(state.account_id, now))  # final: code not evaluated
    if otp.is_past_expiry(now):
        otp.status = OtpState.EXPIRED  # not evaluated either, so no attempt is counted
        return Reply(403, otp.to_json(state.account_id, now))
    otp.attempt_count += 1
    if hmac.compare_digest(submitted.encode(), otp.code.encode()):
        otp.status = OtpState.VERIFIED
        return Reply(202, otp.to_json(state.account_id, now))
    if otp.attempt_count >= otp.attempts:
        otp.status = OtpState.TOO_MANY_ATTEMPTS
        return Reply(403, otp.to_json(state.account_id, now))
    return Reply(401, otp.to_json(state.account_id, now))
