"""Models of django-tyntec2fa, one module per concern."""

from .audit import AuditEvent
from .challenge import Challenge
from .conversion import DestinationBlock, SafeListEntry, Scope
from .device import PhoneDevice
from .failures import FailureCounter
from .local_otp import LocalOtp
from .recovery import RecoveryCode
from .token_proof import TokenProof
from .trusted_browser import TrustedBrowser

__all__ = [
    "AuditEvent",
    "Challenge",
    "DestinationBlock",
    "FailureCounter",
    "LocalOtp",
    "PhoneDevice",
    "RecoveryCode",
    "SafeListEntry",
    "Scope",
    "TokenProof",
    "TrustedBrowser",
]
