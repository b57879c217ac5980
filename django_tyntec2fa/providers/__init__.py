"""Providers deliver and check one-time passwords; see ``base.Provider``."""

from .base import (
    Application,
    Channel,
    CheckOutcome,
    CheckResult,
    OtpEvent,
    OtpState,
    OtpStatus,
    Provider,
    mask_number,
)
from .registry import get_provider

__all__ = [
    "Application",
    "Channel",
    "CheckOutcome",
    "CheckResult",
    "OtpEvent",
    "OtpState",
    "OtpStatus",
    "Provider",
    "get_provider",
    "mask_number",
]
