"""Operator actions, the support desk's: what an operator does *to* an account.

The admin's actions and the management commands are thin layers over these, as the
HTML views and the API are over the user's flows. Where the rule is the user's too,
the code is the user's: a phone removed here goes through the same removal as
``flows.remove`` (live codes cancelled at the provider, a successor made primary,
audit, ``device_removed``), only without the user's ownership and recent-second-factor
checks. Every action leaves an audit row naming the operator (L8) and never shows a
code or a full number (G4).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone

from ..abuse import conversion
from ..core import audit, lockout
from ..exceptions import DeviceError, OtpNotFound, ProviderError
from ..models import AuditEvent, Challenge, FailureCounter, PhoneDevice, TrustedBrowser
from . import recovery, trust
from .challenge import cancel_where
from .devices import _remove

Status = Challenge.Status


def operator(request: HttpRequest | None) -> str:
    """Who acts, for the audit trail: the signed-in operator's username, or "an
    operator" without one (a management command)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return str(user.get_username())
    return "an operator"


@dataclass
class Cancelled:
    """What a cancellation did: how many challenges, and the provider's refusals to
    delete their codes, by challenge id. A refused code is dead here all the same;
    at the provider it stays valid until it expires."""

    count: int = 0
    provider_errors: dict[int, ProviderError] = field(default_factory=dict)

    def add(self, count: int, failed: dict[int, ProviderError]) -> None:
        self.count += count
        # A code the provider no longer knows is what a deletion wants: not a refusal.
        self.provider_errors.update(
            (pk, error) for pk, error in failed.items() if not isinstance(error, OtpNotFound)
        )


def cancel_challenges(request: HttpRequest | None, challenge_pks: list[Any]) -> Cancelled:
    """Cancel those of the challenges that are still pending, then delete their codes at
    the provider, best effort (S11). The database comes first and fails closed: a
    cancelled challenge accepts no code, whatever the provider answers."""
    result, failed = Cancelled(), {}
    count = cancel_where(
        request, pk__in=challenge_pks, detail=f"cancelled by {operator(request)}", failed=failed
    )
    result.add(count, failed)
    return result


def remove_device(request: HttpRequest | None, device: PhoneDevice) -> Cancelled | None:
    """Remove a user's phone (a lost one); returns what was cancelled, or None when the
    phone was already gone. The user's removal without the user's checks: the phone's
    live codes are cancelled at the provider, so a pending login waiting for one of
    them can no longer complete with it; another confirmed phone becomes primary; the
    challenges stay as records and the removal is audited."""
    result, failed = Cancelled(), {}
    try:
        count = _remove(request, device.user, device.pk, operator=operator(request), failed=failed)
    except DeviceError:
        return None  # removed meanwhile, by its user or another operator
    result.add(count, failed)
    return result


def unlock_account(request: HttpRequest | None, user: Any) -> bool:
    """Lift a lock or a backoff wait and zero the failure counter (L2, operators only).

    Returns False when the account had no failures to clear.
    """
    counter = lockout.load_counter(user)
    if counter is None or not (counter.failures or counter.locked or counter.blocked_until):
        return False
    lockout.unlock(user, request=request)  # audits ACCOUNT_UNLOCKED
    return True


def reset_failures(request: HttpRequest | None, user: Any) -> bool:
    """Zero the failure counter and its backoff wait of an account that is *not* locked.

    A lock at the cap is a separate, deliberate decision (``unlock_account``), so a
    locked account is left alone and False is returned, as for an account without
    failures.
    """
    updated = (
        FailureCounter.objects.filter(user_id=user.pk, locked=False)
        .exclude(failures=0, blocked_until=None)
        .update(failures=0, blocked_until=None)
    )
    if updated:
        audit.record(
            AuditEvent.Kind.ACCOUNT_UNLOCKED,
            request=request,
            user=user,
            detail=f"failures reset by {operator(request)}",
        )
    return bool(updated)


@dataclass
class Disabled:
    """What ``disable`` did."""

    devices_removed: int = 0
    cancelled: Cancelled = field(default_factory=Cancelled)
    #: Unused recovery codes removed (``recovery.revoke``).
    recovery_codes_revoked: int = 0
    #: Trusted browsers forgotten (``trust.revoke``, S9).
    browsers_revoked: int = 0


