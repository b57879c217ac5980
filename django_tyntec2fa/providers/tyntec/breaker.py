"""The circuit breaker around every tyntec call, shared by all workers through the
rate-limit cache (``counters.counter_cache``), as the rate limits are.

States, kept in three cache keys:

* **closed** (no ``open`` key): calls go out. Each call that says "tyntec is unwell"
  (a timeout, a connection failure, HTTP 429 or 5xx) adds one to ``failures``; any other
  answer, including every answer about a code or a number (401/403/404/410 of a check, a
  400 for a bad number), deletes it. ``BREAKER_FAILURES`` failures in a row, each less than
  ``BREAKER_WINDOW`` seconds after the previous one, open the breaker.
* **open** (``open`` holds the time the cool-off ends): every call fails at once with
  ``CircuitOpen`` (a ``ProviderUnavailable``) and its ``retry_after``, without a network call.
* **half-open** (the cool-off is over): one worker wins ``probe`` (``cache.add``) and
  calls; the others still fail fast. Success closes the breaker, a failure opens it
  for another cool-off.

Opening and closing are written once (by the worker whose ``add`` or ``delete`` changed
the state): an audit row, the ``provider_circuit_opened``/``_closed`` signal and a log
line. A cache that cannot be reached leaves the breaker closed for that call (logged):
the rate limits refuse every send and check then anyway (``counters.limits_reachable``).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from ... import signals
from ...abuse.counters import CACHE_ERRORS, counter_cache, increment
from ...conf import app_settings
from ...exceptions import CircuitOpen

logger = logging.getLogger("django_tyntec2fa.abuse.breaker")  # its name before the move

_KEY = "tyntec2fa:breaker"
OPEN_KEY, FAILURES_KEY, PROBE_KEY = f"{_KEY}:open", f"{_KEY}:failures", f"{_KEY}:probe"
#: How long an ``open`` key outlives its cool-off: long enough that only a probe closes it.
_OPEN_KEPT = 24 * 3600


@dataclass(frozen=True)
class Ticket:
    """What ``admit`` saw, so ``success`` writes only when there is something to change."""

    failures: int = 0
    probe: bool = False
    enabled: bool = True


@dataclass(frozen=True)
class State:
    """The breaker as ``tyntec2fa_status`` shows it."""

    name: str  # "closed", "open", "half-open", "off" or "unknown" (cache unreachable)
    failures: int = 0
    retry_after: int | None = None


def admit() -> Ticket:
    """Let one tyntec call through, or raise ``ProviderUnavailable`` with ``retry_after``
    while the breaker is open (and, half-open, for every worker but the probe).
    Raises ``CircuitOpen``, a ``ProviderUnavailable``."""
    if app_settings.BREAKER_FAILURES <= 0:
        return Ticket(enabled=False)
    cache = counter_cache()
    try:
        found = cache.get_many([OPEN_KEY, FAILURES_KEY])
        until = found.get(OPEN_KEY)
        if until is None:
            return Ticket(failures=int(found.get(FAILURES_KEY) or 0))
        wait = float(until) - time.time()
        if wait <= 0 and cache.add(PROBE_KEY, 1, timeout=_probe_seconds()):
            return Ticket(failures=int(found.get(FAILURES_KEY) or 0), probe=True)
    except CACHE_ERRORS as error:
        logger.warning("tyntec circuit breaker: cache unreachable (%s)", type(error).__name__)
        return Ticket(enabled=False)
    retry_after = max(1, math.ceil(wait)) if wait > 0 else max(1, math.ceil(_probe_seconds()))
    raise CircuitOpen("circuit breaker open", retry_after=retry_after)


def refuse_while_open() -> None:
    """Raise ``CircuitOpen`` while the breaker is open (not once it is half-open): the
    send defences ask first, so a send that cannot go out costs the user none of their
    rate limits. Read only; an unreachable cache raises nothing here."""
    if app_settings.BREAKER_FAILURES <= 0:
        return
    try:
        until = counter_cache().get(OPEN_KEY)
    except CACHE_ERRORS:
        return
    wait = float(until) - time.time() if until is not None else 0.0
    if wait > 0:
        raise CircuitOpen("circuit breaker open", retry_after=max(1, math.ceil(wait)))


def success(ticket: Ticket, *, sender: Any = None) -> None:
    """tyntec answered (anything but 429/5xx): forget the failures; a probe closes."""
    if not ticket.enabled or (ticket.failures == 0 and not ticket.probe):
        return
    cache = counter_cache()
    closed = False
    try:
        cache.delete(FAILURES_KEY)
        if ticket.probe:
            cache.delete(PROBE_KEY)
            closed = cache.delete(OPEN_KEY)
    except CACHE_ERRORS as error:
        logger.warning("tyntec circuit breaker: cache unreachable (%s)", type(error).__name__)
        return
    if closed:
        logger.warning("tyntec circuit breaker closed: the probe call succeeded")
        _audit("BREAKER_CLOSED", "probe succeeded")
        signals.provider_circuit_closed.send(sender=sender)


def failure(ticket: Ticket, reason: str, *, sender: Any = None) -> None:
    """tyntec is unwell (timeout, connection failure, 429, 5xx): count it; open the
    breaker at ``BREAKER_FAILURES`` in a row, or again at once after a failed probe."""
    if not ticket.enabled:
        return
    cache = counter_cache()
    cool_off = app_settings.BREAKER_COOL_OFF
    try:
        failures = increment(cache, FAILURES_KEY, app_settings.BREAKER_WINDOW)
        if ticket.probe:
            cache.set(OPEN_KEY, time.time() + cool_off, timeout=cool_off + _OPEN_KEPT)
            cache.delete(PROBE_KEY)
            logger.warning("tyntec circuit breaker stays open: the probe failed (%s)", reason)
            return
        if failures < app_settings.BREAKER_FAILURES:
            return
        opened = cache.add(OPEN_KEY, time.time() + cool_off, timeout=cool_off + _OPEN_KEPT)
    except CACHE_ERRORS as error:
        logger.warning("tyntec circuit breaker: cache unreachable (%s)", type(error).__name__)
        return
    if opened:
        detail = f"{failures} failures in a row, last: {reason}; cool-off {cool_off} s"
        logger.error("tyntec circuit breaker opened: %s", detail)
        _audit("BREAKER_OPENED", detail)
        signals.provider_circuit_opened.send(sender=sender, failures=failures, retry_after=cool_off)


def neutral(ticket: Ticket) -> None:
    """Neither a sign of health nor of sickness (our own configuration refused the call):
    a probe gives its turn to the next request."""
    if ticket.probe:
        try:
            counter_cache().delete(PROBE_KEY)
        except CACHE_ERRORS:
            pass  # the probe key expires by itself


def state() -> State:
    """The breaker's state for operators; never raises for an unreachable cache."""
    if app_settings.BREAKER_FAILURES <= 0:
        return State("off")
    try:
        found = counter_cache().get_many([OPEN_KEY, FAILURES_KEY])
    except CACHE_ERRORS:
        return State("unknown")
    failures = int(found.get(FAILURES_KEY) or 0)
    until = found.get(OPEN_KEY)
    if until is None:
        return State("closed", failures)
    wait = float(until) - time.time()
    if wait <= 0:
        return State("half-open", failures)
    return State("open", failures, max(1, math.ceil(wait)))


def reset() -> None:
    """Close the breaker and forget its failures (tests, an operator after a fix)."""
    counter_cache().delete_many([OPEN_KEY, FAILURES_KEY, PROBE_KEY])


def _probe_seconds() -> float:
    """How long the probe may take before another worker may probe: one call with
    its retries, plus a second."""
    connect, read = app_settings.TIMEOUT
    return (connect + read) * (max(0, app_settings.SEND_RETRIES) + 1) + 1


def _audit(kind: str, detail: str) -> None:
    """An audit row for opening or closing. Imported here, not at the top: the provider
    (and so this module) is importable without the app's models, e.g. a
    ``TyntecProvider`` used on its own; only a change of state needs the database.
    A site without the app in ``INSTALLED_APPS`` (``contrib.two_factor``) has no audit
    table: it keeps the log line and the signal."""
    from django.apps import apps

    if not apps.is_installed("django_tyntec2fa"):
        return
    from ...core import audit
    from ...models import AuditEvent

    audit.record(AuditEvent.Kind[kind], detail=detail)
