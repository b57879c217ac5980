"""Phone numbers as the app stores and compares them: E.164, normalised once.

Every number is normalised before it is saved, compared or used as a rate-limit key,
so ``+49 151 2345 6789``, ``0049151 23456789`` and ``+4915123456789`` are one number
and share one bucket (U2).
"""

from __future__ import annotations

import re

import phonenumbers
from django.utils.translation import gettext_lazy as _

from ..exceptions import DeviceError
from .masking import mask_number

#: Longer input is refused before it is parsed.
MAX_INPUT = 64
# ASCII digits and the usual separators only: no letters (phonenumbers would read
# vanity letters as digits) and no other scripts' digits.
_ALLOWED = re.compile(r"[0-9+\-./() ]+")


def normalize_number(raw: str, region: str | None = None) -> str:
    """Return ``raw`` as an E.164 string, e.g. ``"+4915123456789"``.

    ``region`` (ISO 3166 code such as ``"DE"``) allows national numbers like
    ``"0151 23456789"``; without it the number must start with ``+`` or ``00``.

    Raises ``DeviceError`` with a translated message when the input is empty, too
    long, contains other characters than digits and separators, or is not a valid
    number according to phonenumbers. The error detail carries the masked input only (G4).
    """
    text = (raw or "").strip()
    if not text or len(text) > MAX_INPUT or not _ALLOWED.fullmatch(text):
        raise DeviceError(
            "unparsable phone number",
            message=_("Enter a phone number in international format, e.g. +49 151 23456789."),
        )
    if region is None and text.startswith("00"):
        text = "+" + text[2:]  # the international call prefix most countries use
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise DeviceError(
            f"invalid phone number {mask_number(text)}",
            message=_("This is not a valid phone number."),
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
