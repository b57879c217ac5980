"""Conversion monitoring (P4, R4): codes sent and verified per country and per number
prefix, and temporary blocks of destinations whose codes are rarely used.

A pumping attack sends many codes that nobody enters, so the share of verified codes
(the conversion) of the destinations it targets collapses. Every code that goes out
(``challenge_sent``) and every verified code (``second_factor_verified``) is counted
for the number's country and prefix, in the rate-limit cache like the other abuse
counters (``counters``: shared and atomic across workers, P7), in buckets of a twelfth
of the window that expire with it.

A block must not become a button that switches codes off for a whole country, so:

- a **trusted phone** (confirmed, and it has verified a code before: its owner proved
  it is theirs, and pumping needs fresh numbers) is never blocked, and its codes do not
  count (``is_trusted``);
- sends are **weighed by who triggered them**: only the first ``ACTOR_SHARE`` codes of
  one account, browser session or IP within the window count; more are that actor's
  problem, which the velocity limits (``ratelimits``) answer;
- the **narrowest destination first**: a prefix is blocked after
  ``TYNTEC2FA_CONVERSION_MIN_SENDS`` counted codes, a country only after
  ``TYNTEC2FA_CONVERSION_COUNTRY_MIN_SENDS`` (``0``: never), a floor that rises to the
  country's normal traffic (its codes per window over the day before,
  ``country_floor``), and never by the same send that blocked a prefix.

When a destination reached its floor within ``TYNTEC2FA_CONVERSION_WINDOW`` seconds and
fewer than ``TYNTEC2FA_CONVERSION_MIN_RATE`` of its counted codes were verified, new
sends there are refused for ``TYNTEC2FA_CONVERSION_BLOCK_SECONDS``; a block that
follows another one within a day lasts twice as long (escalation). The blocks are
rows (``DestinationBlock``, with the counts that started them), listed in the admin
with the prefixes, accounts and IPs behind them (``reasons``); numbers, prefixes and
countries on the safe list (``SafeListEntry``, edited in the admin) get through.

Why the cache and not a table: every send and every verification counts, so a table
would take two UPDATEs and an aggregate per login, on the same few rows for every
user of a country (row-lock contention under exactly the attack this watches for).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

import phonenumbers
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from .. import signals
from ..conf import app_settings
from ..core import audit
from ..exceptions import DestinationBlocked
from ..models import AuditEvent, Challenge, DestinationBlock, SafeListEntry, Scope
from .counters import CACHE_ERRORS, counter_cache, increment
from .ratelimits import ip_key
from .velocity import number_prefix, session_bucket

logger = logging.getLogger("django_tyntec2fa.abuse")

#: The window is counted in this many buckets (each at least a minute long).
BUCKETS = 12
_KEY = "tyntec2fa:conversion"
#: A block that ended less than this long ago makes the next one twice as long.
ESCALATION_MEMORY = dt.timedelta(days=1)
#: No block is longer than this, however often it repeats.
MAX_BLOCK = dt.timedelta(days=30)
_MAX_LEVEL = 32
#: Codes one account, browser session or IP sends within the window that count toward
#: a block; the rest are that actor's problem (the velocity limits), not the country's.
ACTOR_SHARE = 3
#: Hours of a country's codes that give its normal traffic (``country_floor``).
BASELINE_HOURS = 24
#: Audit rows read to explain a block (``reasons``), the newest first.
_EVIDENCE_ROWS = 5000


def is_trusted(device: Any) -> bool:
    """True for a stored, confirmed phone that has verified a code before: no block
    stops its codes, and they do not count toward one."""
    return bool(
        getattr(device, "pk", None) and device.confirmed and device.last_used_at is not None
    )


def actors_of(request: HttpRequest | None, user: Any) -> list[str]:
    """The account, browser session and IP that triggered a send, as counter keys."""
    actors = []
    if user is not None and getattr(user, "pk", None) is not None:
        actors.append(f"user:{user.pk}")
    if request is not None:
        bucket = session_bucket(request)
        if bucket is not None:
            actors.append(f"session:{bucket}")
        actors.append(ip_key(request))
    return actors


def destinations_of(number: str) -> list[tuple[str, str]]:
    """``[(COUNTRY, "DE"), (PREFIX, "+491512345")]`` for an E.164 number."""
    return [(Scope.COUNTRY, _region(number)), (Scope.PREFIX, number_prefix(number))]


def record_send(
    number: str,
    *,
    actors: Iterable[str] = (),
    trusted: bool = False,
    challenge_id: int | None = None,
) -> list[DestinationBlock]:
    """Count one code sent to ``number`` by ``actors`` (``actors_of``); returns the
    blocks this send started. Every code counts toward the country's normal traffic;
    a ``trusted`` phone's code, or one beyond an actor's share, toward nothing else.
    ``challenge_id`` remembers that the challenge counted, so its verification does."""
    now = timezone.now()
    _count_traffic(number, now)
    if trusted or not _within_share(actors):
        return []
    destinations = destinations_of(number)
    _count(destinations, now, "sent")
    if challenge_id is not None:
        counter_cache().set(_counted_key(challenge_id), 1, app_settings.CONVERSION_WINDOW)
    if app_settings.CONVERSION_MIN_SENDS <= 0:
        return []  # monitoring switched off: counted, never judged
    totals = _totals(destinations, now)
    # The narrowest destination first: a send that blocks its prefix does not also
    # block its country.
    for scope, value in sorted(destinations, key=lambda item: item[0] != Scope.PREFIX):
        block = _evaluate(scope, value, now, totals[(scope, value)])
        if block is not None:
            return [block]
    return []


def record_verification(number: str, *, challenge_id: int | None = None) -> None:
    """Count one verified code of ``number``; with ``challenge_id``, only when that
    challenge's send counted (``record_send``)."""
    if challenge_id is not None and not counter_cache().get(_counted_key(challenge_id)):
        return
    _count(destinations_of(number), timezone.now(), "verified")


