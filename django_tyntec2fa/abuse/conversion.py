"""Conversion monitoring (P4, R4): codes sent and verified per country and per number
prefix, and temporary blocks of destinations whose codes are rarely used.

A pumping attack sends many codes that nobody enters, so the share of verified codes
(the conversion) of the destinations it targets collapses. Every code that goes out
(``challenge_sent``) and every verified code (``second_factor_verified``) is counted
for the number's country and prefix, in the rate-limit cache like the other abuse
counters (``counters``: shared and atomic across workers, P7), in buckets of a twelfth
of the window that expire with it. When a destination got at least
``TYNTEC2FA_CONVERSION_MIN_SENDS`` codes within ``TYNTEC2FA_CONVERSION_WINDOW``
seconds and fewer than ``TYNTEC2FA_CONVERSION_MIN_RATE`` of them were verified, new
sends there are refused for ``TYNTEC2FA_CONVERSION_BLOCK_SECONDS``; a block that
follows another one within a day lasts twice as long (escalation). The blocks are
rows (``DestinationBlock``, with the counts that started them), listed in the admin;
numbers, prefixes and countries on the safe list (``SafeListEntry``, edited in the
admin) get through.

Why the cache and not a table: every send and every verification counts, so a table
would take two UPDATEs and an aggregate per login, on the same few rows for every
user of a country (row-lock contention under exactly the attack this watches for).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from typing import Any

import phonenumbers
from django.db.models import Q
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from .. import audit, signals
from ..conf import app_settings
from ..exceptions import DestinationBlocked
from ..models import AuditEvent, DestinationBlock, SafeListEntry, Scope
from .counters import counter_cache, increment
from .velocity import number_prefix

logger = logging.getLogger("django_tyntec2fa.abuse")

#: The window is counted in this many buckets (each at least a minute long).
BUCKETS = 12
_KEY = "tyntec2fa:conversion"
#: A block that ended less than this long ago makes the next one twice as long.
ESCALATION_MEMORY = dt.timedelta(days=1)
#: No block is longer than this, however often it repeats.
MAX_BLOCK = dt.timedelta(days=30)
_MAX_LEVEL = 32


def destinations_of(number: str) -> list[tuple[str, str]]:
    """``[(COUNTRY, "DE"), (PREFIX, "+491512345")]`` for an E.164 number."""
    return [(Scope.COUNTRY, _region(number)), (Scope.PREFIX, number_prefix(number))]


def record_send(number: str) -> list[DestinationBlock]:
    """Count one code sent to ``number``; returns the blocks this send started."""
    now = timezone.now()
    destinations = destinations_of(number)
    _count(destinations, now, "sent")
    if app_settings.CONVERSION_MIN_SENDS <= 0:
        return []  # monitoring switched off: counted, never judged
    totals = _totals(destinations, now)
    started = []
    for scope, value in destinations:
        block = _evaluate(scope, value, now, totals[(scope, value)])
        if block is not None:
            started.append(block)
    return started


def record_verification(number: str) -> None:
    """Count one verified code of ``number``."""
    _count(destinations_of(number), timezone.now(), "verified")


def counts(number: str) -> dict[tuple[str, str], tuple[int, int]]:
    """Codes ``(sent, verified)`` within the window for the number's country and
    prefix: ``{(COUNTRY, "DE"): (120, 97), (PREFIX, "+491512345"): (3, 3)}``."""
    return _totals(destinations_of(number), timezone.now())


def check_not_blocked(number: str) -> None:
    """Raise ``DestinationBlocked`` (with ``retry_after``) while the number's country or
    prefix is blocked, unless the number is on the safe list."""
    now = timezone.now()
    block = (
        DestinationBlock.objects.filter(_where(destinations_of(number)), until__gt=now)
        .order_by("-until")
        .first()
    )
    if block is None or is_safe(number):
        return
    raise DestinationBlocked(
        f"{block.scope} {block.value} blocked, level {block.level}",
        retry_after=max(1, math.ceil((block.until - now).total_seconds())),
    )


def is_safe(number: str) -> bool:
    """True when the number, one of its prefixes or its country is on the safe list."""
    prefixes = [number[:end] for end in range(2, len(number))]
    return SafeListEntry.objects.filter(
        Q(kind=SafeListEntry.Kind.NUMBER, value=number)
        | Q(kind=SafeListEntry.Kind.PREFIX, value__in=prefixes)
        | Q(kind=SafeListEntry.Kind.COUNTRY, value=_region(number))
    ).exists()


def prune() -> int:
    """Delete blocks that no longer count for escalation; returns how many went. Run
    it from a periodic job (the counts expire in the cache by themselves)."""
    now = timezone.now()
    blocks, _ = DestinationBlock.objects.filter(until__lt=now - ESCALATION_MEMORY).delete()
    return blocks


def end_block(
    block: DestinationBlock,
    *,
    until: dt.datetime | None = None,
    request: HttpRequest | None = None,
    by: str = "an operator",
) -> bool:
    """An operator lifts ``block`` now, or (``until``) moves its end; audited. The row
    stays, so a later block of the same destination still escalates. Returns False
    when there was nothing to do: lifting a block that has already ended."""
    now = timezone.now()
    rows = DestinationBlock.objects.filter(pk=block.pk)
    if until is None:
        until, rows = now, rows.filter(until__gt=now)
    if not rows.update(until=until):
        return False
    block.until = until
    what = "lifted" if until <= now else f"set to end {until:%Y-%m-%d %H:%M:%S %Z}"
    audit.record(
        AuditEvent.Kind.CONVERSION_BLOCK,
        request=request,
        detail=f"{block.scope} {block.value} {what} by {by}"[:200],
    )
    return True


def forget_block(
    block: DestinationBlock, *, request: HttpRequest | None = None, by: str = "an operator"
) -> bool:
    """An operator deletes ``block`` (a false alarm): it ends now, and a later block of
    the same destination starts again at the first level; audited. Returns False when
    the row was gone already."""
    deleted, _per_model = DestinationBlock.objects.filter(pk=block.pk).delete()
    if deleted:
        audit.record(
            AuditEvent.Kind.CONVERSION_BLOCK,
            request=request,
            detail=f"{block.scope} {block.value} level {block.level} deleted by {by}"[:200],
        )
    return bool(deleted)


@receiver(signals.challenge_sent, dispatch_uid="tyntec2fa.conversion.sent")
def on_challenge_sent(sender: Any, device: Any, **kwargs: Any) -> None:
    """Count every code that went out, resends included (they cost the same)."""
    record_send(device.number)


@receiver(signals.second_factor_verified, dispatch_uid="tyntec2fa.conversion.verified")
def on_second_factor_verified(sender: Any, challenge: Any, **kwargs: Any) -> None:
    """Count every verified code."""
    record_verification(challenge.device.number)


def bucket_seconds() -> int:
    """Length of one counting bucket: a twelfth of the window, at least a minute."""
    return max(60, math.ceil(app_settings.CONVERSION_WINDOW / BUCKETS))


def _bucket(now: dt.datetime) -> int:
    return int(now.timestamp() // bucket_seconds())


def _key(what: str, scope: str, value: str, bucket: int) -> str:
    return f"{_KEY}:{what}:{scope}:{value}:{bucket}"


def _count(destinations: list[tuple[str, str]], now: dt.datetime, what: str) -> None:
    """Add one to ``what`` ("sent" or "verified") of each destination's bucket."""
    cache = counter_cache()
    bucket = _bucket(now)
    # Kept one bucket longer than the window, so the oldest bucket it reads is whole.
    timeout = app_settings.CONVERSION_WINDOW + bucket_seconds()
    for scope, value in destinations:
        increment(cache, _key(what, scope, value, bucket), timeout)


