"""Checking a code: the one place a challenge is decided (G5, G6, L1-L8, R1).

The order of work, and why:

1. The input is normalised strictly (L6); an unusable one is never sent to the
   provider but still counts as an attempt.
2. The account lock and the verify rate limits refuse early, before any row lock. An
   unreachable rate-limit cache refuses too (``LimitsUnavailable``, fail closed).
3. **Reserve** the user's latest challenge for ``purpose`` (L4): the account lock (read again after a wait),
   then the server clock (G6), the attempts left (L1) and the device (E1); the attempt
   is counted and ``checking_until`` set *before* the provider's check, so at most
   ``max_attempts`` codes ever reach the provider. The write is one conditional UPDATE
   that holds only while the row is as it was read (same attempts and status, no check
   running): of parallel requests exactly one wins, the others read again. A challenge
   whose check is running (``checking_until`` ahead) makes the request wait and try
   again: checks of one challenge reach the provider one after the other, in order, so
   the outcomes stay exact (one right code completes exactly one login; the failure
   counter counts every refused code). No transaction is open, none is needed.
4. **Check**, outside any transaction: the provider's call may take its full timeout
   (or fail fast when the circuit breaker is open) without holding a database lock or
   a transaction.
5. **Record**: first the account's failure counter (``lockout``; see its docstring for
   what counts; a success resets it when the counter read at step 3 held something),
   so the next check of the challenge, which reads the counter after the challenge,
   sees it (issue 23.7, 23.8); then the outcome in one conditional UPDATE that holds
   only while the challenge is still pending (cancelled or replaced during the check:
   the code signs nobody in, and counts as a failure), ``checking_until`` cleared;
   then the audit row (L8); a check the circuit breaker
   refused (``CircuitOpen``: nothing reached the provider) gives its attempt back. Signals are sent after the commit. A
   process that dies during the check leaves ``checking_until`` to expire (one call's
   timeout); the attempt stays counted.

Every refused code carries what the user may do next (``error.standing``,
``lockout.standing``: tries left, the wait, the lock), which every front end reads.

Errors (L7): a wrong code is ``InvalidCode``; the last allowed wrong code is
``TooManyAttempts``; anything about a dead challenge (expired on the server clock or
at the provider, used, used up, cancelled, or none at all) is ``ChallengeExpired``.
The classes differ so the page can say "request a new code" (L1), but the views give
all of them the same HTTP status and template, and none says whether the code was
ever right. ``AccountLocked`` and ``RateLimited`` carry ``retry_after``. Provider
errors propagate unchanged (fail closed, R1); they are audited, the challenge keeps
the attempt, the account is not charged. ``ChallengeBusy`` (try again in a moment)
when another check of the challenge ran too long, or SQLite's database stayed locked
by parallel requests: nothing was counted for this request.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.db import DatabaseError, OperationalError, connection
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from .. import signals
from ..abuse import ratelimits
from ..abuse.counters import limits_reachable
from ..conf import app_settings
from ..core import audit, lockout
from ..exceptions import (
    AccountLocked,
    ChallengeBusy,
    ChallengeError,
    ChallengeExpired,
    CircuitOpen,
    InvalidCode,
    LimitsUnavailable,
    OtpNotFound,
    ProviderError,
    RateLimited,
    TooManyAttempts,
    Tyntec2FAError,
)
from ..models import AuditEvent, Challenge, FailureCounter, PhoneDevice
from ..providers import CheckOutcome, get_provider
from .codes import normalize_code

logger = logging.getLogger(__name__)
_T = TypeVar("_T")

Status = Challenge.Status
#: Waits for a running check of the same challenge: the first one short (a double
#: click), doubling up to the longest; bounded by ``_WAIT_TRIES`` and the clock.
_FIRST_WAIT, _LONGEST_WAIT, _WAIT_TRIES = 0.02, 0.25, 200
#: Tries of the short "record" transaction when SQLite's database is locked.
_RECORD_TRIES = 5


def verify(request: HttpRequest | None, user: Any, *, purpose: str, code: Any) -> Challenge:
    """Check ``code`` against the user's live challenge for ``purpose``; returns the
    verified challenge.

    Raises ``InvalidCode``, ``TooManyAttempts``, ``ChallengeExpired``,
    ``AccountLocked``, ``RateLimited``, ``ChallengeBusy`` or a ``ProviderError`` (see the
    module docstring).
    """
    try:
        return _verify(request, user, purpose, code)
    except OperationalError as error:
        if not _database_locked(error):
            raise
    # SQLite only: a read met a parallel request's write lock. Raised here, outside the
    # except block, so no database error is chained to the answer.
    logger.warning("tyntec2fa: a code check of user %s met a locked database", user.pk)
    raise ChallengeBusy("database locked", retry_after=1)


def _verify(request: HttpRequest | None, user: Any, purpose: str, code: Any) -> Challenge:
    normalized = normalize_code(code, app_settings.PIN_LENGTH)
    admit_attempt(request, user)
    challenge, error, checking, counter = _reserve(request, user, purpose, normalized)
    if checking:
        result = _check(cast(Challenge, challenge), cast(str, normalized))
        challenge, error = _record(request, user, cast(Challenge, challenge), result, counter)
    if error is not None:
        if isinstance(error, CODE_REFUSALS) and error.standing is None:
            # What the user may do next, for every front end (lockout.standing).
            error.standing = lockout.standing(user, live=_still_live(challenge))
        if isinstance(error, ChallengeError):
            signals.second_factor_failed.send(
                sender=type(user),
                request=request,
                user=user,
                challenge=challenge,
                reason=error.code,
            )
        raise error
    verified = cast(Challenge, challenge)  # only an existing challenge is verified
    signals.second_factor_verified.send(
        sender=type(user), request=request, user=user, challenge=verified
    )
    return verified


#: The refusals of a code that say what the user may do next (``error.standing``).
CODE_REFUSALS = (InvalidCode, TooManyAttempts, ChallengeExpired, AccountLocked)


def _still_live(challenge: Challenge | None) -> Challenge | None:
    """``challenge`` when a code can still be tried on it after this attempt, else None."""
    if challenge is None or challenge.status != Status.PENDING:
        return None
    if challenge.expires_at <= timezone.now() or challenge.attempts >= challenge.max_attempts:
        return None
    return challenge


def admit_attempt(
    request: HttpRequest | None,
    user: Any,
    *,
    refused: str = AuditEvent.Kind.FAILED,
    detail: str = "",
) -> FailureCounter | None:
    """May ``user`` try a code now? The account's failure counter, or the refusal,
    audited and raised: ``AccountLocked`` (a wait or the lock, L2), ``RateLimited``
    (the verify limits, L9) or ``LimitsUnavailable``. Nothing is counted. A phone code
    and a recovery code pass the same gate; ``refused`` is the audit kind of a locked
    account and ``detail`` prefixes the audit detail."""
    counter = lockout.load_counter(user)
    try:
        blocked = lockout.blocked_by(counter)
        if blocked is not None:
            raise blocked
        with limits_reachable("check"):
            ratelimits.check_verify(request, user)
    except (AccountLocked, RateLimited, LimitsUnavailable) as error:
        kind = refused
        if isinstance(error, RateLimited):
            kind = AuditEvent.Kind.RATE_LIMITED
        elif isinstance(error, LimitsUnavailable):
            kind = AuditEvent.Kind.PROVIDER_ERROR
        audit.record(kind, request=request, user=user, detail=f"{detail}{error.code}")
        raise
    return counter


def _reserve(
    request: HttpRequest | None,
    user: Any,
    purpose: str,
    code: str | None,
) -> tuple[Challenge | None, Tyntec2FAError | None, bool, FailureCounter | None]:
    """Step 3: (challenge, error, True, counter) when the provider must now check the
    code; (challenge, error or None, False, counter) when the attempt was decided here
    and booked. ``counter``: the account's failure counter, read after the challenge:
    a check that ended wrote the counter before it released the challenge (``_record``),
    so this read sees its failure and any wait it started, or its success's reset
    (issue 23.7, 23.8)."""
    deadline = time.monotonic() + 2 * _check_seconds()
    wait = _FIRST_WAIT
    for _try in range(_WAIT_TRIES):
        try:
            challenge = (
                Challenge.objects.select_related("device")
                .filter(user_id=user.pk, purpose=purpose)
                .order_by("-created_at", "-pk")
                .first()
            )
            now = timezone.now()
            if not _check_running(challenge, now):
                counter = lockout.load_counter(user)
                decided = _decide(request, user, challenge, code, now, counter)
                if decided is not None:
                    return decided
                # Another request changed the challenge between our read and our write.
                continue
        except OperationalError as error:
            if not _database_locked(error):
                raise
            # SQLite: a parallel request holds the write lock; like a running check.
        if time.monotonic() + wait > deadline:
            break
        time.sleep(wait)
        wait = min(wait * 2, _LONGEST_WAIT)
    logger.warning("tyntec2fa: a code check of user %s waited too long; answered busy", user.pk)
    raise ChallengeBusy("another check of this challenge is running", retry_after=1)


def _decide(
    request: HttpRequest | None,
    user: Any,
    challenge: Challenge | None,
    code: str | None,
    now: dt.datetime,
    counter: FailureCounter | None,
) -> tuple[Challenge | None, Tyntec2FAError | None, bool, FailureCounter | None] | None:
    """Refuse, or count the attempt and start the provider's check. The write is one
    conditional UPDATE that holds only while the challenge is as it was read (same
    status and attempts, no check running): of parallel requests exactly one wins, and
    the others (None) read again. No transaction stays open."""
    before = (challenge.attempts, challenge.status) if challenge is not None else None
    error = _attempt(counter, challenge, code)
    checking = challenge is not None and error is None and code is not None
    if checking:
        challenge = cast(Challenge, challenge)
        challenge.checking_until = now + dt.timedelta(seconds=_check_seconds())
        if not _claim(challenge, before, attempts=challenge.attempts):
            return None
        return challenge, None, True, counter
    if error is None and code is None:
        error = _outcome(cast(Challenge, challenge), CheckOutcome.WRONG_CODE)  # L6
    if challenge is not None and (challenge.attempts, challenge.status) != before:
        if not _claim(challenge, before, attempts=challenge.attempts):
            return None
    error = _book(request, user, challenge, error, counter)
    return challenge, error, False, counter


def _claim(challenge: Challenge, before: tuple[int, str] | None, **fields: Any) -> bool:
    """Write the attempt (and any outcome) of ``challenge`` when its row still holds the
    ``before`` (attempts, status) and no check is running; False when another request
    got there first."""
    attempts, status = cast(tuple[int, str], before)
    now = timezone.now()
    return bool(
        Challenge.objects.filter(pk=challenge.pk, attempts=attempts, status=status)
        .exclude(checking_until__gt=now)
        .update(
            status=challenge.status,
            finished_at=challenge.finished_at,
            checking_until=challenge.checking_until,
            **fields,
        )
    )


def _check(challenge: Challenge, code: str) -> CheckOutcome | ProviderError:
    """Step 4, outside any transaction: the provider's answer, or its error."""
    if challenge.is_phantom:
        # Nothing was sent (``start``'s phantom): every code is a wrong one, counted
        # like one, and the provider is not asked about an OTP it never had.
        return CheckOutcome.WRONG_CODE
    try:
        return get_provider().check(challenge.provider_otp_id, code).outcome
    except ProviderError as error:
        return error
    except BaseException:
        _release(challenge)  # an unexpected error: the next check need not wait for it
        raise