def country_floor(country: str) -> int:
    """Counted codes to ``country`` within the window before a low conversion blocks
    it: ``CONVERSION_COUNTRY_MIN_SENDS``, or the country's normal traffic (every code
    sent there per window, averaged over the ``BASELINE_HOURS`` before this hour) when
    that is more."""
    hour = _hour(timezone.now())
    keys = [_traffic_key(country, hour - back) for back in range(1, BASELINE_HOURS + 1)]
    sent = sum(int(value) for value in counter_cache().get_many(keys).values())
    normal = math.ceil(sent / BASELINE_HOURS * app_settings.CONVERSION_WINDOW / 3600)
    return max(app_settings.CONVERSION_COUNTRY_MIN_SENDS, normal)


def reasons(block: DestinationBlock, limit: int = 5) -> dict[str, list[tuple[str, int]]]:
    """Why ``block`` exists: the prefixes, accounts and IPs that sent the most codes to
    its destination in the window before it started, from the audit trail and the
    challenges (a phone removed since is not counted). Numbers never appear."""
    since = block.created_at - dt.timedelta(seconds=app_settings.CONVERSION_WINDOW)
    events = list(
        AuditEvent.objects.filter(
            kind__in=(AuditEvent.Kind.CHALLENGE_SENT, AuditEvent.Kind.CHALLENGE_RESENT),
            created_at__gte=since,
            created_at__lte=block.created_at,
            challenge_id__isnull=False,
        )
        .order_by("-created_at")
        .values_list("challenge_id", "user_id", "ip")[:_EVIDENCE_ROWS]
    )
    numbers = dict(
        Challenge.objects.filter(
            pk__in={event[0] for event in events}, device__isnull=False
        ).values_list("pk", "device__number")
    )
    prefixes: Counter[str] = Counter()
    users: Counter[Any] = Counter()
    ips: Counter[str] = Counter()
    for challenge_id, user_id, ip in events:
        number = numbers.get(challenge_id)
        if number is None or (block.scope, block.value) not in destinations_of(number):
            continue
        prefixes[number_prefix(number)] += 1
        users[user_id] += 1
        ips[ip or "unknown"] += 1
    top_users = _top(users, limit)
    names = {
        user.pk: user.get_username()
        for user in get_user_model().objects.filter(pk__in=[pk for pk, _n in top_users])
    }
    return {
        "prefixes": _top(prefixes, limit),
        "accounts": [
            (f"{names.get(pk, '?')} (id {pk})" if pk else "none", count) for pk, count in top_users
        ],
        "ips": _top(ips, limit),
    }


def _top(counts: Counter[Any], limit: int) -> list[tuple[Any, int]]:
    """The ``limit`` most common, ties in the order of their names (stable output)."""
    return sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))[:limit]


def describe_reasons(block: DestinationBlock) -> str:
    """``reasons`` as one line each for the admin and ``tyntec2fa_status``."""
    found = reasons(block)
    lines = [f"{block.verifications} of {block.sends} counted code(s) verified when it started"]
    for what, top in found.items():
        listed = ", ".join(f"{name} ({count})" for name, count in top) or "none found"
        lines.append(f"top {what}: {listed}")
    return "\n".join(lines)


def counts(number: str) -> dict[tuple[str, str], tuple[int, int]]:
    """Codes ``(sent, verified)`` within the window for the number's country and
    prefix: ``{(COUNTRY, "DE"): (120, 97), (PREFIX, "+491512345"): (3, 3)}``."""
    return _totals(destinations_of(number), timezone.now())


