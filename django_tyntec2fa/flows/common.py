"""Helpers shared by the flow modules (not public API)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest
from django.utils import timezone

from .. import signals
from ..core import audit, session
from ..exceptions import (
    DestinationBlocked,
    ProviderError,
    RateLimited,
    SendBudgetExhausted,
    SendRefused,
)
from ..models import AuditEvent, Challenge, PhoneDevice, TokenProof
from ..models.token_proof import digest
from ..providers import get_provider

logger = logging.getLogger("django_tyntec2fa.flows")


@contextmanager
def audited(
    request: HttpRequest | None,
    user: Any,
    *,
    challenge: Challenge | None = None,
    device: PhoneDevice | None = None,
    action: str = "",
) -> Iterator[None]:
    """Audit a refused send (cost defences, rate limits) or a provider error raised in
    the block, then re-raise. A refused send also sends ``signals.send_refused``.

    Do not use inside ``transaction.atomic()`` when the error leaves the block: the
    audit row would be rolled back with it.
    """
    try:
        yield
    except (SendRefused, RateLimited) as error:
        audit.record(
            _refusal_kind(error),
            request=request,
            user=user,
            challenge=challenge,
            device=device,
            detail=f"{action}: {error.detail}",
        )
        target = device or (challenge.device if challenge is not None else None)
        signals.send_refused.send(
            sender=type(user),
            request=request,
            user=user,
            number=target.number if target is not None else "",
            reason=error.code,
            error=error,
        )
        raise
    except ProviderError as error:
        audit.record(
            AuditEvent.Kind.PROVIDER_ERROR,
            request=request,
            user=user,
            challenge=challenge,
            device=device,
            detail=f"{action}: {error.code}",
        )
        raise


def _refusal_kind(error: Exception) -> AuditEvent.Kind:
    """The audit event of a refused send; most specific class first."""
    if isinstance(error, RateLimited):
        return AuditEvent.Kind.RATE_LIMITED
    if isinstance(error, DestinationBlocked):
        return AuditEvent.Kind.DESTINATION_BLOCKED
    if isinstance(error, SendBudgetExhausted):
        return AuditEvent.Kind.SEND_BUDGET_EXHAUSTED
    return AuditEvent.Kind.DESTINATION_REFUSED


def delete_at_provider(challenge: Challenge) -> ProviderError | None:
    """Delete the challenge's OTP at the provider, best effort (S11): a failure is
    logged and audited, never raised, since the challenge is already dead on our side;
    it is returned, for an operator to be told."""
    if not challenge.provider_otp_id or challenge.is_phantom:
        return None
    try:
        get_provider().delete(challenge.provider_otp_id)
    except ProviderError as error:
        logger.info("Could not delete OTP of challenge %s: %s", challenge.pk, error.code)
        # Operators watch provider_error events (L8); an outage hides in logs otherwise.
        audit.record(
            AuditEvent.Kind.PROVIDER_ERROR, challenge=challenge, detail=f"delete: {error.code}"
        )
        return error
    return None


def renew_token_proof(request: HttpRequest | None, user: Any, token_key: str) -> None:
    """A code was verified by a client that holds a proven API token (step-up, a new
    phone): the token's second factor is recent again, for this request and the next."""
    now = timezone.now()
    TokenProof.objects.filter(key_digest=digest(token_key), user_id=user.pk).update(verified_at=now)
    if request is not None:
        session.set_request_proof(request, user, now.timestamp())


def recent_for(request: HttpRequest | None, user: Any) -> bool:
    """True when ``request``'s session belongs to ``user`` and passed the second factor
    within ``TYNTEC2FA_STEP_UP_MAX_AGE`` (E2, E3), or its API token proves one as recent."""
    if request is None:
        return False
    if session.is_fresh(session.request_verified_at(request, user)):
        return True  # an API token minted or renewed by a recent second factor
    if getattr(request, "session", None) is None:
        return False
    return request.session.get(SESSION_KEY) == str(user.pk) and session.is_recent(request)
