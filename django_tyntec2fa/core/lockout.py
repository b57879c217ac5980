"""The per-account failure counter: growing waits, then a lock (L2, L3, L4).

The ladder, with the defaults: failures 1-4 cost nothing; from failure
``BACKOFF_AFTER`` (5) on, each failure imposes a wait of
``BACKOFF_BASE * 2 ** (failures - BACKOFF_AFTER)`` seconds (30 s, 60 s, 120 s, ...)
capped at ``BACKOFF_MAX`` (1 h); at ``LOCKOUT_THRESHOLD`` (20, never more than 100)
the factor is locked until an operator calls ``unlock``. The counter belongs to the
account, not to an IP address or a challenge.

**What counts (L4 (a)).** Every attempt that reaches evaluation counts once: every
code submitted for a user that passed the lock check and the rate limits and then
got the challenge's row lock. That is a wrong code, a syntactically invalid code (L6,
never sent to the provider), an attempt on a challenge that is expired, used up,
verified or cancelled (or no challenge at all), and an attempt refused inside the row
lock because the account got locked meanwhile. So K parallel wrong codes raise the
counter by exactly K, while at most ``challenge.max_attempts`` of them reach the
provider. Not counted: attempts refused before the row lock (account already
waiting/locked, rate limited) and attempts the provider could not answer
(``ProviderError``; the challenge still counts that attempt, conservatively).

Only a successful verification resets the counter (``reset``), never a resend or a
new challenge (L3); an operator's ``unlock`` also clears the lock.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import signals
from ..conf import app_settings
from ..exceptions import AccountLocked
from ..models import AuditEvent, FailureCounter
from ..models.rows import one_row
from . import audit

#: LOCKOUT_THRESHOLD is capped here whatever the setting says (system check E009).
MAX_THRESHOLD = 100


def threshold() -> int:
    """The effective lock threshold: the setting, within 1..100 (L2)."""
    return min(max(app_settings.LOCKOUT_THRESHOLD, 1), MAX_THRESHOLD)


def wait_seconds(failures: int) -> int:
    """The wait imposed after ``failures`` consecutive failures (0 below BACKOFF_AFTER)."""
    after = app_settings.BACKOFF_AFTER
    if failures < after:
        return 0
    # Cap the exponent first: 2 ** 100 seconds is no use to anyone.
    exponent = min(failures - after, 32)
    return min(app_settings.BACKOFF_BASE * 2**exponent, app_settings.BACKOFF_MAX)


def ensure_not_locked(user: Any) -> None:
    """Raise ``AccountLocked`` while the account waits or is locked.

    ``retry_after`` is the remaining wait in seconds, or ``None`` when locked until an
    operator unlocks it. One query; no row lock.
    """
    error = blocked_error(user)
    if error is not None:
        raise error


def blocked_error(user: Any) -> AccountLocked | None:
    """The ``AccountLocked`` error ``ensure_not_locked`` would raise, or None."""
    return blocked_by(load_counter(user))


def load_counter(user: Any) -> FailureCounter | None:
    """The account's failure counter, or None before its first failure. One query."""
    return one_row(FailureCounter.objects.filter(user_id=user.pk))


def has_count(counter: FailureCounter | None) -> bool:
    """True when ``counter`` holds failures or a wait that a success must clear."""
    return counter is not None and (counter.failures > 0 or counter.blocked_until is not None)


def blocked_by(counter: FailureCounter | None) -> AccountLocked | None:
    """The ``AccountLocked`` error of a loaded ``counter``, or None."""
    if counter is None:
        return None
    if counter.locked:
        return AccountLocked(f"user {counter.user_id} locked after {counter.failures} failures")
    now = timezone.now()
    if counter.blocked_until is not None and counter.blocked_until > now:
        seconds = math.ceil((counter.blocked_until - now).total_seconds())
        return AccountLocked(
            f"user {counter.user_id} waits {seconds} s after {counter.failures} failures",
            message=_("Too many wrong codes. Please wait before you try again."),
            retry_after=seconds,
        )
    return None


def record_failure(request: HttpRequest | None, user: Any) -> FailureCounter:
    """Count one failure atomically and apply the ladder; returns the updated counter.

    Runs in its own transaction (a savepoint inside a caller's) with the counter row
    locked, so parallel failures are never lost (L4). Sends ``account_locked`` and
    writes an ``ACCOUNT_LOCKED`` audit event when a wait or the lock starts.
    Raises only database errors.
    """
    now = timezone.now()
    with transaction.atomic():
        counter, _created = FailureCounter.objects.select_for_update().get_or_create(
            user_id=user.pk
        )
        FailureCounter.objects.filter(pk=counter.pk).update(
            failures=F("failures") + 1, last_failure_at=now
        )
        counter.refresh_from_db()
        until: dt.datetime | None = None
        if counter.failures >= threshold():
            newly = not counter.locked
            counter.locked = True
            counter.blocked_until = None
            counter.save(update_fields=["locked", "blocked_until"])
            if not newly:
                return counter
            detail = f"locked at {counter.failures} failures"
        else:
            wait = wait_seconds(counter.failures)
            if not wait:
                return counter
            until = now + dt.timedelta(seconds=wait)
            counter.blocked_until = until
            counter.save(update_fields=["blocked_until"])
            detail = f"wait {wait} s after {counter.failures} failures"
        audit.record(AuditEvent.Kind.ACCOUNT_LOCKED, request=request, user=user, detail=detail)
        signals.account_locked.send(
            sender=type(user), request=request, user=user, failures=counter.failures, until=until
        )
    return counter


def reset(user: Any) -> None:
    """Clear the count and any wait after a successful verification (L3).

    A lock is not lifted here: a locked account cannot verify in the first place.
    """
    FailureCounter.objects.filter(user_id=user.pk).update(failures=0, blocked_until=None)


def unlock(user: Any, *, request: HttpRequest | None = None) -> None:
    """Operators: clear the count, the wait and the lock, and audit it."""
    FailureCounter.objects.filter(user_id=user.pk).update(
        failures=0, blocked_until=None, locked=False
    )
    audit.record(AuditEvent.Kind.ACCOUNT_UNLOCKED, request=request, user=user)