def check_not_blocked(number: str, *, trusted: bool = False, user: Any = None) -> None:
    """Raise ``DestinationBlocked`` (with ``retry_after``) while the number's country or
    prefix is blocked, unless the phone is ``trusted`` (``is_trusted``), the number is
    on the safe list, or ``user`` is an account the block does not concern
    (``is_established``)."""
    if trusted:
        return
    now = timezone.now()
    block = (
        DestinationBlock.objects.filter(_where(destinations_of(number)), until__gt=now)
        .order_by("-until")
        .first()
    )
    if block is None or is_safe(number) or is_established(user, block):
        return
    raise DestinationBlocked(
        f"{block.scope} {block.value} blocked, level {block.level}",
        retry_after=max(1, math.ceil((block.until - now).total_seconds())),
    )


def is_established(user: Any, block: DestinationBlock) -> bool:
    """True when ``block`` does not refuse ``user``'s codes (issue 23.3): the account
    existed before the window whose codes started the block (its ``date_joined`` is
    older than ``created_at - CONVERSION_WINDOW``), and none of its own challenges in
    that window went to the blocked destination.

    A block is started by whoever sends the unverified codes; a handful of fresh
    accounts must not switch codes off for everyone else with a number in the range.
    Accounts made for the attack are young, an older one that joined in is one of the
    senders: both stay refused, like every account that joins while the block lasts.
    A user model without ``date_joined`` makes every account subject to blocks."""
    joined = getattr(user, "date_joined", None)
    if user is None or getattr(user, "pk", None) is None or joined is None:
        return False
    since = block.created_at - dt.timedelta(seconds=app_settings.CONVERSION_WINDOW)
    if joined >= since:
        return False
    # Only the window before the block: its own codes since then (it is let through)
    # do not make it a sender.
    sent = Challenge.objects.filter(
        user_id=user.pk,
        created_at__gte=since,
        created_at__lte=block.created_at,
        device__isnull=False,
    ).values_list("device__number", flat=True)
    return not any((block.scope, block.value) in destinations_of(number) for number in sent)


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
def on_challenge_sent(
    sender: Any,
    device: Any,
    request: HttpRequest | None = None,
    user: Any = None,
    challenge: Any = None,
    **kwargs: Any,
) -> None:
    """Count every code that went out, resends included (they cost the same)."""
    try:
        record_send(
            device.number,
            actors=actors_of(request, user),
            trusted=is_trusted(device),
            challenge_id=getattr(challenge, "pk", None),
        )
    except CACHE_ERRORS as error:
        # The code went out: a lost count must not turn the answer into a 500.
        logger.error("conversion: a sent code was not counted (%s)", type(error).__name__)


@receiver(signals.second_factor_verified, dispatch_uid="tyntec2fa.conversion.verified")
def on_second_factor_verified(sender: Any, challenge: Any, **kwargs: Any) -> None:
    """Count a verified code whose send counted."""
    if challenge.device is not None:
        try:
            record_verification(challenge.device.number, challenge_id=challenge.pk)
        except CACHE_ERRORS as error:
            # The code was right: a lost count must not turn the login into a 500.
            logger.error("conversion: a verified code was not counted (%s)", type(error).__name__)


def bucket_seconds() -> int:
    """Length of one counting bucket: a twelfth of the window, at least a minute."""
    return max(60, math.ceil(app_settings.CONVERSION_WINDOW / BUCKETS))


def _bucket(now: dt.datetime) -> int:
    return int(now.timestamp() // bucket_seconds())


def _key(what: str, scope: str, value: str, bucket: int) -> str:
    return f"{_KEY}:{what}:{scope}:{value}:{bucket}"


def _hour(now: dt.datetime) -> int:
    return int(now.timestamp() // 3600)


def _traffic_key(country: str, hour: int) -> str:
    return f"{_KEY}:traffic:{country}:{hour}"


def _counted_key(challenge_id: int) -> str:
    return f"{_KEY}:counted:{challenge_id}"


def _count_traffic(number: str, now: dt.datetime) -> None:
    """Add one to the country's hourly count of every code (its normal traffic)."""
    key = _traffic_key(_region(number), _hour(now))
    increment(counter_cache(), key, (BASELINE_HOURS + 2) * 3600)


def _within_share(actors: Iterable[str]) -> bool:
    """Count one send for each actor; False when one of them is past ``ACTOR_SHARE``
    within the window (every actor is counted, so the order does not matter)."""
    cache = counter_cache()
    window = app_settings.CONVERSION_WINDOW
    counts = [increment(cache, f"{_KEY}:actor:{actor}", window) for actor in actors]
    return all(count <= ACTOR_SHARE for count in counts)


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
    if verified >= sends * app_settings.CONVERSION_MIN_RATE:
        return None
    if scope == Scope.PREFIX:
        if sends < app_settings.CONVERSION_MIN_SENDS:
            return None
    elif not 0 < app_settings.CONVERSION_COUNTRY_MIN_SENDS <= sends or sends < country_floor(value):
        return None  # 0: no country blocks; the floor is read only once it may matter
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
