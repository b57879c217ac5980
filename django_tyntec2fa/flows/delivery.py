"""What happened to a code on its way to the phone: ``sent``, ``delivered`` or ``failed``.

The state is read from the provider's delivery events of the challenge's OTP
(``Provider.events``). Only an event's ``status`` decides: ``"success"`` is delivered,
``"failed"`` is failed; a ``null`` status, or one this app does not know, leaves the
code "sent", whatever the event's ``type`` (tyntec publishes no list of types). The
newest deciding event wins. After a resend, events older than the resend (less
``CLOCK_SKEW`` for the provider's clock) are about an earlier message and are not read,
so "call me instead" starts again at "sent".

Asking costs a call to tyntec and many browsers may poll one challenge, so the answers
go through Django's cache (the rate-limit cache, which every worker shares):

- one record per challenge holds the last known state and when the provider was last
  asked; a send writes "sent" into it, so the code page right after a send reads one
  cache key and never calls tyntec;
- the provider is asked at most once per ``INTERVAL`` seconds per challenge: only the
  request whose atomic ``cache.add`` of a short lock succeeds asks, the others report
  the record;
- never while the circuit breaker is open, nor once the message is delivered; a
  provider error or an unreachable cache keeps the last known state.

``flows/fallback.py`` turns the state into the "call me instead" offer and call.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import time
from dataclasses import dataclass
from typing import Any

from ..abuse.counters import CACHE_ERRORS, counter_cache
from ..conf import app_settings
from ..exceptions import ProviderError
from ..models import Challenge
from ..providers import OtpEvent, get_provider
from ..providers.tyntec import breaker

logger = logging.getLogger("django_tyntec2fa.flows")

#: Seconds between two calls for the events of one challenge, whatever the polls.
INTERVAL = 3
#: Seconds an event may seem older than the send it reports on (the provider's clock).
CLOCK_SKEW = 2
_KEY = "tyntec2fa:delivery"


class DeliveryState(enum.StrEnum):
    """What is known about the last message of a challenge."""

    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"


#: An event's ``status`` and the state it means; any other status decides nothing.
_STATUSES = {"success": DeliveryState.DELIVERED, "failed": DeliveryState.FAILED}


@dataclass(frozen=True)
class Known:
    """The last known state of a challenge's last message and when it began."""

    state: DeliveryState
    #: The send, or the deciding event's time.
    since: dt.datetime
    #: The send itself, epoch seconds.
    sent: float


def state_of(
    events: list[OtpEvent], since: dt.datetime | None = None
) -> tuple[DeliveryState, dt.datetime | None]:
    """The state ``events`` report and the time of the deciding event; events before
    ``since`` (less ``CLOCK_SKEW``) are ignored. ``(SENT, None)`` when none decides."""
    floor = since - dt.timedelta(seconds=CLOCK_SKEW) if since is not None else None
    for event in sorted(events, key=lambda item: item.created, reverse=True):
        if floor is not None and event.created < floor:
            break
        state = _STATUSES.get(event.status or "")
        if state is not None:
            return state, event.created
    return DeliveryState.SENT, None


def record_sent(challenge: Challenge) -> None:
    """A message of ``challenge`` went out: it is "sent", and the provider is not asked
    about it for ``INTERVAL`` seconds. Best effort: without the record it is "sent" too."""
    try:
        counter_cache().set(_key(challenge), _fresh(challenge), timeout=_lifetime())
    except CACHE_ERRORS as error:
        logger.warning("Delivery of challenge %s not recorded: %s", challenge.pk, error)


def known(challenge: Challenge, *, refresh: bool = True) -> Known:
    """The delivery of ``challenge``'s last message: the cached state, or the provider's
    when ``refresh`` and the cached one is ``INTERVAL`` seconds old. One cache read when
    nothing is due; never raises for the provider or the cache."""
    record = _read(challenge)
    if refresh and record is not None and _due(record):
        record = _ask_provider(challenge, record)
    if record is None:  # the cache cannot be reached: what the send said
        record = _fresh(challenge)
    return Known(
        state=DeliveryState(record["state"]),
        since=dt.datetime.fromtimestamp(record["at"], tz=dt.UTC),
        sent=record["sent"],
    )


# --- the cache ----------------------------------------------------------------------


def _key(challenge: Challenge) -> str:
    return f"{_KEY}:{challenge.pk}"


def _sent_at(challenge: Challenge) -> float:
    moment = challenge.last_sent_at or challenge.created_at
    return moment.timestamp()


def _lifetime() -> int:
    """A record outlives the code it is about, and not much more."""
    return app_settings.OTP_TTL + 60


def _fresh(challenge: Challenge) -> dict[str, Any]:
    """The record of a message just sent: "sent", the provider not asked yet."""
    sent = _sent_at(challenge)
    return {"sent": sent, "channel": challenge.channel, "state": "sent", "at": sent, "asked": sent}


def _read(challenge: Challenge) -> dict[str, Any] | None:
    """The record of the challenge's last message (a fresh one when the cache holds
    none, or one about an earlier message); None when the cache cannot be reached."""
    try:
        record = counter_cache().get(_key(challenge))
    except CACHE_ERRORS as error:
        logger.warning("Delivery of challenge %s: cache unreachable (%s)", challenge.pk, error)
        return None
    current = isinstance(record, dict) and (record.get("sent"), record.get("channel")) == (
        _sent_at(challenge),
        challenge.channel,
    )
    return record if current else _fresh(challenge)


def _due(record: dict[str, Any]) -> bool:
    """Not delivered yet, and the provider was last asked ``INTERVAL`` seconds ago."""
    return record["state"] != DeliveryState.DELIVERED and time.time() - record["asked"] >= INTERVAL


def _ask_provider(challenge: Challenge, record: dict[str, Any]) -> dict[str, Any]:
    """Ask the provider for the events when this request wins the lock and the breaker
    is not open; returns the record to report (the old one when nothing was learnt)."""
    if challenge.is_phantom:
        return record  # no message at the provider (``start``'s phantom): stays "sent"
    cache = counter_cache()
    lock = f"{_key(challenge)}:{int(record['sent'] * 1000)}:lock"
    try:
        breaker.refuse_while_open()
        if not cache.add(lock, 1, timeout=INTERVAL):
            return record  # another request asked less than INTERVAL seconds ago
    except ProviderError:
        return record  # the breaker is open: no call to tyntec
    except CACHE_ERRORS as error:
        logger.warning("Delivery of challenge %s: cache unreachable (%s)", challenge.pk, error)
        return record  # without the lock, no call
    updated = {**record, "asked": time.time()}
    try:
        events = get_provider().events(challenge.provider_otp_id)
    except ProviderError as error:
        logger.info("Delivery of challenge %s not known: %s", challenge.pk, error.code)
    else:
        # The first message's events are all its own; a resend's start at the resend.
        since = (
            None
            if challenge.resend_count == 0
            else dt.datetime.fromtimestamp(record["sent"], tz=dt.UTC)
        )
        state, at = state_of(events, since)
        if at is not None:
            updated.update(state=state.value, at=at.timestamp())
    try:
        cache.set(_key(challenge), updated, timeout=_lifetime())
    except CACHE_ERRORS as error:
        logger.warning("Delivery of challenge %s not stored: %s", challenge.pk, error)
    return updated