def _record(
    request: HttpRequest | None,
    user: Any,
    challenge: Challenge,
    result: CheckOutcome | ProviderError,
    counter: FailureCounter | None,
) -> tuple[Challenge, Tyntec2FAError | None]:
    """Step 5: store the outcome of the provider's check: one conditional UPDATE that
    holds only while the challenge is still pending (a cancel or a replacement during
    the check wins: the code then signs nobody in), then the phone, the audit row and
    the failure counter.

    Each write is retried on its own while SQLite's database is locked: the claim once
    stored is never claimed again (a retry would find the challenge no longer pending
    and take its own success for someone else's), and the outcome is worked out once."""
    challenge.checking_until = None
    error, fields = _outcome_fields(challenge, result)
    # The account's counter first (the failure and any wait it starts, or a success's
    # reset), then the challenge released: a check of the same challenge that waited
    # for this one reads the counter after it, so no attempt is evaluated past the
    # wait (issue 23.7) and no failure lands after the reset of a later success
    # (issue 23.8).
    _count(request, user, error, counter, run=_when_unlocked)
    stored = _when_unlocked(
        lambda: Challenge.objects.filter(pk=challenge.pk, status=Status.PENDING).update(
            status=challenge.status,
            finished_at=challenge.finished_at,
            checking_until=None,
            **fields,
        )
    )
    if not stored:
        # Cancelled or replaced while the provider checked: whatever it said, the
        # code no longer signs anybody in.
        _when_unlocked(lambda: _abandon(challenge))
        if error is None:  # the right code, but it signs nobody in: a failure after all
            _when_unlocked(lambda: lockout.record_failure(request, user))
        error = ChallengeExpired(f"challenge became {challenge.status} during the check")
    elif error is None:
        now = timezone.now()
        _when_unlocked(
            lambda: PhoneDevice.objects.filter(pk=challenge.device_id).update(last_used_at=now)
        )
        challenge.device.last_used_at = now
    _audit(request, user, challenge, error, run=_when_unlocked)
    return challenge, error


