"""The ErrorResponse body of tyntec 2FA v1 and the error codes the fake answers with.

tyntec documents only 1006, 1008 and 1017. Every other failure needs a code too, so
the fake uses its own 9xxx range: a client must not read meaning into them beyond
"the request was refused" (see docs/fake_tyntec.md).
"""

from __future__ import annotations

from typing import Any

# Documented by tyntec (docs/providers.md, "What tyntec answers with").
PIN_LENGTH = "1006"
EXPIRE_RANGE = "1008"
DEFAULT_NAME = "1017"

# The fake's own codes.
INVALID_NUMBER = "9001"
INVALID_PARAMETER = "9002"
MISSING_OTP_PLACEHOLDER = "9003"
UNKNOWN_APPLICATION = "9004"
OTP_NOT_FOUND = "9005"
OTP_NOT_VALID = "9006"
DEFAULT_APP_PROTECTED = "9007"
EN_TEMPLATE_PROTECTED = "9008"
TEMPLATE_NOT_FOUND = "9009"
COUNTRY_MISMATCH = "9010"
MISSING_PARAMETER = "9011"
UNKNOWN_RESOURCE = "9012"
METHOD_NOT_ALLOWED = "9013"
BAD_BODY = "9014"
INJECTED_FAULT = "9500"

PIN_LENGTH_MESSAGE = "PIN length should be between 4 to 10 digits."
EXPIRE_MESSAGE = "Expiration value should be between 30 and 7200."
DEFAULT_NAME_MESSAGE = "Cannot create application with name 'default'"


def error_body(code: str, message: str, timestamp_ms: int) -> dict[str, Any]:
    """tyntec's flat ``ErrorResponse`` (not RFC 7807)."""
    return {"code": code, "message": message, "timestamp": timestamp_ms}


class ApiError(Exception):
    """A refusal the handler turns into an HTTP answer.

    ``code`` None means "answer with an empty body": tyntec's spec gives some 404s
    (check, delete) no body at all. Messages never contain request values, so
    neither a code nor a number can leak through them (G4).
    """

    def __init__(self, status: int, code: str | None = None, message: str = "") -> None:
        super().__init__(f"HTTP {status} {code or ''} {message}".strip())
        self.status = status
        self.code = code
        self.message = message


def bad_parameter(name: str) -> ApiError:
    """400 for a parameter whose value is not one the API accepts."""
    return ApiError(400, INVALID_PARAMETER, f"Parameter '{name}' is not valid.")


def missing_parameter(name: str) -> ApiError:
    """400 for a required parameter that was not sent."""
    return ApiError(400, MISSING_PARAMETER, f"Parameter '{name}' is required.")
