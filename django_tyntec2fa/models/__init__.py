"""Models of django-tyntec2fa, one module per concern."""

from .audit import AuditEvent
from .challenge import Challenge
from .device import PhoneDevice
from .failures import FailureCounter
from .local_otp import LocalOtp

__all__ = ["AuditEvent", "Challenge", "FailureCounter", "LocalOtp", "PhoneDevice"]
