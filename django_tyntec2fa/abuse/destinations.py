"""Where a code may go (P1, P2, E6): the country allow-lists for SMS and voice, the
number types that never get a code, and the pluggable number lookup.

Every check here runs before any provider call, at enrollment and at every send and
resend (``abuse/guard.py``). A refusal is a ``DestinationRefused`` whose ``detail``
names the rule (for the audit trail and the operators) and whose translated
``message`` tells the user what to do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import phonenumbers
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from ..choices import Channel
from ..conf import app_settings
from ..exceptions import DestinationRefused
from ..providers.base import mask_number

logger = logging.getLogger("django_tyntec2fa.abuse")

#: The pseudo number type of the +882 / +883 international networks (region "001").
INTERNATIONAL_NETWORK = "INTERNATIONAL_NETWORK"
_TYPE_NAMES = {
    getattr(phonenumbers.PhoneNumberType, name): name
    for name in dir(phonenumbers.PhoneNumberType)
    if name.isupper()
}
#: Every name ``TYNTEC2FA_BLOCKED_NUMBER_TYPES`` accepts.
NUMBER_TYPES = frozenset(_TYPE_NAMES.values()) | {INTERNATIONAL_NETWORK}


@dataclass(frozen=True)
class LookupResult:
    """What a number lookup (``TYNTEC2FA_NUMBER_LOOKUP``) says about a number.

    ``allowed=False`` refuses it; ``number_type`` (a phonenumbers type name such as
    ``"PREMIUM_RATE"``, or the same words with spaces) is checked against the blocked
    types; ``ported_recently`` (or a recent SIM swap) refuses it too (E6). ``reason``
    is for the audit trail: never put the number in it.
    """

    allowed: bool = True
    reason: str = ""
    number_type: str | None = None
    ported_recently: bool = False


class LookupUnavailable(Exception):
    """The lookup hook raised or returned something else than a ``LookupResult``."""


def check_destination(number: str, channel: str) -> None:
    """Refuse ``number`` (E.164) on ``channel`` by country (P1) and number type (P2).

    A channel other than SMS may become a call (AUTO lets tyntec decide), so it needs
    the voice list too. Raises ``DestinationRefused``; does no I/O.
    """
    parsed = _parse(number)
    if not country_allowed(parsed, app_settings.SMS_COUNTRIES):
        raise DestinationRefused(
            f"country {_region(parsed)} not in TYNTEC2FA_SMS_COUNTRIES",
            message=_("Codes cannot be sent to phone numbers in this country."),
        )
    if channel != Channel.SMS and not country_allowed(parsed, app_settings.VOICE_COUNTRIES):
        raise DestinationRefused(
            f"country {_region(parsed)} not in TYNTEC2FA_VOICE_COUNTRIES",
            message=_("Calls cannot be made to phone numbers in this country. Please choose SMS."),
        )
    blocked = number_types(parsed) & app_settings.BLOCKED_NUMBER_TYPES
    if blocked:
        raise _type_refused(sorted(blocked)[0])


def lookup(number: str) -> LookupResult | None:
    """Ask ``TYNTEC2FA_NUMBER_LOOKUP`` about ``number``; ``None`` when none is set.

    Raises ``LookupUnavailable`` when the hook fails in any way: it is third-party code
    (often an HTTP call), so every exception it raises is caught, logged with its class
    only (its text may hold the number, G4) and left to the caller's fail-open or
    fail-closed policy.
    """
    hook = _hook()
    if hook is None:
        return None
    try:
        result = hook(number)
    except Exception as error:  # any failure of third-party code is a failed lookup
        logger.warning(
            "tyntec2fa number lookup failed for %s: %s", mask_number(number), type(error).__name__
        )
        raise LookupUnavailable(type(error).__name__) from error
    if not isinstance(result, LookupResult):
        logger.warning("tyntec2fa number lookup returned %s", type(result).__name__)
        raise LookupUnavailable(f"returned {type(result).__name__}")
    return result


def check_lookup_result(result: LookupResult) -> None:
    """Refuse what the lookup refused, a blocked number type, or a recent port (E6)."""
    number_type = (result.number_type or "").strip().upper().replace(" ", "_").replace("-", "_")
    if number_type in app_settings.BLOCKED_NUMBER_TYPES:
        raise _type_refused(number_type, source="lookup: ")
    if not result.allowed or result.ported_recently:
        why = "ported recently" if result.ported_recently else "refused"
        raise DestinationRefused(
            f"lookup: {why} {result.reason}".strip()[:120],
            message=_(
                "Codes cannot be sent to this phone number. Please use another way to "
                "sign in, or contact support."
            ),
        )


def lookup_failed_error(reason: str) -> DestinationRefused:
    """The refusal when the lookup failed and the policy is fail-closed (the default)."""
    return DestinationRefused(
        f"lookup unavailable ({reason}), fail closed",
        message=_("This phone number cannot be checked right now. Please try again later."),
    )


def number_types(parsed: phonenumbers.PhoneNumber) -> set[str]:
    """The number's phonenumbers type name, plus ``INTERNATIONAL_NETWORK`` for +882/+883."""
    types = {_TYPE_NAMES.get(phonenumbers.number_type(parsed), "UNKNOWN")}
    if phonenumbers.region_code_for_number(parsed) == "001":
        types.add(INTERNATIONAL_NETWORK)
    return types


def country_allowed(parsed: phonenumbers.PhoneNumber, entries: Iterable[str] | None) -> bool:
    """True when ``entries`` is ``None`` or names the number's region or calling code."""
    if entries is None:
        return True
    region = _region(parsed)
    calling = f"+{parsed.country_code}"
    return any(entry in (region, calling) for entry in entries)


def invalid_countries(entries: Iterable[str]) -> list[str]:
    """Entries that are neither a known ISO 3166 region nor a known "+<calling code>"."""
    known_codes = {f"+{code}" for code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE}
    regions = phonenumbers.SUPPORTED_REGIONS | {"001"}
    return [entry for entry in entries if entry not in regions and entry not in known_codes]


def _hook() -> Callable[[str], Any] | None:
    hook = app_settings.NUMBER_LOOKUP
    if hook is None or hook == "":
        return None
    return import_string(hook) if isinstance(hook, str) else hook


def _parse(number: str) -> phonenumbers.PhoneNumber:
    try:
        return phonenumbers.parse(number)
    except phonenumbers.NumberParseException:
        # Stored numbers are E.164; anything else is refused rather than guessed.
        raise DestinationRefused("unparsable number") from None


def _region(parsed: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.region_code_for_number(parsed) or "ZZ"


def _type_refused(number_type: str, *, source: str = "") -> DestinationRefused:
    return DestinationRefused(
        f"{source}number type {number_type} blocked",
        message=_(
            "This kind of phone number cannot receive codes (for example premium-rate, "
            "toll-free or shared-cost numbers). Please use a mobile number."
        ),
    )
