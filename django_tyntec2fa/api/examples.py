"""Example bodies for the OpenAPI schema (``api/openapi/``): the answers as clients see
them. Numbers are masked as the API masks them (G4); keys and dates are made up."""

from __future__ import annotations

from typing import Any

DEVICE: dict[str, Any] = {
    "id": 1,
    "number": "+49*******6789",
    "label": "Work phone",
    "channel": "SMS",
    "primary": True,
    "confirmed": True,
    "last_used_at": "2025-01-01T12:00:00Z",
}
BACKUP_DEVICE: dict[str, Any] = {
    **DEVICE,
    "id": 2,
    "number": "+49*******5678",
    "label": "",
    "channel": "VOICE",
    "primary": False,
    "last_used_at": None,
}
NEW_DEVICE: dict[str, Any] = {**BACKUP_DEVICE, "id": 3, "confirmed": False, "channel": "SMS"}
CHALLENGE: dict[str, Any] = {
    "purpose": "login",
    "channel": "SMS",
    "device": 1,
    "number": "+49*******6789",
    "expires_at": "2025-01-01T12:05:00Z",
    "resend_available_in": 30,
}
ENROLL_CHALLENGE: dict[str, Any] = {**CHALLENGE, "purpose": "enroll", "device": 3}
STEP_UP_CHALLENGE: dict[str, Any] = {**CHALLENGE, "purpose": "step_up"}
PENDING: dict[str, Any] = {
    "status": "second_factor_required",
    "devices": [DEVICE, BACKUP_DEVICE],
    "challenge": CHALLENGE,
    # What the user may do next (lockout.standing).
    "tries_left": 3,
    "retry_after": None,
    "locked": False,
}
#: ``delivery`` of ``GET /api/challenge/``: what happened to the live code.
DELIVERY_SENT: dict[str, Any] = {
    "state": "sent",
    "channel": "SMS",
    "updated_at": "2025-01-01T12:00:00Z",
    "suggest_call": False,
    "voice_fallback": False,
}
DELIVERY_DELIVERED: dict[str, Any] = {
    **DELIVERY_SENT,
    "state": "delivered",
    "updated_at": "2025-01-01T12:00:04Z",
}
DELIVERY_FAILED: dict[str, Any] = {
    **DELIVERY_SENT,
    "state": "failed",
    "updated_at": "2025-01-01T12:00:06Z",
    "suggest_call": True,
}
DELIVERY_CALLING: dict[str, Any] = {
    **DELIVERY_SENT,
    "channel": "VOICE",
    "updated_at": "2025-01-01T12:00:30Z",
    "voice_fallback": True,
}
LOGIN_TOKEN = "k3v9q0d7w2m8x1c5b6n4z0a9s8d7f6g5"  # noqa: S105 (a made-up example)
PENDING_APP: dict[str, Any] = {**PENDING, "login_token": LOGIN_TOKEN}
ENROLLMENT_REQUIRED: dict[str, Any] = {
    "status": "enrollment_required",
    "devices": [],
    "challenge": None,
}
TOKEN: dict[str, Any] = {"scheme": "Token", "key": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"}


def error(code: str, detail: str, **extra: Any) -> dict[str, Any]:
    """An error body in the API's one shape."""
    return {"code": code, "detail": detail, **extra}


def invalid(field: str, message: str) -> dict[str, Any]:
    """A validation error naming ``field``."""
    return error("validation_error", message, field=field, errors={field: [message]})


NOT_AUTHENTICATED = error("not_authenticated", "Authentication credentials were not provided.")
SECOND_FACTOR_REQUIRED = error("second_factor_required", "A second factor is required.")
STEP_UP_REQUIRED = error("step_up_required", "Please confirm it is you with a code first.")
LOGIN_TIMEOUT = error("login_timeout", "Your sign-in timed out. Please sign in again.")
ENROLLMENT_REQUIRED_ERROR = error("enrollment_required", "Please add a phone number first.")
NO_PENDING_LOGIN = error("no_pending_login", "There is no sign-in waiting for a code.")
TOKEN_REFUSED = error("second_factor_required", "This token was not issued after a second factor.")
INVALID_TOKEN = error("authentication_failed", "Invalid token.")
CSRF_FAILED = error("csrf_failed", "CSRF Failed: CSRF token missing.")
#: A refused code also says what the user may do next (lockout.standing).
INVALID_CODE = error(
    "invalid_code",
    "That code is not valid. Check the code and try again.",
    tries_left=2,
    retry_after=None,
    locked=False,
)
CHALLENGE_EXPIRED = error(
    "challenge_expired",
    "This code is no longer valid. Please request a new code.",
    tries_left=None,
    retry_after=None,
    locked=False,
)
TOO_MANY_ATTEMPTS = error(
    "too_many_attempts",
    "Too many wrong codes. Please request a new code.",
    tries_left=None,
    retry_after=None,
    locked=False,
)
ACCOUNT_LOCKED = error(
    "account_locked",
    "Too many wrong codes on this account. Two-factor sign-in is locked; please contact support.",
    tries_left=0,
    retry_after=None,
    locked=True,
)
RATE_LIMITED = error("rate_limited", "Too many requests. Please try again later.")
#: The password step over ``TYNTEC2FA_LOGIN_RATE_IP`` or ``_USER`` (issue 23.4).
LOGIN_RATE_LIMITED = error(
    "rate_limited",
    "Too many sign-in attempts. Please wait a few minutes and try again.",
    retry_after=412,
)
#: The password step while the rate-limit cache is down: refused before the password.
LOGIN_LIMITS_UNAVAILABLE = error(
    "provider_unavailable",
    "Signing in is not possible right now. Please try again in a few minutes.",
    retry_after=60,
)
RESEND_NOT_ALLOWED = error(
    "resend_not_allowed", "Please wait a moment before you ask for another code."
)
PROVIDER_UNAVAILABLE = error(
    "provider_unavailable",
    "The verification service is unavailable right now. Please try again in a few minutes.",
)
#: The password step while tyntec or the rate-limit cache is down (issue 12): 503, the
#: error on top of the pending login's state; the login goes on once the service is back.
LOGIN_UNAVAILABLE: dict[str, Any] = {
    **PROVIDER_UNAVAILABLE,
    "status": "second_factor_required",
    "devices": [DEVICE, BACKUP_DEVICE],
    "challenge": None,
    "send_error": {
        **PROVIDER_UNAVAILABLE,
        "hint": "No code was sent. Please wait a few minutes, then ask for a new code.",
        "retry_after": 30,
    },
}
NOT_FOUND = error("not_found", "Not found.")
INVALID_CREDENTIALS = error("invalid_credentials", "Please enter a correct username and password.")
NO_TOKENS = invalid("token", "This site does not issue API tokens.")
TOKEN_NEEDS_SECOND_FACTOR = error(
    "second_factor_not_set_up",
    "API tokens are issued only after a second factor. Please add a phone number first.",
)
DEVICE_NOT_CONFIRMED = error("device_error", "This phone is not confirmed yet.")

#: ``GET /api/trusted-browsers/`` (S9).
TRUSTED_BROWSER: dict[str, Any] = {
    "id": 7,
    "description": "Chrome (Android)",
    "created": "2025-01-01T12:00:00Z",
    "last_used": "2025-01-08T08:30:00Z",
    "expires": "2025-01-31T12:00:00Z",
    "current": True,
}
