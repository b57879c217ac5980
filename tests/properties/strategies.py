"""Hypothesis strategies and oracles shared by the property tests.

The oracles restate the requirements independently of the code under test: a test
that compared ``flows.codes.normalize_code`` with itself could not fail.
"""

from __future__ import annotations

import re
from typing import Any

import phonenumbers
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

#: Small and deterministic enough for the suite; no ``.hypothesis/`` directory is
#: written into the tree (a failure prints its falsifying example).
FAST = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

#: What L6 removes before the length check: ASCII whitespace and "-".
ASCII_SEPARATORS = " \t\n\r\x0b\x0c-"
MAX_INPUT = 64
DIGIT_SCRIPTS = {
    "ascii": "0123456789",
    "fullwidth": "０１２３４５６７８９",
    "arabic-indic": "٠١٢٣٤٥٦٧٨٩",
    "devanagari": "०१२३४५६७८९",
    "mathematical": "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗",
}
#: Separators people type or paste, and look-alikes that are not ASCII whitespace.
SEPARATORS = ["", "", "", " ", "-", "\t", "\n", "\u00a0", "\u2009", "\u2011", "_", ".", "+", "/"]
ALLOWED_SEPARATORS = ["", "", "", " ", "-", "\t", "\n"]
E164 = re.compile(r"\+[1-9][0-9]{6,14}")


def normalise(raw: str) -> str | None:
    """L6 as the requirements state it: at most 64 characters; ASCII whitespace and
    "-" removed; what is left is the code only if it is exactly ASCII digits."""
    if len(raw) > MAX_INPUT:
        return None
    stripped = "".join(ch for ch in raw if ch not in ASCII_SEPARATORS)
    return stripped if stripped and all("0" <= ch <= "9" for ch in stripped) else None


@st.composite
def code_templates(draw: st.DrawFn) -> tuple[str, list[str], str]:
    """How to write a code: a digit script, separators around each digit, an edit."""
    script = draw(st.sampled_from(["ascii"] * 4 + sorted(DIGIT_SCRIPTS)))
    # Mostly separators L6 removes, so a good share of the examples must verify.
    pool = draw(st.sampled_from([ALLOWED_SEPARATORS, ALLOWED_SEPARATORS, SEPARATORS]))
    separators = draw(st.lists(st.sampled_from(pool), min_size=7, max_size=7))
    edit = draw(st.sampled_from(["none", "none", "none", "drop_last", "extra_digit", "padded"]))
    return script, separators, edit


def render_code(template: tuple[str, list[str], str], code: str) -> str:
    """``code`` written the way ``template`` says."""
    script, separators, edit = template
    digits = [DIGIT_SCRIPTS[script][int(digit)] for digit in code]
    if edit == "drop_last":
        digits = digits[:-1]
    elif edit == "extra_digit":
        digits.append(DIGIT_SCRIPTS[script][7])
    text = separators[0] + "".join(d + separators[i + 1] for i, d in enumerate(digits[:6]))
    text += "".join(digits[6:])
    return " " * 60 + text if edit == "padded" else text


#: Any JSON value, small.
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=12,
)


@st.composite
def mutated_entity(draw: st.DrawFn, entity: dict[str, Any]) -> dict[str, Any]:
    """``entity`` with some fields dropped, replaced by any JSON value, or added."""
    body = dict(entity)
    for key in draw(st.lists(st.sampled_from(sorted(entity)), max_size=3, unique=True)):
        if draw(st.booleans()):
            del body[key]
        else:
            body[key] = draw(JSON | st.sampled_from(["VERIFIED", "ACTIVE", "verified", ""]))
    body.update(draw(st.dictionaries(st.text(max_size=10), JSON, max_size=2)))
    return body


def is_e164(number: str) -> bool:
    """A number in E.164 that libphonenumber formats back to itself."""
    if not E164.fullmatch(number):
        return False
    parsed = phonenumbers.parse(number, None)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == number


#: Phone-number-ish input: digits, plus signs, separators, other scripts, junk.
PHONE_INPUT = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"\A[+0(]{0,2}[0-9 ()\-./]{0,22}\Z"),
    st.builds(
        lambda prefix, national, sep: prefix + sep.join([national[:3], national[3:]]),
        st.sampled_from(["+49", "0049", "+49 ", "+1", "+44 ", "+", "00", "0", "+0", "+999"]),
        st.text("0123456789", min_size=0, max_size=12),
        st.sampled_from(["", " ", "-", "/", "\u00a0", "."]),
    ),
    st.builds(
        lambda digits: "+49" + "".join(DIGIT_SCRIPTS["fullwidth"][int(d)] for d in digits),
        st.text("0123456789", min_size=8, max_size=11),
    ),
)
