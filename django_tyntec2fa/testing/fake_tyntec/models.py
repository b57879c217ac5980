"""The records the fake keeps: applications, OTPs and delivered messages."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any

from ...abuse.masking import mask_number

#: The account's default application: fixed, so tests and docs can name it.
DEFAULT_APPLICATION_ID = "00000000-0000-4000-8000-000000000001"
DEFAULT_SMS_TEMPLATE = "OTP code: {{OTP}}. Valid for {{SEC}} seconds."
DEFAULT_VOICE_TEMPLATE = "Your OTP code is {{OTP}} . Repeat of OTP Code: {{OTP}}"


class OtpState(enum.StrEnum):
    """tyntec's ``otpStatus`` values (v1 documents no others)."""

    ACTIVE = "ACTIVE"
    VERIFIED = "VERIFIED"
    EXPIRED = "EXPIRED"
    TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS"


def iso_timestamp(epoch_ms: int) -> str:
    """``1499677061834`` -> ``"2017-07-10T08:57:41.834Z"``, tyntec's timestamp strings."""
    moment = dt.datetime.fromtimestamp(epoch_ms // 1000, tz=dt.UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{epoch_ms % 1000:03d}Z"


@dataclass(frozen=True)
class FakeMessage:
    """One SMS or voice call as the phone would receive it.

    ``language`` is the language of the template actually used (after fallback);
    ``sender`` is the SMS sender or, for VOICE, the caller id (None when unset).
    """

    number: str
    channel: str
    language: str
    text: str = field(repr=False)
    code: str = field(repr=False)
    otp_id: str
    sender: str | None = None

    def __repr__(self) -> str:
        # No code and no text: reprs end up in test failure output and logs (G4).
        return (
            f"FakeMessage(number={mask_number(self.number)!r}, channel={self.channel!r}, "
            f"language={self.language!r}, otp_id={self.otp_id!r})"
        )

    def to_json(self) -> dict[str, Any]:
        """The control endpoint's view, code included (it is the test's phone)."""
        return {
            "number": self.number,
            "channel": self.channel,
            "language": self.language,
            "text": self.text,
            "code": self.code,
            "otpId": self.otp_id,
            "sender": self.sender,
        }


@dataclass
class FakeApplication:
    """A 2FA application (``TwoFactorAuthApplicationEntity`` plus its templates)."""

    application_id: str
    name: str
    created_ms: int
    pin_length: int = 4
    alphanumeric: bool = False
    attempts: int = 3
    expire: int = 300
    sender: str = "VERIFY"
    caller: str | None = None
    template: dict[str, str] = field(default_factory=lambda: {"en": DEFAULT_SMS_TEMPLATE})

    def to_json(self, account_id: str) -> dict[str, Any]:
        """The entity as tyntec returns it; an unset ``caller`` is left out, as in tyntec's
        samples (the OpenAPI file types it as a string, so ``null`` would not be valid)."""
        entity: dict[str, Any] = {
            "accountId": account_id,
            "applicationId": self.application_id,
            "name": self.name,
            "pinLength": self.pin_length,
            "alphanumeric": self.alphanumeric,
            "attempts": self.attempts,
            "expire": self.expire,
            "sender": self.sender,
            "caller": self.caller,
            "template": dict(self.template),
            "created": self.created_ms,
        }
        return {key: value for key, value in entity.items() if value is not None}


@dataclass
class FakeOtp:
    """One delivered OTP. ``attempts`` and ``expire_seconds`` are the application's at send time."""

    otp_id: str
    application_id: str
    number: str
    code: str = field(repr=False)
    created_ms: int
    expire_ms: int
    attempts: int
    expire_seconds: int
    language: str
    text: str | None = field(default=None, repr=False)  # the send's own text, if any
    reference_id: str | None = None
    status: OtpState = OtpState.ACTIVE  # stored; see effective_status()
    attempt_count: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)

    def __repr__(self) -> str:
        # No code, no text, a masked number (G4).
        return (
            f"FakeOtp(otp_id={self.otp_id!r}, number={mask_number(self.number)!r}, "
            f"status={self.status.value}, attempt_count={self.attempt_count})"
        )

    def is_past_expiry(self, now_ms: int) -> bool:
        """Valid during [created, expire); at ``expire`` itself the OTP is expired."""
        return now_ms >= self.expire_ms

    def effective_status(self, now_ms: int) -> OtpState:
        """The status a reader sees now: an ACTIVE OTP past expiry reads as EXPIRED."""
        if self.status is OtpState.ACTIVE and self.is_past_expiry(now_ms):
            return OtpState.EXPIRED
        return self.status

    def to_json(self, account_id: str, now_ms: int) -> dict[str, Any]:
        """``OtpStatusEntity`` with its 11 fields; an unset ``referenceId`` is left out, as
        in tyntec's documented examples (the OpenAPI file types it as a string)."""
        entity = {
            "accountId": account_id,
            "applicationId": self.application_id,
            "otpId": self.otp_id,
            "number": self.number,
            "attemptCount": self.attempt_count,
            "otpStatus": self.effective_status(now_ms).value,
            "created": self.created_ms,
            "expire": self.expire_ms,
            "referenceId": self.reference_id,
            "timestampCreated": iso_timestamp(self.created_ms),
            "timestampExpire": iso_timestamp(self.expire_ms),
        }
        if self.reference_id is None:
            del entity["referenceId"]
        return entity
