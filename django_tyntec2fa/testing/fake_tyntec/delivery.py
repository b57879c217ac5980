"""Rendering and "delivering" an OTP message: the outbox is the phone."""

from __future__ import annotations

import secrets
import string

from .models import FakeApplication, FakeMessage, FakeOtp
from .state import FakeState

_NUMERIC = string.digits
_ALPHANUMERIC = string.ascii_lowercase + string.digits


def generate_code(length: int, *, alphanumeric: bool) -> str:
    """A uniformly drawn code from a CSPRNG (G1); alphanumeric apps get lowercase."""
    alphabet = _ALPHANUMERIC if alphanumeric else _NUMERIC
    return "".join(secrets.choice(alphabet) for _ in range(length))


def pick_template(app: FakeApplication, language: str, channel: str) -> tuple[str, str]:
    """(language used, template) for ``language`` and ``channel``, with tyntec's fallbacks.

    VOICE: ``<lang>-voice``, ``<lang>``, ``en-voice``, ``en``; SMS: ``<lang>``, ``en``.
    The ``en`` template cannot be deleted, so the chain always ends in one.
    """
    if channel == "VOICE":
        keys = [f"{language}-voice", language, "en-voice", "en"]
    else:
        keys = [language, "en"]
    for key in keys:
        if key in app.template:
            return key.removesuffix("-voice"), app.template[key]
    raise LookupError("the application has no 'en' template")  # unreachable by design


def deliver(
    state: FakeState,
    otp: FakeOtp,
    app: FakeApplication,
    channel: str,
    *,
    sender: str | None = None,
    caller: str | None = None,
) -> FakeMessage:
    """Render the message for ``otp``, put it in the outbox and plan its delivery event."""
    if otp.text is not None:
        language, template = otp.language, otp.text
    else:
        language, template = pick_template(app, otp.language, channel)
    text = template.replace("{{OTP}}", otp.code).replace("{{SEC}}", str(otp.expire_seconds))
    origin = (caller or app.caller) if channel == "VOICE" else (sender or app.sender)
    message = FakeMessage(
        number=otp.number,
        channel=channel,
        language=language,
        text=text,
        code=otp.code,
        otp_id=otp.otp_id,
        sender=origin,
    )
    state.record(message)
    # The phone network's report, dated when it arrives (outcomes.py).
    event = state.deliveries.for_message(otp.number, channel).event(channel, state.now_ms())
    if event is not None:
        otp.events.append(event)
    return message
