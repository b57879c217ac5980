"""How a phone number is shown to support, in logs and in answers: masked (G4).

Plain Python, no Django: the fake tyntec server (``testing.fake_tyntec``), which runs
without Django, masks with this same function.
"""

from __future__ import annotations


def mask_number(number: str) -> str:
    """``+4915112345678`` -> ``+49*******5678``: enough for support, not for abuse (G4)."""
    if not number:
        return ""
    keep_head = 3 if number.startswith("+") else 2
    if len(number) <= keep_head + 4:
        return "*" * len(number)
    return number[:keep_head] + "*" * (len(number) - keep_head - 4) + number[-4:]