def disable(request: HttpRequest | None, user: Any) -> Disabled:
    """Turn the second factor off for ``user`` (the support desk: a lost phone).

    Cancels every live challenge of the user (codes at the provider too, best
    effort), removes every phone as ``remove_device`` does, removes the recovery codes
    (``recovery.revoke``) and the trusted browsers (``trust.revoke``) and clears the
    failure counter. If the policy requires a
    second factor of this user, their next sign-in goes to enrollment.
    """
    by = operator(request)
    result, failed = Disabled(), {}
    count = cancel_where(
        request, user_id=user.pk, detail=f"second factor disabled by {by}", failed=failed
    )
    result.cancelled.add(count, failed)
    # Before the phones go: their removal would revoke the trust as "device_removed".
    result.browsers_revoked = trust.revoke(request, user, reason=trust.DISABLED)
    for device in PhoneDevice.objects.filter(user_id=user.pk):
        failed = {}
        try:
            count = _remove(request, user, device.pk, operator=by, failed=failed)
        except DeviceError:
            continue  # removed meanwhile
        result.devices_removed += 1
        result.cancelled.add(count, failed)
    result.recovery_codes_revoked = recovery.revoke(user, request=request, actor=by)
    unlock_account(request, user)
    audit.record(
        AuditEvent.Kind.DISABLED,
        request=request,
        user=user,
        detail=f"by {by}; {result.devices_removed} phone(s) removed",
    )
    return result


# --- Retention ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CleanedUp:
    """What ``clean_up`` did, in rows."""

    expired: int
    challenges_deleted: int
    audit_events_deleted: int
    blocks_deleted: int
    #: Trusted browsers past their expiry (inert already: their cookie no longer signs in).
    browsers_deleted: int = 0


def clean_up(*, days: int = 7, audit_days: int = 365, batch_size: int = 1000) -> CleanedUp:
    """Mark pending challenges past their expiry as expired, delete finished challenges
    older than ``days`` and audit events older than ``audit_days`` (``batch_size``
    rows per DELETE), the conversion blocks too old to escalate, and the trusted
    browsers past their expiry.

    Raises ``ValueError`` for a negative age or a batch size below 1.
    """
    if days < 0 or audit_days < 0 or batch_size < 1:
        raise ValueError("ages must be 0 or more, the batch size at least 1")
    now = timezone.now()
    expired = Challenge.objects.filter(status=Status.PENDING, expires_at__lte=now).update(
        status=Status.EXPIRED, finished_at=now
    )
    # A challenge is finished when it left PENDING; one that never got a finish time
    # counts from its expiry.
    old_challenges = (
        Challenge.objects.exclude(status=Status.PENDING)
        .alias(ended=Coalesce("finished_at", "expires_at"))
        .filter(Q(ended__lt=now - dt.timedelta(days=days)))
    )
    old_audit = AuditEvent.objects.filter(created_at__lt=now - dt.timedelta(days=audit_days))
    return CleanedUp(
        expired=expired,
        challenges_deleted=delete_in_batches(old_challenges, batch_size),
        audit_events_deleted=delete_in_batches(old_audit, batch_size),
        # The conversion counts expire in the cache by themselves (P4).
        blocks_deleted=conversion.prune(),
        browsers_deleted=delete_in_batches(
            TrustedBrowser.objects.filter(expires_at__lte=now), batch_size
        ),
    )


def delete_in_batches(queryset: QuerySet[Any], batch_size: int) -> int:
    """Delete the rows of ``queryset`` ``batch_size`` at a time; returns the number deleted.

    Each transaction stays short, so the tables stay usable for sign-ins while a large
    backlog goes. The number of rounds is fixed up front, so rows that keep arriving
    cannot keep the loop going; a later run picks them up.
    """
    model: type[Model] = queryset.model
    rounds = math.ceil(queryset.count() / batch_size)
    deleted = 0
    for _ in range(rounds):
        pks = list(queryset.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not pks:
            break
        count, _per_model = model._default_manager.filter(pk__in=pks).delete()
        deleted += count
    return deleted
