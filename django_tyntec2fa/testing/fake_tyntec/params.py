"""Query-string access for the handlers: tyntec v1 carries every OTP input in the query."""

from __future__ import annotations

from urllib.parse import parse_qs

from .errors import ApiError, bad_parameter, missing_parameter

CHANNELS = ("SMS", "VOICE")


class Params:
    """The parsed query string; an empty value counts as absent."""

    def __init__(self, query: str) -> None:
        self._values = parse_qs(query, keep_blank_values=True)

    def names(self) -> list[str]:
        """The parameter names sent (for logs: names only, never values)."""
        return list(self._values)

    def get(self, *names: str) -> str | None:
        """The first non-empty value among ``names`` (aliases such as ``Sender``)."""
        for name in names:
            for value in self._values.get(name, ()):
                if value != "":
                    return value
        return None

    def require(self, name: str) -> str:
        """The value of a required parameter, else 400."""
        value = self.get(name)
        if value is None:
            raise missing_parameter(name)
        return value

    def integer(self, *names: str, error: ApiError | None = None) -> int | None:
        """An integer parameter; ``error`` (or a generic 400) when it is not one."""
        value = self.get(*names)
        if value is None:
            return None
        try:
            return int(value, 10)
        except ValueError:
            raise error or bad_parameter(names[0]) from None

    def boolean(self, *names: str) -> bool | None:
        """``true``/``false`` in any case, else 400."""
        value = self.get(*names)
        if value is None:
            return None
        lowered = value.lower()
        if lowered not in ("true", "false"):
            raise bad_parameter(names[0])
        return lowered == "true"

    def via(self) -> str:
        """The delivery channel; AUTO (the default) is SMS in the fake: every number is mobile."""
        value = (self.get("via") or "AUTO").upper()
        if value == "AUTO":
            return "SMS"
        if value not in CHANNELS:
            raise bad_parameter("via")
        return value

    def channel(self) -> str:
        """A template's channel (SMS when absent)."""
        value = (self.get("channel") or "SMS").upper()
        if value not in CHANNELS:
            raise bad_parameter("channel")
        return value
