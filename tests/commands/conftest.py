"""Fixtures of the management-command tests."""

from __future__ import annotations

from io import StringIO
from typing import Any

from django.core.management import call_command

from ..rows import MASKED, NUMBER, alice, device, make_challenge  # noqa: F401  (shared)


def run(name: str, *args: str, **options: Any) -> tuple[str, str]:
    """Run a command; returns (stdout, stderr)."""
    out, err = StringIO(), StringIO()
    call_command(name, *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()
