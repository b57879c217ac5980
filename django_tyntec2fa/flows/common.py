"""Helpers shared by the flow modules (not public API)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest

from .. import audit, session
from ..exceptions import ProviderError, RateLimited
from ..models import AuditEvent, Challenge, PhoneDevice
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
    """Audit a rate-limit refusal or a provider error raised in the block, then re-raise.

    Do not use inside ``transaction.atomic()`` when the error leaves the block: the
    audit row would be rolled back with it.
    """
    try:
        yield
    except RateLimited as error:
        audit.record(
            AuditEvent.Kind.RATE_LIMITED,
            request=request,
            user=user,
            challenge=challenge,
            device=device,
            detail=f"{action}: {error.detail}",
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


def delete_at_provider(challenge: Challenge) -> None:
    """Delete the challenge's OTP at the provider, best effort (S11): a failure is
    logged, never raised, since the challenge is already dead on our side."""
    if not challenge.provider_otp_id:
        return
    try:
        get_provider().delete(challenge.provider_otp_id)
    except ProviderError as error:
        logger.info("Could not delete OTP of challenge %s: %s", challenge.pk, error.code)


def recent_for(request: HttpRequest | None, user: Any) -> bool:
    """True when ``request``'s session belongs to ``user`` and passed the second factor
    within ``TYNTEC2FA_STEP_UP_MAX_AGE`` (E2, E3)."""
    if request is None or getattr(request, "session", None) is None:
        return False
    return request.session.get(SESSION_KEY) == str(user.pk) and session.is_recent(request)
