"""Models of django-tyntec2fa, one module per concern."""

from .local_otp import LocalOtp

__all__ = ["LocalOtp"]