def _outcome_fields(
    challenge: Challenge, result: CheckOutcome | ProviderError
) -> tuple[Tyntec2FAError | None, dict[str, Any]]:
    """The error of the provider's answer (None: verified), with the challenge's new
    state set in memory, and the extra fields of its UPDATE."""
    fields: dict[str, Any] = {}
    if isinstance(result, OtpNotFound):
        # The provider does not know this OTP (deleted, or a send answer that named
        # another one): it can never verify, so the challenge dies and the page asks
        # for a new code instead of failing until the TTL.
        return _finish(challenge, Status.EXPIRED, result), fields
    if isinstance(result, ProviderError):
        if isinstance(result, CircuitOpen):
            fields["attempts"] = F("attempts") - 1  # the code never reached the provider
            challenge.attempts -= 1
        return result, fields
    return _outcome(challenge, result), fields


def _abandon(challenge: Challenge) -> None:
    Challenge.objects.filter(pk=challenge.pk).update(checking_until=None)
    challenge.refresh_from_db(fields=["status", "finished_at", "attempts"])


def _when_unlocked(write: Callable[[], _T]) -> _T:
    """``write()``, tried again while SQLite answers "database is locked" (up to
    ``_RECORD_TRIES`` times, waiting longer each time). A write that raised wrote
    nothing (each statement commits on its own here), so trying it again is safe."""
    for tries in range(1, _RECORD_TRIES + 1):
        try:
            return write()
        except OperationalError as db_error:
            if not _database_locked(db_error) or tries >= _RECORD_TRIES:
                raise
            time.sleep(_FIRST_WAIT * 2**tries)
    raise AssertionError("unreachable")  # the loop returns or raises


