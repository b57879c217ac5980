"""Phone-number normalisation the way tyntec describes it, with a small country table.

tyntec accepts ``+<digits>``, ``00<digits>`` or bare digits and answers with
``+<digits>``; ``country`` (ISO 3166-1 alpha-2) supplies the calling code for a
number that lacks one. A real numbering plan is out of scope: a table of common
countries is enough for a test double.
"""

from __future__ import annotations

import re

from .errors import COUNTRY_MISMATCH, INVALID_NUMBER, ApiError

#: ISO alpha-2 -> (calling code, language used when a send names no language).
COUNTRIES: dict[str, tuple[str, str]] = {
    "AT": ("43", "de"),
    "AU": ("61", "en"),
    "BE": ("32", "nl"),
    "BR": ("55", "pt"),
    "CA": ("1", "en"),
    "CH": ("41", "de"),
    "CN": ("86", "zh"),
    "CZ": ("420", "cs"),
    "DE": ("49", "de"),
    "DK": ("45", "da"),
    "ES": ("34", "es"),
    "FI": ("358", "fi"),
    "FR": ("33", "fr"),
    "GB": ("44", "en"),
    "GR": ("30", "el"),
    "HU": ("36", "hu"),
    "IE": ("353", "en"),
    "IN": ("91", "en"),
    "IT": ("39", "it"),
    "JP": ("81", "ja"),
    "LU": ("352", "fr"),
    "MX": ("52", "es"),
    "NL": ("31", "nl"),
    "NO": ("47", "nb"),
    "PL": ("48", "pl"),
    "PT": ("351", "pt"),
    "RO": ("40", "ro"),
    "SE": ("46", "sv"),
    "SG": ("65", "en"),
    "TR": ("90", "tr"),
    "UA": ("380", "uk"),
    "US": ("1", "en"),
    "ZA": ("27", "en"),
}

_LANGUAGE_BY_CODE: dict[str, str] = {}
for _code, _language in COUNTRIES.values():
    _LANGUAGE_BY_CODE.setdefault(_code, _language)

# Separators people type inside numbers; tyntec's examples show none, so drop them.
_SEPARATORS = re.compile(r"[\s\-().]")
_DIGITS = re.compile(r"[0-9]+")
_MIN_DIGITS, _MAX_DIGITS = 7, 15  # E.164 allows at most 15 digits


def _invalid() -> ApiError:
    return ApiError(400, INVALID_NUMBER, "Invalid number format.")


def normalise_number(raw: str, country: str | None = None) -> str:
    """``raw`` as ``+<digits>``, or ``ApiError`` 400 when it cannot be one."""
    cleaned = _SEPARATORS.sub("", raw)
    international = cleaned.startswith(("+", "00"))
    digits = cleaned[1:] if cleaned.startswith("+") else cleaned
    if cleaned.startswith("00"):
        digits = cleaned[2:]
    if not _DIGITS.fullmatch(digits):
        raise _invalid()
    if country:
        entry = COUNTRIES.get(country.upper())
        if entry is None:
            raise ApiError(400, COUNTRY_MISMATCH, "Unsupported country.")
        calling_code = entry[0]
        if international:
            if not digits.startswith(calling_code):
                raise ApiError(400, COUNTRY_MISMATCH, "Number does not match the country.")
        elif digits.startswith("0"):
            digits = calling_code + digits[1:]  # national trunk prefix
        elif not digits.startswith(calling_code):
            digits = calling_code + digits
    if digits.startswith("0") or not _MIN_DIGITS <= len(digits) <= _MAX_DIGITS:
        raise _invalid()
    return "+" + digits


def language_for_number(number: str) -> str:
    """The language tyntec would pick for ``number`` when none is given ("en" if unknown)."""
    digits = number.lstrip("+")
    for length in (3, 2, 1):  # calling codes are 1-3 digits; the longest match wins
        language = _LANGUAGE_BY_CODE.get(digits[:length])
        if language:
            return language
    return "en"
