"""Checking a code: the one place a challenge is decided (G5, G6, L1-L8, R1).

The order of work, and why:

1. The input is normalised strictly (L6); an unusable one is never sent to the
   provider but still counts as an attempt.
2. The account lock and the verify rate limits refuse early, before any row lock.
3. In one transaction, with the user's latest challenge for ``purpose`` row-locked
   (``select_for_update``, L4): the account lock again, then the server clock (G6),
   the attempts left (L1) and the device (E1); the attempt is counted *before* the
   provider's check, so at most ``max_attempts`` codes ever reach the provider.
4. The outcome is stored in the same transaction: the challenge's attempts and
   status (one UPDATE: the row lock keeps every other request out until the commit,
   so an attempt needs no write of its own before the check), the account's failure
   counter (``lockout``; see its docstring for what counts; a success resets it only
   when it holds something), the audit row (L8). Signals are sent after the commit.

Errors (L7): a wrong code is ``InvalidCode``; the last allowed wrong code is
``TooManyAttempts``; anything about a dead challenge (expired on the server clock or
at the provider, used, used up, cancelled, or none at all) is ``ChallengeExpired``.
The classes differ so the page can say "request a new code" (L1), but the views give
all of them the same HTTP status and template, and none says whether the code was
ever right. ``AccountLocked`` and ``RateLimited`` carry ``retry_after``. Provider
errors propagate unchanged (fail closed, R1); they are audited, the challenge keeps
the attempt, the account is not charged.
"""

from __future__ import annotations

from typing import Any, cast

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from .. import audit, lockout, signals
from ..abuse import ratelimits
from ..conf import app_settings
from ..exceptions import (
    AccountLocked,
    ChallengeError,
    ChallengeExpired,
    InvalidCode,
    OtpNotFound,
    ProviderError,
    RateLimited,
    TooManyAttempts,
    Tyntec2FAError,
)
from ..models import AuditEvent, Challenge, FailureCounter, PhoneDevice
from ..providers import CheckOutcome, get_provider
from .codes import normalize_code

Status = Challenge.Status


def verify(request: HttpRequest | None, user: Any, *, purpose: str, code: Any) -> Challenge:
    """Check ``code`` against the user's live challenge for ``purpose``; returns the
    verified challenge.

    Raises ``InvalidCode``, ``TooManyAttempts``, ``ChallengeExpired``,
    ``AccountLocked``, ``RateLimited`` or a ``ProviderError`` (see the module docstring).
    """
    normalized = normalize_code(code, app_settings.PIN_LENGTH)
    try:
        lockout.ensure_not_locked(user)
        ratelimits.check_verify(request, user)
    except (AccountLocked, RateLimited) as error:
        limited = isinstance(error, RateLimited)
        kind = AuditEvent.Kind.RATE_LIMITED if limited else AuditEvent.Kind.FAILED
        audit.record(kind, request=request, user=user, detail=error.code)
        raise
    with transaction.atomic():
        challenge = (
            Challenge.objects.select_for_update(of=("self",))
            .select_related("device")
            .filter(user_id=user.pk, purpose=purpose)
            .order_by("-created_at", "-pk")
            .first()
        )
        counter = lockout.load_counter(user)  # again: it may have changed while we waited
        before = (challenge.attempts, challenge.status) if challenge is not None else None
        error = _attempt(counter, challenge, normalized)
        if challenge is not None and (challenge.attempts, challenge.status) != before:
            # One UPDATE for the attempt and the outcome: both land in this transaction
            # or neither does, so counting "before the provider" needs no write of its own.
            challenge.save(update_fields=["attempts", "status", "finished_at"])
        _book(request, user, challenge, error, counter)
    if error is not None:
        if isinstance(error, ChallengeError):
            signals.second_factor_failed.send(
                sender=type(user),
                request=request,
                user=user,
                challenge=challenge,
                reason=error.code,
            )
        raise error
    verified = cast(Challenge, challenge)  # _attempt verifies only an existing challenge
    signals.second_factor_verified.send(
        sender=type(user), request=request, user=user, challenge=verified
    )
    return verified


def _attempt(
    counter: FailureCounter | None, challenge: Challenge | None, code: str | None
) -> Tyntec2FAError | None:
    """Decide one attempt under the row lock; None means verified. Changes the
    challenge in memory; the caller saves it."""
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
    if code is None:
        outcome = CheckOutcome.WRONG_CODE  # L6: never sent to the provider
    else:
        try:
            outcome = get_provider().check(challenge.provider_otp_id, code).outcome
        except OtpNotFound as error:
            # The provider does not know this OTP (deleted, or a send answer that named
            # another one): it can never verify, so the challenge dies and the page
            # asks for a new code instead of failing on every try until the TTL.
            return _finish(challenge, Status.EXPIRED, error)
        except ProviderError as error:
            return error
    return _outcome(challenge, outcome)


def _outcome(challenge: Challenge, outcome: CheckOutcome) -> Tyntec2FAError | None:
    if outcome is CheckOutcome.VERIFIED:
        _finish(challenge, Status.VERIFIED, None)
        now = timezone.now()
        PhoneDevice.objects.filter(pk=challenge.device_id).update(last_used_at=now)
        challenge.device.last_used_at = now
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
) -> None:
    """Audit the attempt (one row, L8) and update the account's failure counter."""
    if error is None:
        if lockout.has_count(counter):
            lockout.reset(user)  # only a success resets the count (L3)
        audit.record(AuditEvent.Kind.VERIFIED, request=request, user=user, challenge=challenge)
        return
    if isinstance(error, ProviderError):
        kind = AuditEvent.Kind.PROVIDER_ERROR
    elif isinstance(error, ChallengeExpired):
        kind = AuditEvent.Kind.CHALLENGE_EXPIRED
    else:
        kind = AuditEvent.Kind.FAILED
    detail = f"{error.code}: {error.detail}" if error.detail else error.code
    audit.record(kind, request=request, user=user, challenge=challenge, detail=detail)
    if not isinstance(error, ProviderError):
        lockout.record_failure(request, user)
