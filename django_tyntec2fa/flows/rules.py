"""The rules deciding where and how a code may be sent (E1, P8, resend limits)."""

from __future__ import annotations

import math
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import Channel
from ..conf import app_settings
from ..core.policy import login_device
from ..exceptions import DeviceError, ResendNotAllowed, Tyntec2FAError
from ..models import Challenge, PhoneDevice

Purpose = Challenge.Purpose


def channel_for(
    device: PhoneDevice, channel: str | None, error: type[Tyntec2FAError] = DeviceError
) -> str:
    """The channel to send on: ``channel`` or the device's preference. Raises ``error``
    for an unknown channel, or for voice/automatic to an unconfirmed number (P8)."""
    if channel and channel not in Channel.values:
        raise error("unknown channel", message=_("This delivery channel is not available."))
    if not device.confirmed:
        if channel and channel != Channel.SMS:
            raise error(
                "voice to an unconfirmed number",
                message=_("Calls go only to a phone number you have already confirmed."),
            )
        return Channel.SMS  # a stored preference does not count either (P8)
    return channel or device.channel


def cooldown_seconds(challenge: Challenge | None) -> int:
    """Seconds until the code of ``challenge`` may be sent again (0 when it may, or
    when there is no challenge): ``TYNTEC2FA_RESEND_COOLDOWN`` after the last send."""
    if challenge is None or challenge.last_sent_at is None:
        return 0
    elapsed = (timezone.now() - challenge.last_sent_at).total_seconds()
    return max(0, math.ceil(app_settings.RESEND_COOLDOWN - elapsed))


def check_resend(challenge: Challenge, channel: str | None) -> str:
    """The channel for a resend of ``challenge``; raises ``ResendNotAllowed`` during the
    cooldown (with ``retry_after``), after ``MAX_RESENDS``, or for voice to an
    unconfirmed number."""
    wait = cooldown_seconds(challenge)
    if wait:
        raise ResendNotAllowed(
            "cooldown",
            message=_("Please wait a moment before you ask for another code."),
            retry_after=wait,
        )
    if challenge.resend_count >= app_settings.MAX_RESENDS:
        raise ResendNotAllowed(
            "too many resends",
            message=_("No more codes can be sent for this attempt. Please start again."),
        )
    return channel_for(challenge.device, channel, ResendNotAllowed)


def device_for(user: Any, purpose: str, device: PhoneDevice | None) -> PhoneDevice:
    """The device a ``purpose`` code goes to: ``device`` if allowed, else the user's
    primary confirmed phone. Raises ``DeviceError`` for none, someone else's, an
    unconfirmed one outside enrollment (E1) or a confirmed one for enrollment."""
    if device is None and purpose != Purpose.ENROLL:
        device = login_device(user)
    if device is None or device.user_id != user.pk:
        raise DeviceError("no such device", message=_("There is no confirmed phone to send to."))
    if purpose != Purpose.ENROLL and not device.confirmed:
        # E1: a number is used for sign-in only after a code sent to it was verified.
        raise DeviceError("device not confirmed", message=_("This phone is not confirmed yet."))
    if purpose == Purpose.ENROLL and device.confirmed:
        raise DeviceError("device already confirmed")
    return device
