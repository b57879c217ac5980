"""Counters in the rate-limit cache (``RATELIMIT_USE_CACHE``): the send budget
(``velocity``) and conversion monitoring (``conversion``) count here, as the rate
limits do. ``cache.add`` + ``cache.incr`` are atomic in Redis and Memcached, so every
worker shares one count (P7, checked at start-up); each count expires with its window,
so nothing needs pruning."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import BaseCache, caches

#: Tries of incr (+ add when the key is missing, or expired in between).
_INCR_TRIES = 3


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
