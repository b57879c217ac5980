"""The API's JSON parser: a body that is not acceptable JSON is 400 ``parse_error``.

DRF's ``JSONParser`` lets Python's ``json`` decide, which answers a few bodies badly: a
deeply nested one (``[`` x 1000) raises ``RecursionError`` (a 500), a number too big
for a float becomes ``inf``, and of two equal keys the last silently wins, so a
proxy or a logger that reads the first sees another request than the app. Every body
the API takes is a small flat object, so this parser refuses, before decoding:

- a body over ``MAX_BODY`` bytes, and bytes that are not UTF-8;
- nesting deeper than ``MAX_DEPTH`` (counted by a scan, so the decoder never recurses
  far);

and while decoding: duplicate keys, ``NaN``/``Infinity``, integers longer than
``MAX_DIGITS`` digits and numbers that do not fit a float. Each refusal is DRF's
``ParseError`` with its own (translated) text; the cause goes to the log, not to the
client.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping
from typing import IO, Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

logger = logging.getLogger("django_tyntec2fa.api")

#: Bytes of the largest body accepted; the API's bodies are a few hundred bytes.
MAX_BODY = 64 * 1024
#: Deepest nesting of arrays and objects accepted; the API's bodies are flat.
MAX_DEPTH = 32
#: Longest integer accepted, in digits (a 64-bit integer has 19 or 20).
MAX_DIGITS = 32


class StrictJSONParser(JSONParser):
    """``JSONParser`` that refuses what the module docstring lists with ``ParseError``."""

    def parse(
        self,
        stream: IO[bytes] | None,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        if stream is None:
            return None
        raw = stream.read(MAX_BODY + 1)
        try:
            return loads(raw)
        except ValueError as error:
            logger.info("tyntec2fa API body refused: %s", error)
            raise ParseError() from None


def loads(raw: bytes) -> Any:
    """Decode one JSON body; ``ValueError`` says why it is not acceptable."""
    if len(raw) > MAX_BODY:
        raise ValueError(f"body over {MAX_BODY} bytes")
    text = raw.decode("utf-8")  # UnicodeDecodeError is a ValueError
    if _depth(text) > MAX_DEPTH:
        raise ValueError(f"nested deeper than {MAX_DEPTH}")
    return json.loads(
        text,
        object_pairs_hook=_unique_keys,
        parse_int=_integer,
        parse_float=_finite,
        parse_constant=_no_constant,
    )


def _depth(text: str) -> int:
    """The deepest nesting of ``[`` and ``{`` outside strings."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"duplicate key {key[:40]!r}")
        found[key] = value
    return found


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise ValueError(f"integer longer than {MAX_DIGITS} digits")
    return int(text)


def _finite(text: str) -> float:
    if len(text) > MAX_DIGITS * 2:
        raise ValueError("number too long")
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def _no_constant(text: str) -> float:
    raise ValueError(f"{text} is not JSON")