def _totals(
    destinations: list[tuple[str, str]], now: dt.datetime
) -> dict[tuple[str, str], tuple[int, int]]:
    """Codes sent and verified of each destination within the window: one read of
    every bucket key (``get_many``: one round trip to Redis)."""
    last = _bucket(now)
    buckets = range(
        last - math.ceil(app_settings.CONVERSION_WINDOW / bucket_seconds()) + 1, last + 1
    )
    keys = {
        (scope, value, what): [_key(what, scope, value, bucket) for bucket in buckets]
        for scope, value in destinations
        for what in ("sent", "verified")
    }
    found = counter_cache().get_many([key for names in keys.values() for key in names])

    def total(scope: str, value: str, what: str) -> int:
        return sum(int(found.get(key, 0)) for key in keys[(scope, value, what)])

    return {
        (scope, value): (total(scope, value, "sent"), total(scope, value, "verified"))
        for scope, value in destinations
    }


def _evaluate(
    scope: str, value: str, now: dt.datetime, totals: tuple[int, int]
) -> DestinationBlock | None:
    """Start a block of ``scope``/``value`` when its conversion is too low (only called
    while monitoring is on: ``record_send``)."""
    sends, verified = totals
    if (
        sends < app_settings.CONVERSION_MIN_SENDS
        or verified >= sends * app_settings.CONVERSION_MIN_RATE
    ):
        return None
    blocks = DestinationBlock.objects.filter(scope=scope, value=value)
    if blocks.filter(until__gt=now).exists():
        return None
    previous = blocks.order_by("-until").first()
    level = 1
    if previous is not None and previous.until > now - ESCALATION_MEMORY:
        level = min(previous.level + 1, _MAX_LEVEL)
    length = min(
        dt.timedelta(seconds=app_settings.CONVERSION_BLOCK_SECONDS * 2 ** (level - 1)), MAX_BLOCK
    )
    block = DestinationBlock.objects.create(
        scope=scope,
        value=value,
        created_at=now,
        until=now + length,
        level=level,
        sends=sends,
        verifications=verified,
    )
    detail = (
        f"{scope} {value} level {level} for {int(length.total_seconds())} s: {verified}/{sends}"
    )
    audit.record(AuditEvent.Kind.CONVERSION_BLOCK, detail=f"{detail} verified")
    logger.warning("tyntec2fa destination blocked for low conversion: %s verified", detail)
    return block


def _where(destinations: list[tuple[str, str]]) -> Q:
    where = Q()
    for scope, value in destinations:
        where |= Q(scope=scope, value=value)
    return where


def _region(number: str) -> str:
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(number)) or "ZZ"
    except phonenumbers.NumberParseException:
        return "ZZ"
