"""The provider interface and its result types.

A provider delivers a one-time password to a phone number and checks the code the
user typed. ``TyntecProvider`` does both through tyntec's 2FA API v1;
``LocalProvider`` does them in the database for development and tests. Both give
the same observable answers, which ``tests/contract`` proves.
"""

from __future__ import annotations

import abc
import datetime as dt
import enum
from dataclasses import dataclass, field

from ..abuse.masking import mask_number as mask_number

# Re-exported: the provider interface speaks of both (``providers.Channel``, ``mask_number``).
from ..choices import Channel as Channel


class OtpState(enum.StrEnum):
    """tyntec's ``otpStatus``."""

    ACTIVE = "ACTIVE"
    VERIFIED = "VERIFIED"
    EXPIRED = "EXPIRED"
    TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS"

    @property
    def is_final(self) -> bool:
        """A final OTP never verifies again."""
        return self is not OtpState.ACTIVE


class CheckOutcome(enum.StrEnum):
    """What a check answered. Only ``VERIFIED`` means the code was right."""

    VERIFIED = "verified"  # tyntec 200/202
    WRONG_CODE = "wrong_code"  # tyntec 401 with an OTP body, attempts remain
    EXHAUSTED = "exhausted"  # tyntec 403, TOO_MANY_ATTEMPTS
    EXPIRED = "expired"  # tyntec 403, EXPIRED
    ALREADY_FINAL = "already_final"  # tyntec 410, code not evaluated


@dataclass(frozen=True)
class OtpStatus:
    """tyntec's ``OtpStatusEntity`` in Python terms."""

    otp_id: str
    number: str
    status: OtpState
    attempt_count: int
    created: dt.datetime
    expires: dt.datetime
    application_id: str | None = None
    reference_id: str | None = None
    account_id: str | None = None

    def __repr__(self) -> str:
        # Masked: reprs end up in logs and error reports (G4).
        return (
            f"OtpStatus(otp_id={self.otp_id!r}, number={mask_number(self.number)!r}, "
            f"status={self.status.value}, attempt_count={self.attempt_count})"
        )


@dataclass(frozen=True)
class CheckResult:
    """The answer to ``Provider.check``: a wrong code is a normal answer."""

    outcome: CheckOutcome
    otp: OtpStatus

    @property
    def verified(self) -> bool:
        """True only for the first successful check of an ACTIVE OTP."""
        return self.outcome is CheckOutcome.VERIFIED


@dataclass(frozen=True)
class OtpEvent:
    """tyntec's ``StatusEvent``: one delivery event of an OTP."""

    created: dt.datetime
    type: str
    status: str | None = None
    status_text: str | None = None


@dataclass(frozen=True)
class Application:
    """tyntec's ``TwoFactorAuthApplicationEntity``; ``templates`` maps
    ``"<lang>"`` (SMS) and ``"<lang>-voice"`` to message texts."""

    application_id: str | None
    name: str | None = None
    pin_length: int | None = None
    alphanumeric: bool | None = None
    attempts: int | None = None
    expire: int | None = None  # seconds
    sender: str | None = None
    caller: str | None = None
    account_id: str | None = None
    created: dt.datetime | None = None
    templates: dict[str, str] = field(default_factory=dict)


class Provider(abc.ABC):
    """Delivers and checks one-time passwords. Implementations must be thread-safe."""

    @abc.abstractmethod
    def send(
        self,
        number: str,
        *,
        via: Channel = Channel.AUTO,
        language: str | None = None,
        country: str | None = None,
        text: str | None = None,
        pin_length: int | None = None,
        otp_code: str | None = None,
        sender: str | None = None,
        caller: str | None = None,
        application_id: str | None = None,
        reference_id: str | None = None,
    ) -> OtpStatus:
        """Create an OTP for ``number`` and deliver it; returns the ACTIVE status."""

    @abc.abstractmethod
    def status(self, otp_id: str) -> OtpStatus:
        """Return the current status; ``OtpNotFound`` for an unknown id."""

    @abc.abstractmethod
    def resend(
        self,
        otp_id: str,
        *,
        via: Channel = Channel.AUTO,
        sender: str | None = None,
        caller: str | None = None,
    ) -> OtpStatus:
        """Deliver an ACTIVE OTP again, possibly on another channel. Expiry and the
        attempt count do not change; ``OtpNotActive`` once the OTP is final."""

    @abc.abstractmethod
    def check(self, otp_id: str, code: str) -> CheckResult:
        """Check ``code``; never retried, since every call spends an attempt."""

    @abc.abstractmethod
    def delete(self, otp_id: str) -> OtpStatus | None:
        """Delete the OTP; returns its last status when the provider gives one."""

    @abc.abstractmethod
    def events(self, otp_id: str) -> list[OtpEvent]:
        """Delivery events of the OTP, oldest first."""

    @abc.abstractmethod
    def list_for_number(self, number: str) -> list[OtpStatus]:
        """Every OTP the provider knows for ``number``."""
