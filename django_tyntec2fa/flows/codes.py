"""Strict normalisation of a typed code (L6).

ASCII whitespace and ``-`` are removed (people type ``"123 456"`` or ``"123-456"``
from the message); what is left must be exactly ``PIN_LENGTH`` ASCII digits. Nothing
else is accepted: no fullwidth or Arabic-Indic digits, ``+`` or ``_`` (all of which
``int()`` would accept), and no other length. Input longer than ``MAX_INPUT``
characters is refused before it is even looked at.
"""

from __future__ import annotations

import re
from typing import Any

#: Longer input is refused without normalising it.
MAX_INPUT = 64
_REMOVED = str.maketrans("", "", " \t\n\r\x0b\x0c-")


def normalize_code(raw: Any, length: int) -> str | None:
    """Return the code as ``length`` ASCII digits, or None when ``raw`` is not one."""
    if not isinstance(raw, str) or len(raw) > MAX_INPUT:
        return None
    code = raw.translate(_REMOVED)
    # [0-9] is exactly the ASCII digits; \d would also match other scripts' digits.
    if re.fullmatch(f"[0-9]{{{int(length)}}}", code) is None:
        return None
    return code
