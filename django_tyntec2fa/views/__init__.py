"""The HTML views: a thin layer over ``flows``, one small module per page."""

from .challenge import challenge, challenge_cancel, challenge_send
from .devices import device_primary, device_remove, devices
from .enroll import enroll, enroll_confirm
from .login import LoginView
from .recovery import recover, recovery_codes
from .stepup import step_up, step_up_send
from .trust import browser_forget, browsers_forget, sign_out_everywhere

__all__ = [
    "LoginView",
    "browser_forget",
    "browsers_forget",
    "challenge",
    "challenge_cancel",
    "challenge_send",
    "device_primary",
    "device_remove",
    "devices",
    "enroll",
    "enroll_confirm",
    "sign_out_everywhere",
    "recover",
    "recovery_codes",
    "step_up",
    "step_up_send",
]
