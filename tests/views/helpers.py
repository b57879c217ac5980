"""Steps the view tests share: a password login, the code from the outbox, a full login."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from ..people import ALICE_BACKUP, ALICE_PRIMARY, BOB_PHONE, PASSWORD  # noqa: F401  (shared)

#: What a browser sends with a navigation or a form POST.
BROWSER_HEADERS = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}

#: Only ever set on headers of every answer of the app (S7).
NO_CACHE_DIRECTIVES = ("no-cache", "no-store", "must-revalidate", "private")


def url(name: str, **kwargs: Any) -> str:
    """A URL of the app by its short name, e.g. ``url("challenge")``."""
    return reverse(f"tyntec2fa:{name}", kwargs=kwargs or None)


def assert_never_cached(response: Any) -> None:
    """The answer carries every directive ``never_cache`` sets (S7)."""
    header = response.get("Cache-Control", "")
    for directive in NO_CACHE_DIRECTIVES:
        assert directive in header, (response.request["PATH_INFO"], header)


def wrong_code(code: str) -> str:
    """A code of the same length that differs from ``code`` in every digit."""
    return "".join(str((int(digit) + 1) % 10) for digit in code)
