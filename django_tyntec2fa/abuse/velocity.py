"""Velocity defences against SMS pumping (P3): the keys of the per-session and
per-prefix send limits, and the site's global send budget, a circuit breaker.

The per-session and per-prefix limits are django-ratelimit groups like the others
(``ratelimits.check_send`` counts them). The budget counts every code the site lets
out per clock hour and per UTC day in the rate-limit cache (``RATELIMIT_USE_CACHE``)
with ``cache.add`` + ``cache.incr``, which are atomic in Redis and Memcached, so every
worker shares one count (P7). When a budget is used up every send is refused with
``SendBudgetExhausted`` until the window ends, while codes already sent can still be
verified: ``verify`` never looks at the budget.
"""

from __future__ import annotations

import logging
import math
import secrets
from dataclasses import dataclass

from django.core.cache import BaseCache
from django.http import HttpRequest
from django.utils import timezone

from ..conf import app_settings
from ..exceptions import SendBudgetExhausted
from .counters import counter_cache, increment

logger = logging.getLogger("django_tyntec2fa.abuse")

#: Digits dropped from the end of an E.164 number to get its prefix (P3: "the number
#: without its last four digits", the block pumping numbers are rented in).
PREFIX_DROP = 4
#: Session entry holding the random id of the session's send bucket. A random id
#: rather than the session key: it survives the key rotations of a login and works with
#: cookie-based sessions, whose key changes with every write.
SESSION_BUCKET_KEY = "_tyntec2fa_send_bucket"
_KEY = "tyntec2fa:budget"


@dataclass(frozen=True)
class Window:
    """One budget window: its name, length in seconds and setting."""

    name: str
    seconds: int

    @property
    def limit(self) -> int | None:
        """The budget of this window, ``None`` when there is none."""
        if self.name == "hourly":
            return app_settings.SEND_BUDGET_HOURLY
        return app_settings.SEND_BUDGET_DAILY


WINDOWS = (Window("hourly", 3600), Window("daily", 86400))


def number_prefix(number: str) -> str:
    """``+4915123456789`` -> ``+491512345``: the E.164 number without its last 4 digits."""
    return number[:-PREFIX_DROP] if len(number) > PREFIX_DROP + 2 else number


def session_bucket(request: HttpRequest | None) -> str | None:
    """The random id of this browser session's send bucket, created on first use;
    ``None`` without a session (a management command, the admin's bulk actions)."""
    store = getattr(request, "session", None)
    if store is None:
        return None
    bucket = store.get(SESSION_BUCKET_KEY)
    if not isinstance(bucket, str) or not bucket:
        bucket = secrets.token_urlsafe(12)
        store[SESSION_BUCKET_KEY] = bucket
    return bucket


def consume_budget() -> None:
    """Count one code going out against the hourly and daily budgets.

    Raises ``SendBudgetExhausted`` (``retry_after`` = seconds until the exhausted window
    ends) when one is used up; the refused send is not counted. The first refusal of
    each window is logged at ERROR on ``django_tyntec2fa.abuse``: the alert.
    """
    cache = counter_cache()
    now = timezone.now().timestamp()
    counted: list[str] = []
    for window in WINDOWS:
        limit = window.limit
        if limit is None:
            continue
        key = _key(window, now)
        used = increment(cache, key, window.seconds + 60)
        counted.append(key)
        if used > limit:
            for done in counted:
                cache.decr(done)  # only sends that go out count
            retry_after = max(1, math.ceil(window.seconds - now % window.seconds))
            _alert_once(cache, window, limit, key, retry_after)
            raise SendBudgetExhausted(
                f"{window.name} send budget of {limit} used up", retry_after=retry_after
            )


def budget_usage() -> dict[str, tuple[int, int | None]]:
    """``{"hourly": (used, limit), "daily": (used, limit)}`` for the current windows."""
    cache = counter_cache()
    now = timezone.now().timestamp()
    return {window.name: (int(cache.get(_key(window, now), 0)), window.limit) for window in WINDOWS}


def reset_budget() -> None:
    """Forget what the current windows counted (an operator who raised the alarm by
    mistake, or after raising the budget)."""
    cache = counter_cache()
    now = timezone.now().timestamp()
    cache.delete_many([_key(window, now) for window in WINDOWS])


def _key(window: Window, now: float) -> str:
    return f"{_KEY}:{window.name}:{int(now // window.seconds)}"


def _alert_once(cache: BaseCache, window: Window, limit: int, key: str, retry_after: int) -> None:
    if cache.add(f"{key}:alerted", 1, timeout=window.seconds + 60):
        logger.error(
            "tyntec2fa send budget exhausted: the %s budget of %d codes is used up; every "
            "send is refused for %d s. Check the audit trail for pumping (docs/abuse.md).",
            window.name,
            limit,
            retry_after,
            extra={"event": "send_budget_exhausted", "window": window.name, "limit": limit},
        )
