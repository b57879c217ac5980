"""tyntec JSON -> the dataclasses of ``providers.base``, validated strictly.

Anything that is not exactly the documented shape raises ``ProviderProtocolError``
(R1): a half-valid body is never guessed into a result. Errors are raised outside
``except`` blocks and never quote the body, which holds the phone number (G4).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, Final

import requests

from ...exceptions import ProviderProtocolError
from ..base import Application, OtpEvent, OtpState, OtpStatus

#: Ids we accept from tyntec and put into URL paths: a UUID in practice, but never
#: anything with a slash or a leading dot, which would change the path.
ID_PATTERN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
_NUMBER = re.compile(r"\+[0-9]{3,15}")  # tyntec answers with E.164
_MAX_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z, datetime's upper bound
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class _Invalid:
    """Marker for a body that is not JSON; distinct from a JSON ``null``."""


INVALID_JSON: Final = _Invalid()


def decode_json(response: requests.Response) -> Any:
    """The decoded body, ``None`` for an empty body, ``INVALID_JSON`` for garbage."""
    if not response.content:
        return None
    try:
        return json.loads(response.content)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return INVALID_JSON


def looks_like_otp(data: Any) -> bool:
    """True when the body claims to be an ``OtpStatusEntity`` (it may still be invalid)."""
    return isinstance(data, dict) and ("otpId" in data or "otpStatus" in data)


def error_code(data: Any) -> str | None:
    """``code`` of tyntec's ``ErrorResponse``; None when the body is not one."""
    if not isinstance(data, dict):
        return None
    code = data.get("code")
    if isinstance(code, bool) or not isinstance(code, (str, int)) or code == "":
        return None
    return str(code)


def _fail(operation: str, what: str) -> ProviderProtocolError:
    return ProviderProtocolError(f"{operation}: {what}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _opt_str(data: dict[str, Any], key: str, operation: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise _fail(operation, f"{key} is not a string")
    return value


def _timestamp(value: Any, key: str, operation: str) -> dt.datetime:
    """Epoch milliseconds -> aware UTC datetime."""
    if not _is_int(value) or not 0 <= value <= _MAX_MS:
        raise _fail(operation, f"{key} is not an epoch-millisecond integer")
    return _EPOCH + dt.timedelta(milliseconds=value)


def parse_otp_status(data: Any, operation: str, expected_id: str | None = None) -> OtpStatus:
    """Validate an ``OtpStatusEntity``; with ``expected_id`` it must be that OTP."""
    if not isinstance(data, dict):
        raise _fail(operation, "body is not an OtpStatusEntity")
    otp_id, number, state = data.get("otpId"), data.get("number"), data.get("otpStatus")
    if not isinstance(otp_id, str) or not ID_PATTERN.fullmatch(otp_id):
        raise _fail(operation, "otpId missing or malformed")
    if expected_id is not None and otp_id != expected_id:
        raise _fail(operation, f"answer is for otp {otp_id}, not {expected_id}")
    if not isinstance(number, str) or not _NUMBER.fullmatch(number):
        raise _fail(operation, f"number missing or malformed (otp {otp_id})")
    if not isinstance(state, str) or state not in OtpState.__members__:
        raise _fail(operation, f"unknown otpStatus (otp {otp_id})")
    attempts = data.get("attemptCount")
    if not _is_int(attempts) or attempts < 0:
        raise _fail(operation, f"attemptCount is not a count (otp {otp_id})")
    return OtpStatus(
        otp_id=otp_id,
        number=number,
        status=OtpState(state),
        attempt_count=attempts,
        created=_timestamp(data.get("created"), "created", operation),
        expires=_timestamp(data.get("expire"), "expire", operation),
        application_id=_opt_str(data, "applicationId", operation),
        reference_id=_opt_str(data, "referenceId", operation),
        account_id=_opt_str(data, "accountId", operation),
    )


def parse_otp_list(data: Any, operation: str) -> list[OtpStatus]:
    """A JSON array of ``OtpStatusEntity``."""
    if not isinstance(data, list):
        raise _fail(operation, "body is not a list")
    return [parse_otp_status(item, operation) for item in data]


def parse_events(data: Any, operation: str) -> list[OtpEvent]:
    """A JSON array of ``StatusEvent``, returned oldest first."""
    if not isinstance(data, list):
        raise _fail(operation, "body is not a list")
    events = []
    for item in data:
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            raise _fail(operation, "event without a type")
        events.append(
            OtpEvent(
                created=_timestamp(item.get("created"), "created", operation),
                type=item["type"],
                status=_opt_str(item, "status", operation),
                status_text=_opt_str(item, "statusText", operation),
            )
        )
    return sorted(events, key=lambda event: event.created)


def _opt_typed(data: dict[str, Any], key: str, kind: type, operation: str) -> Any:
    value = data.get(key)
    if value is None:
        return None
    # bool is an int subclass: an int field must not accept true/false.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _fail(operation, f"{key} has the wrong type")
    return value


def parse_application(data: Any, operation: str) -> Application:
    """Validate a ``TwoFactorAuthApplicationEntity``."""
    if not isinstance(data, dict):
        raise _fail(operation, "body is not an application")
    templates = data.get("template") or {}
    if not isinstance(templates, dict) or not all(
        isinstance(key, str) and isinstance(text, str) for key, text in templates.items()
    ):
        raise _fail(operation, "template is not a map of texts")
    created = data.get("created")
    return Application(
        application_id=_opt_str(data, "applicationId", operation),
        name=_opt_str(data, "name", operation),
        pin_length=_opt_typed(data, "pinLength", int, operation),
        alphanumeric=_opt_typed(data, "alphanumeric", bool, operation),
        attempts=_opt_typed(data, "attempts", int, operation),
        expire=_opt_typed(data, "expire", int, operation),
        sender=_opt_str(data, "sender", operation),
        caller=_opt_str(data, "caller", operation),
        account_id=_opt_str(data, "accountId", operation),
        created=None if created is None else _timestamp(created, "created", operation),
        templates=dict(templates),
    )


def parse_application_list(data: Any, operation: str) -> list[Application]:
    """A JSON array of applications."""
    if not isinstance(data, list):
        raise _fail(operation, "body is not a list")
    return [parse_application(item, operation) for item in data]
