"""tyntec answer bodies for the stub, shaped as the OpenAPI file and tyntec's docs show."""

from __future__ import annotations

from typing import Any

API_KEY = "stub-api-key-7d41c0"
OTP_ID = "5b757dbf-1a2b-4c3d-8e9f-0123456789ab"
OTHER_OTP_ID = "0f0e0d0c-1a2b-4c3d-8e9f-0123456789ab"
APP_ID = "4b5b626d-aaaa-4bbb-8ccc-0123456789ab"
NUMBER = "+4915112345678"
CREATED_MS = 1_499_677_061_834


def otp_body(status: str = "ACTIVE", *, otp_id: str = OTP_ID, attempts: int = 0) -> dict[str, Any]:
    """An ``OtpStatusEntity`` with every documented field."""
    return {
        "accountId": "yourAccountId",
        "applicationId": APP_ID,
        "otpId": otp_id,
        "number": NUMBER,
        "attemptCount": attempts,
        "otpStatus": status,
        "expire": CREATED_MS + 300_000,
        "created": CREATED_MS,
        "referenceId": None,
        "timestampCreated": "2017-07-10T08:57:41.834Z",
        "timestampExpire": "2017-07-10T09:02:41.834Z",
    }


def error_body(code: str = "1017", message: str = "Invalid parameter") -> dict[str, Any]:
    """tyntec's flat ``ErrorResponse``."""
    return {"code": code, "message": message, "timestamp": CREATED_MS}


def app_body(**overrides: Any) -> dict[str, Any]:
    """A ``TwoFactorAuthApplicationEntity`` as DOCS-APPS shows it."""
    body = {
        "accountId": "yourAccountId",
        "applicationId": APP_ID,
        "name": "shop",
        "pinLength": 6,
        "alphanumeric": False,
        "attempts": 3,
        "expire": 300,
        "sender": "VERIFY",
        "template": {"en": "OTP code: {{OTP}}. Valid for {{SEC}} seconds."},
        "created": CREATED_MS,
    }
    body.update(overrides)
    return body


GATEWAY_NO_KEY = {"message": "No API key found in request"}
GATEWAY_BAD_KEY = {"message": "Invalid authentication credentials"}