def _release(challenge: Challenge) -> None:
    """Clear ``checking_until`` after an unexpected error, best effort."""
    try:
        Challenge.objects.filter(pk=challenge.pk).update(checking_until=None)
    except DatabaseError:  # the original error is the one to report
        logger.exception("tyntec2fa: could not clear checking_until of challenge %s", challenge.pk)


def _check_running(challenge: Challenge | None, now: dt.datetime) -> bool:
    return (
        challenge is not None
        and challenge.status == Status.PENDING
        and challenge.checking_until is not None
        and challenge.checking_until > now
    )


def _check_seconds() -> float:
    """How long one provider check may take: connect + read timeout, plus a second."""
    connect, read = app_settings.TIMEOUT
    return connect + read + 1


def _database_locked(error: OperationalError) -> bool:
    """SQLite's "database is locked" / "database table is locked"."""
    return connection.vendor == "sqlite" and "locked" in str(error)


def _attempt(
    counter: FailureCounter | None, challenge: Challenge | None, code: str | None
) -> Tyntec2FAError | None:
    """Decide what can be decided under the row lock before the provider is asked; None
    means the attempt is counted (in memory; the caller saves it) and may go on."""
    if challenge is None:
        return ChallengeExpired("no challenge")
    blocked = lockout.blocked_by(counter)  # locked while this request waited for the row
    if blocked is not None:
        return blocked
    if challenge.status != Status.PENDING:
        return ChallengeExpired(f"challenge is {challenge.status}")
    if timezone.now() >= challenge.expires_at:
        return _finish(challenge, Status.EXPIRED, ChallengeExpired("expired (server clock)"))
    if challenge.attempts >= challenge.max_attempts:
        return _finish(challenge, Status.FAILED, ChallengeExpired("attempts used up"))
    if challenge.device is None:  # its phone went without the flows, which cancel first
        return _finish(challenge, Status.CANCELLED, ChallengeExpired("device removed"))
    if challenge.purpose != Challenge.Purpose.ENROLL and not challenge.device.confirmed:
        return _finish(challenge, Status.CANCELLED, ChallengeExpired("device not confirmed"))
    challenge.attempts += 1  # counted before the provider sees the code (L4)
    return None


