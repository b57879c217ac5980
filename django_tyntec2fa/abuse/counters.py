"""Counters in the rate-limit cache (``RATELIMIT_USE_CACHE``): the send budget
(``velocity``) and conversion monitoring (``conversion``) count here, as the rate
limits do. ``cache.add`` + ``cache.incr`` are atomic in Redis and Memcached, so every
worker shares one count (P7, checked at start-up); each count expires with its window,
so nothing needs pruning."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from django.conf import settings
from django.core.cache import BaseCache, caches

from ..exceptions import LimitsUnavailable

logger = logging.getLogger(__name__)

#: Tries of incr (+ add when the key is missing, or expired in between).
_INCR_TRIES = 3
#: Seconds a client is asked to wait when the cache cannot be reached.
UNREACHABLE_RETRY_AFTER = 60


def _cache_errors() -> tuple[type[BaseException], ...]:
    """What the cache backends raise when their server cannot be reached: sockets
    (``OSError``), redis-py (Django's ``RedisCache``), django-redis, pymemcache, pylibmc.
    Backends share no base class, so each installed one adds its own."""
    found: list[type[BaseException]] = [OSError]
    for module, name in (
        ("redis.exceptions", "RedisError"),
        ("django_redis.exceptions", "ConnectionInterrupted"),
        ("pymemcache.exceptions", "MemcacheError"),
        ("pylibmc", "Error"),
    ):
        with contextlib.suppress(ImportError, AttributeError):
            found.append(getattr(__import__(module, fromlist=[name]), name))
    return tuple(found)


CACHE_ERRORS = _cache_errors()


@contextlib.contextmanager
def limits_reachable(what: str) -> Iterator[None]:
    """Turn an unreachable rate-limit cache into ``LimitsUnavailable`` (HTTP 503 with
    ``Retry-After``): no code is sent or checked without its limits (fail closed)."""
    try:
        yield
    except CACHE_ERRORS as error:
        reason = type(error).__name__
        logger.error(
            "tyntec2fa: the rate-limit cache is unreachable (%s): %s refused", reason, what
        )
        unavailable = LimitsUnavailable(
            f"{what}: rate-limit cache unreachable ({reason})",
            retry_after=UNREACHABLE_RETRY_AFTER,
        )
    else:
        return
    raise unavailable  # outside the except block: no cache error chained to it


def counter_cache() -> BaseCache:
    """The cache the rate limits use."""
    return caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]


def increment(cache: BaseCache, key: str, timeout: int) -> int:
    """Add one to ``key`` (created at 0, kept ``timeout`` seconds); returns the count."""
    tries = 0
    while True:  # bounded: _INCR_TRIES
        tries += 1
        try:
            return int(cache.incr(key))
        except ValueError:
            # The key's first count, or it expired: create it (add keeps a parallel
            # worker's count) and count again.
            if tries >= _INCR_TRIES:
                raise
            cache.add(key, 0, timeout=timeout)
