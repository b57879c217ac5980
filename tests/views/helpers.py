"""What the view tests share besides the login steps (tests/steps.py): the browser's
headers, the app's URLs, a wrong code."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from ..people import ALICE_BACKUP, ALICE_PRIMARY, BOB_PHONE, PASSWORD  # noqa: F401  (shared)

#: What a browser sends with a navigation or a form POST.
BROWSER_HEADERS = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def url(name: str, **kwargs: Any) -> str:
    """A URL of the app by its short name, e.g. ``url("challenge")``."""
    return reverse(f"tyntec2fa:{name}", kwargs=kwargs or None)