def _outcome(challenge: Challenge, outcome: CheckOutcome) -> Tyntec2FAError | None:
    """The error of ``outcome`` (None: verified), with the challenge's new status set in
    memory; the caller stores it."""
    if outcome is CheckOutcome.VERIFIED:
        _finish(challenge, Status.VERIFIED, None)
        return None
    if outcome is CheckOutcome.WRONG_CODE and challenge.attempts < challenge.max_attempts:
        return InvalidCode("wrong code")
    if outcome in (CheckOutcome.WRONG_CODE, CheckOutcome.EXHAUSTED):
        return _finish(challenge, Status.FAILED, TooManyAttempts("last attempt was wrong"))
    if outcome is CheckOutcome.EXPIRED:
        return _finish(challenge, Status.EXPIRED, ChallengeExpired("expired at the provider"))
    return _finish(challenge, Status.FAILED, ChallengeExpired(f"provider: {outcome.value}"))


def _finish(
    challenge: Challenge, status: str, error: Tyntec2FAError | None
) -> Tyntec2FAError | None:
    challenge.status = status
    challenge.finished_at = timezone.now()
    return error


def _book(
    request: HttpRequest | None,
    user: Any,
    challenge: Challenge | None,
    error: Tyntec2FAError | None,
    counter: FailureCounter | None,
) -> Tyntec2FAError | None:
    """Count an attempt decided without the provider and audit it (one row, L8);
    returns its error: the account's wait instead when the wait began before this
    failure could be counted (``lockout.claim_failure``: nothing counted)."""
    error = _count(request, user, error, counter, claim=True)
    _audit(request, user, challenge, error)
    return error


def _count(
    request: HttpRequest | None,
    user: Any,
    error: Tyntec2FAError | None,
    counter: FailureCounter | None,
    run: Callable[[Callable[[], Any]], Any] = lambda write: write(),
    *,
    claim: bool = False,
) -> Tyntec2FAError | None:
    """The account's failure counter after an attempt: a success resets it when
    ``counter`` held something (L3), a refused code counts once (L4), a provider's
    error not at all. ``claim``: count only while the account does not wait (see
    ``_book``). Each write goes through ``run`` (``_when_unlocked`` after a check)."""
    if error is None:
        if lockout.has_count(counter):
            run(lambda: lockout.reset(user))  # only a success resets the count (L3)
        return None
    if isinstance(error, ProviderError):
        return error
    if claim:
        blocked = run(lambda: lockout.claim_failure(request, user))
        return blocked if blocked is not None else error
    run(lambda: lockout.record_failure(request, user))
    return error


def _audit(
    request: HttpRequest | None,
    user: Any,
    challenge: Challenge | None,
    error: Tyntec2FAError | None,
    run: Callable[[Callable[[], Any]], Any] = lambda write: write(),
) -> None:
    """The audit row of an attempt (one, L8)."""
    if error is None:
        run(
            lambda: audit.record(
                AuditEvent.Kind.VERIFIED, request=request, user=user, challenge=challenge
            )
        )
        return
    if isinstance(error, ProviderError):
        kind = AuditEvent.Kind.PROVIDER_ERROR
    elif isinstance(error, ChallengeExpired):
        kind = AuditEvent.Kind.CHALLENGE_EXPIRED
    else:
        kind = AuditEvent.Kind.FAILED
    detail = f"{error.code}: {error.detail}" if error.detail else error.code
    run(lambda: audit.record(kind, request=request, user=user, challenge=challenge, detail=detail))
