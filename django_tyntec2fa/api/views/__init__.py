"""The API's views, one module per part of the flow (``urls.py`` routes them)."""

from .challenge import (
    ChallengeCancelView,
    ChallengeResendView,
    ChallengeSendView,
    ChallengeVerifyView,
    ChallengeView,
)
from .devices import (
    DeviceAddView,
    DeviceConfirmView,
    DeviceDetailView,
    DeviceListView,
    DevicePrimaryView,
    UnknownDeviceView,
)
from .login import LoginView, LogoutView
from .recovery import ChallengeRecoverView, RecoveryCodesView
from .stepup import StepUpSendView, StepUpVerifyView
from .trust import TrustedBrowserDetailView, TrustedBrowserListView, UnknownTrustedBrowserView

__all__ = [
    "ChallengeCancelView",
    "ChallengeRecoverView",
    "ChallengeResendView",
    "ChallengeSendView",
    "ChallengeVerifyView",
    "ChallengeView",
    "DeviceAddView",
    "DeviceConfirmView",
    "DeviceDetailView",
    "DeviceListView",
    "DevicePrimaryView",
    "LoginView",
    "LogoutView",
    "RecoveryCodesView",
    "StepUpSendView",
    "StepUpVerifyView",
    "TrustedBrowserDetailView",
    "TrustedBrowserListView",
    "UnknownDeviceView",
    "UnknownTrustedBrowserView",
]
