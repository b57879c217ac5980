"""Why the password step sent no code, kept for the code page and the API
(``flows/refusals.py``): the wait it reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine

from django_tyntec2fa.exceptions import ProviderUnavailable
from django_tyntec2fa.flows import refusals


def test_the_wait_is_never_a_second_short_when_the_clock_ticks_over(user, make_request) -> None:
    """Kept at 12:00:00.999 with a wait of 60 s, read 2 ms later (12:00:01.001): still
    60 s (59.998 s rounded up), as the password step's own answer said. Whole seconds
    cut off when kept made it 59, and the 503's ``Retry-After`` disagreed with the
    password step's (seen in a tox cell)."""
    request: Any = make_request()
    kept_at = dt.datetime(2026, 12, 3, 12, 0, 0, 999_000, tzinfo=dt.UTC)
    with time_machine.travel(kept_at, tick=False):
        refusals.remember(request, ProviderUnavailable("cache down", retry_after=60))
    with time_machine.travel(kept_at + dt.timedelta(milliseconds=2), tick=False):
        refusal = refusals.login_refusal(request, user)
    assert refusal is not None and refusal.unavailable
    assert refusal.retry_after == 60
    with time_machine.travel(kept_at + dt.timedelta(seconds=61), tick=False):
        later = refusals.login_refusal(request, user)
    # The wait is over, but the page still answers 503 (no code went out), and every
    # 503 says when to try again (issue 23.6): at once, one second.
    assert later is not None and later.retry_after == 1
