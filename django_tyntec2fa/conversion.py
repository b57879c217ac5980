"""Conversion monitoring (P4, R4): codes sent and verified per country and per number
prefix, and temporary blocks of destinations whose codes are rarely used.

A pumping attack sends many codes that nobody enters, so the share of verified codes
(the conversion) of the destinations it targets collapses. Every code that goes out
(``challenge_sent``) and every verified code (``second_factor_verified``) is counted
in 5-minute buckets for the number's country and prefix. When a destination got at
least ``TYNTEC2FA_CONVERSION_MIN_SENDS`` codes within ``TYNTEC2FA_CONVERSION_WINDOW``
seconds and fewer than ``TYNTEC2FA_CONVERSION_MIN_RATE`` of them were verified, new
sends there are refused for ``TYNTEC2FA_CONVERSION_BLOCK_SECONDS``; a block that
follows another one within a day lasts twice as long (escalation). Numbers, prefixes
and countries on the safe list (``SafeListEntry``, edited in the admin) get through.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from typing import Any

import phonenumbers
from django.db.models import F, Q, Sum
from django.dispatch import receiver
from django.utils import timezone

from . import audit, signals
from .conf import app_settings
from .exceptions import DestinationBlocked
from .models import AuditEvent, ConversionCounter, DestinationBlock, SafeListEntry, Scope
from .velocity import number_prefix

logger = logging.getLogger("django_tyntec2fa.abuse")

BUCKET_SECONDS = 300
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
    _bump(destinations, now, "sends")
    totals = _totals(destinations, now) if app_settings.CONVERSION_MIN_SENDS > 0 else {}
    started = []
    for scope, value in destinations:
        block = _evaluate(scope, value, now, totals.get((scope, value), (0, 0)))
        if block is not None:
            started.append(block)
    return started


def record_verification(number: str) -> None:
    """Count one verified code of ``number``."""
    _bump(destinations_of(number), timezone.now(), "verifications")


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
    """Delete counters older than the window and blocks that no longer count for
    escalation; returns how many rows went. Run it from a periodic job."""
    now = timezone.now()
    old = now - dt.timedelta(seconds=app_settings.CONVERSION_WINDOW + BUCKET_SECONDS)
    counters, _ = ConversionCounter.objects.filter(bucket__lt=old).delete()
    blocks, _ = DestinationBlock.objects.filter(until__lt=now - ESCALATION_MEMORY).delete()
    return counters + blocks


@receiver(signals.challenge_sent, dispatch_uid="tyntec2fa.conversion.sent")
def on_challenge_sent(sender: Any, device: Any, **kwargs: Any) -> None:
    """Count every code that went out, resends included (they cost the same)."""
    record_send(device.number)


@receiver(signals.second_factor_verified, dispatch_uid="tyntec2fa.conversion.verified")
def on_second_factor_verified(sender: Any, challenge: Any, **kwargs: Any) -> None:
    """Count every verified code."""
    record_verification(challenge.device.number)


def _bump(destinations: list[tuple[str, str]], now: dt.datetime, field: str) -> None:
    """Add one to ``field`` of each destination's current bucket: one UPDATE for all
    of them while their buckets exist (the usual case); missing buckets are created.
    F() + 1: parallel workers never lose a count."""
    start = now.timestamp() // BUCKET_SECONDS * BUCKET_SECONDS
    bucket = dt.datetime.fromtimestamp(start, tz=dt.UTC)
    increment = {field: F(field) + 1}
    counted = ConversionCounter.objects.filter(_where(destinations), bucket=bucket).update(
        **increment
    )
    if counted == len(destinations):
        return
    # A bucket's first code. The UPDATE counted the rows that existed then; rows this
    # call creates were not among them, so they get their count now.
    found = []
    for scope, value in destinations:
        row, created = ConversionCounter.objects.get_or_create(
            scope=scope, value=value, bucket=bucket
        )
        if created:
            ConversionCounter.objects.filter(pk=row.pk).update(**increment)
        else:
            found.append(row.pk)
    missed = len(found) - counted
    if missed > 0:
        # Parallel workers created rows between the UPDATE and get_or_create: that
        # many found rows were not counted above. Which ones is unknown only when the
        # UPDATE counted some (two first codes of a bucket at once); the most likely
        # new rows, the prefixes, come last in ``destinations``.
        ConversionCounter.objects.filter(pk__in=found[-missed:]).update(**increment)


def _where(destinations: list[tuple[str, str]]) -> Q:
    where = Q()
    for scope, value in destinations:
        where |= Q(scope=scope, value=value)
    return where


def _totals(
    destinations: list[tuple[str, str]], now: dt.datetime
) -> dict[tuple[str, str], tuple[int, int]]:
    """Sends and verifications of each destination within the window, in one query."""
    since = now - dt.timedelta(seconds=app_settings.CONVERSION_WINDOW)
    rows = (
        ConversionCounter.objects.filter(_where(destinations), bucket__gte=since)
        .values("scope", "value")
        .annotate(sends=Sum("sends"), verified=Sum("verifications"))
        .order_by()
    )
    return {(row["scope"], row["value"]): (row["sends"] or 0, row["verified"] or 0) for row in rows}


def _evaluate(
    scope: str, value: str, now: dt.datetime, totals: tuple[int, int]
) -> DestinationBlock | None:
    """Start a block of ``scope``/``value`` when its conversion is too low."""
    min_sends = app_settings.CONVERSION_MIN_SENDS
    if min_sends <= 0:
        return None  # monitoring switched off
    sends, verified = totals
    if sends < min_sends or verified >= sends * app_settings.CONVERSION_MIN_RATE:
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


def _region(number: str) -> str:
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(number)) or "ZZ"
    except phonenumbers.NumberParseException:
        return "ZZ"
