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
verified or cancelled (or no challenge at all). So K parallel wrong codes raise the
counter by exactly K while the account does not wait, and at most
``challenge.max_attempts`` of them reach the provider. Not counted: attempts refused
because the account waits or is locked (before the row lock, or, for an attempt decided
without the provider, under the counter's row lock: ``claim_failure``), rate-limited
attempts and attempts the provider could not answer (``ProviderError``; the challenge
still counts that attempt, conservatively). The wait starts at exactly
``BACKOFF_AFTER`` failures under any concurrency (issue 23.7): a check writes this
counter before it releases its challenge and the next check reads it after the
challenge; recovery codes hold the counter's row (``hold``) while they are decided.

Only a successful verification resets the counter (``reset``), never a resend or a
new challenge (L3); an operator's ``unlock`` also clears the lock.

**What the user may do next** is ``standing``, and only ``standing``: the tries left
(the fewer of the live code's and the account's before a wait or the lock), when a
wait ends, or the lock. Every refused code carries it (``error.standing``, set by the
flows) and the pages, the API and the mails read it; no front end works out tries or
waits itself.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Standing:
    """What the user may do next with a code: the one answer (see the module docstring).

    ``tries_left``: wrong codes the user may still enter before the code dies or the
    account must wait (0 while it waits or is locked; None: no code to try, e.g. no
    live phone code). ``retry_after`` and ``wait_until``: the wait, when the account
    waits. ``locked``: locked until an operator unlocks it."""

    tries_left: int | None
    retry_after: int | None = None
    wait_until: dt.datetime | None = None
    locked: bool = False

    @property
    def blocked(self) -> bool:
        """No code can be tried now: the account waits or is locked."""
        return self.locked or self.retry_after is not None


#: Read the counter: the default of ``standing``'s ``counter``.
_LOAD: Any = object()


def standing(
    user: Any, *, live: Any = None, per_code: bool = True, counter: Any = _LOAD
) -> Standing:
    """What ``user`` may do next with a code (one query, none when ``counter`` is given).

    ``live``: the live challenge (its ``attempts`` and ``max_attempts``) or None;
    ``per_code``: False for a factor without a per-code limit (a recovery code), whose
    tries are the account's alone. ``counter``: the failure counter already loaded."""
    if counter is _LOAD:
        counter = load_counter(user)
    return standing_of(counter, live=live, per_code=per_code)


def standing_of(
    counter: FailureCounter | None, *, live: Any = None, per_code: bool = True
) -> Standing:
    """``standing`` of a loaded ``counter`` (no query)."""
    failures = counter.failures if counter is not None else 0
    if counter is not None and counter.locked:
        return Standing(tries_left=0, locked=True)
    now = timezone.now()
    until = counter.blocked_until if counter is not None else None
    if until is not None and until > now:
        seconds = math.ceil((until - now).total_seconds())
        return Standing(tries_left=0, retry_after=seconds, wait_until=until)
    # Failures before the next one starts a wait (one once the waits began) or the lock.
    account = min(max(1, app_settings.BACKOFF_AFTER - failures), threshold() - failures)
    account = max(account, 1)  # not locked: the next failure is still a try
    if not per_code:
        return Standing(tries_left=account)
    if live is None:
        return Standing(tries_left=None)
    return Standing(tries_left=max(0, min(live.max_attempts - live.attempts, account)))


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
    now = standing_of(counter)
    if now.locked:
        error = AccountLocked(f"user {counter.user_id} locked after {counter.failures} failures")
    elif now.retry_after is not None:
        error = AccountLocked(
            f"user {counter.user_id} waits {now.retry_after} s after {counter.failures} failures",
            message=_("Too many wrong codes. Please wait before you try again."),
            retry_after=now.retry_after,
        )
    else:
        return None
    error.standing = now
    return error


def hold(user: Any) -> FailureCounter:
    """Lock the account's counter row (created when missing) until the caller's
    transaction ends: attempts that hold it are decided one after the other, so no
    more are evaluated than the account allows before a wait (L4)."""
    counter, _created = FailureCounter.objects.select_for_update().get_or_create(user_id=user.pk)
    return counter


def claim_failure(request: HttpRequest | None, user: Any) -> AccountLocked | None:
    """Count one failure, as ``record_failure``, unless the account waits or is locked
    by the time its row is locked: then nothing is counted and the refusal is returned
    (an attempt decided without the provider, e.g. on a dead code, that raced the
    failure that started the wait: the wait starts at exactly ``BACKOFF_AFTER``)."""
    with transaction.atomic():
        blocked = blocked_by(hold(user))
        if blocked is not None:
            return blocked
        record_failure(request, user)
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
        counter = hold(user)
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
