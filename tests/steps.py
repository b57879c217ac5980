"""The steps of a login that the suites share, defined once: the code from the outbox.

``tests/conftest.py`` offers each step as a fixture of the same name, so a test asks
for ``last_code`` like for ``client``; a plain helper that is not a test imports the
function from here (``from tests import steps``).
"""

from __future__ import annotations

from collections.abc import Callable

from django_tyntec2fa.providers import sinks

#: The type of the ``last_code`` fixture.
LastCode = Callable[..., str]


def last_code(number: str | None = None) -> str:
    """The code of the newest message in the outbox (to ``number``, when given)."""
    for delivery in reversed(sinks.outbox):
        if number is None or delivery.number == number:
            return delivery.code
    raise AssertionError(f"no message in the outbox for {number!r}")
