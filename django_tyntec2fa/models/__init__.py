"""Models of django-tyntec2fa, one module per concern."""

from ..conf import require_installed

# Without the app in INSTALLED_APPS, Django's "Model class ... doesn't declare an
# explicit app_label" would be the first word; say what to add instead.
require_installed()

from .audit import AuditEvent  # noqa: E402
from .challenge import Challenge  # noqa: E402
from .conversion import DestinationBlock, SafeListEntry, Scope  # noqa: E402
from .device import PhoneDevice  # noqa: E402
from .failures import FailureCounter  # noqa: E402
from .local_otp import LocalOtp  # noqa: E402
from .recovery import RecoveryCode  # noqa: E402
from .token_proof import TokenProof  # noqa: E402
from .trusted_browser import TrustedBrowser  # noqa: E402

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
