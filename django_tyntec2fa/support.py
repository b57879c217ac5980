"""Operator actions shared by the admin and the management commands (the support desk).

User-facing rules live in ``flows``; these are the things an operator does *to* an
account: cancel a challenge, unlock or reset the failure counter, disable the second
factor. Each one leaves an audit row (L8) and never shows a code or a full number (G4).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from . import audit, lockout, signals
from .exceptions import OtpNotFound, ProviderError
from .models import AuditEvent, Challenge, FailureCounter, PhoneDevice
from .providers import get_provider

logger = logging.getLogger(__name__)


@dataclass
class CancelResult:
    """What ``cancel_challenge`` did."""

    #: False when the challenge was no longer pending (nothing to cancel).
    cancelled: bool
    #: The provider's refusal to delete the OTP; the challenge is cancelled here anyway.
    provider_error: ProviderError | None = None


def cancel_challenge(challenge: Challenge, *, request: HttpRequest | None = None) -> CancelResult:
    """Cancel a pending challenge, then delete its OTP at the provider, best effort (S11).

    The database comes first and fails closed: once the row is CANCELLED no code is
    accepted for it, whatever the provider answers. The provider call runs after the
    transaction, so no row lock is held over an HTTP request.
    """
    with transaction.atomic():
        row = Challenge.objects.select_for_update().filter(pk=challenge.pk).first()
        if row is None or row.status != Challenge.Status.PENDING:
            return CancelResult(cancelled=False)
        row.status = Challenge.Status.CANCELLED
        row.finished_at = timezone.now()
        row.save(update_fields=["status", "finished_at"])
    audit.record(
        AuditEvent.Kind.CHALLENGE_CANCELLED,
        request=request,
        user=row.user,
        challenge=row,
        device=row.device,
        detail="cancelled by an operator",
    )
    return CancelResult(cancelled=True, provider_error=_delete_at_provider(row))


def _delete_at_provider(challenge: Challenge) -> ProviderError | None:
    if not challenge.provider_otp_id:
        return None
    try:
        get_provider().delete(challenge.provider_otp_id)
    except OtpNotFound:
        return None  # already gone at the provider: that is what we wanted
    except ProviderError as error:
        # Best effort: the OTP dies at its expiry anyway, and our side refuses it already.
        logger.warning(
            "Could not delete the OTP of challenge %s at the provider: %s",
            challenge.pk,
            error.code,
        )
        return error
    return None


def unlock_account(user: Any, *, request: HttpRequest | None = None) -> bool:
    """Lift a lock or a backoff wait and zero the failure counter (L2, operators only).

    Returns False when the account had no failures to clear.
    """
    counter = FailureCounter.objects.filter(user=user).first()
    if counter is None or not (counter.failures or counter.locked or counter.blocked_until):
        return False
    lockout.unlock(user, request=request)  # audits ACCOUNT_UNLOCKED
    return True


def reset_failures(user: Any, *, request: HttpRequest | None = None) -> bool:
    """Zero the failure counter and its backoff wait of an account that is *not* locked.

    A lock at the cap is a separate, deliberate decision (``unlock_account``), so a
    locked account is left alone and False is returned, as for an account without
    failures.
    """
    updated = (
        FailureCounter.objects.filter(user=user, locked=False)
        .exclude(failures=0, blocked_until=None)
        .update(failures=0, blocked_until=None)
    )
    if updated:
        audit.record(
            AuditEvent.Kind.ACCOUNT_UNLOCKED,
            request=request,
            user=user,
            detail="failures reset by an operator",
        )
    return bool(updated)


@dataclass
class DisableResult:
    """What ``disable`` did."""

    devices_removed: int = 0
    challenges_cancelled: int = 0
    provider_errors: list[ProviderError] = field(default_factory=list)


def disable(user: Any, *, request: HttpRequest | None = None) -> DisableResult:
    """Turn the second factor off for ``user`` (support desk: a lost phone).

    Cancels the live challenges (provider OTPs included, best effort), deletes every
    phone, and clears the failure counter. If the policy requires a second factor for
    this user, their next sign-in goes to enrollment.
    """
    result = DisableResult()
    for challenge in Challenge.objects.filter(user=user, status=Challenge.Status.PENDING):
        outcome = cancel_challenge(challenge, request=request)
        result.challenges_cancelled += outcome.cancelled
        if outcome.provider_error is not None:
            result.provider_errors.append(outcome.provider_error)
    devices = list(PhoneDevice.objects.filter(user=user))
    with transaction.atomic():
        # Deleting the devices deletes their challenges too (CASCADE).
        PhoneDevice.objects.filter(pk__in=[device.pk for device in devices]).delete()
        FailureCounter.objects.filter(user=user).delete()
    for device in devices:
        signals.device_removed.send(sender=type(user), request=request, user=user, device=device)
    result.devices_removed = len(devices)
    audit.record(
        AuditEvent.Kind.DISABLED,
        request=request,
        user=user,
        detail=f"by an operator; {len(devices)} phone(s) removed",
    )
    return result


def remove_device(device: PhoneDevice, *, request: HttpRequest | None = None) -> None:
    """Delete one phone from the admin; another confirmed phone becomes primary."""
    user = device.user
    with transaction.atomic():
        was_primary = device.is_primary
        device.delete()
        if was_primary:
            successor = (
                PhoneDevice.objects.select_for_update()
                .filter(user=user, confirmed=True)
                .order_by("created_at", "pk")
                .first()
            )
            if successor is not None:
                successor.is_primary = True
                successor.save(update_fields=["is_primary"])
    signals.device_removed.send(sender=type(user), request=request, user=user, device=device)
    audit.record(
        AuditEvent.Kind.DEVICE_REMOVED,
        request=request,
        user=user,
        device=device,
        detail="removed by an operator",
    )
