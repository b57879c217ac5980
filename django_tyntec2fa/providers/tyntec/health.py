"""Does the provider answer? One cheap read, for ``tyntec2fa_status --provider`` and the
django-health-check backend (``django_tyntec2fa.contrib.health_check``).

For tyntec the read is ``GET /2fa/v1/application`` (no code is sent, nothing is
spent), through the circuit breaker: while it is open the answer is "circuit open"
at once, without a network call. A provider without a network (the local one) answers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ...exceptions import CircuitOpen, ProviderError
from ..registry import get_provider


@dataclass(frozen=True)
class Health:
    """``ok`` when the provider answered; ``summary`` says what happened, for operators."""

    ok: bool
    summary: str


def provider_health() -> Health:
    """Ask the configured provider one cheap question; never raises a provider error."""
    provider = get_provider()
    probe = getattr(provider, "list_applications", None)
    if probe is None:
        return Health(True, f"{type(provider).__name__} answers (no network)")
    started = time.monotonic()
    try:
        probe()
    except CircuitOpen as error:
        return Health(False, f"circuit open, next probe in {error.retry_after} s")
    except ProviderError as error:
        return Health(False, f"{type(error).__name__}: {error.detail}")
    elapsed = (time.monotonic() - started) * 1000
    return Health(True, f"{type(provider).__name__} answers ({elapsed:.0f} ms)")
