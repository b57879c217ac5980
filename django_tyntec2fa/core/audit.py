"""The audit trail: one ``AuditEvent`` row and one log record per security event (L8).

Log records go to the logger ``django_tyntec2fa.audit``: INFO for normal events,
WARNING for failures, refusals and locks. Each record carries the fields as
attributes (``event``, ``result``, ``user_id``, ``ip``, ``channel``, ``challenge_id``,
``number``, ``detail``) for structured log handlers, and the same in its message.
Neither the row nor the record ever holds a code or a full phone number (G4): numbers
are masked with ``mask_number``, and ``detail`` is written by this app, never taken
from user input.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest

from ..abuse.ratelimits import client_ip
from ..models import AuditEvent, Challenge, PhoneDevice
from ..providers.base import mask_number

logger = logging.getLogger("django_tyntec2fa.audit")

_WARNING_KINDS = frozenset(
    {
        AuditEvent.Kind.FAILED,
        AuditEvent.Kind.CHALLENGE_EXPIRED,
        AuditEvent.Kind.ACCOUNT_LOCKED,
        AuditEvent.Kind.RATE_LIMITED,
        AuditEvent.Kind.PROVIDER_ERROR,
        AuditEvent.Kind.DISABLED,
        AuditEvent.Kind.DESTINATION_REFUSED,
        AuditEvent.Kind.DESTINATION_BLOCKED,
        AuditEvent.Kind.CONVERSION_BLOCK,
        AuditEvent.Kind.SEND_BUDGET_EXHAUSTED,
        AuditEvent.Kind.LOOKUP_FAILED,
    }
)


def record(
    kind: AuditEvent.Kind,
    *,
    request: HttpRequest | None = None,
    user: Any = None,
    challenge: Challenge | None = None,
    device: PhoneDevice | None = None,
    detail: str = "",
) -> AuditEvent:
    """Write one audit row and one log record; returns the saved row.

    ``user`` defaults to the challenge's or device's user, ``device`` to the
    challenge's device. Raises only what saving a row raises (database errors).
    """
    if device is None and challenge is not None:
        device = challenge.device
    user_id = getattr(user, "pk", None)
    if user_id is None:
        user_id = (challenge.user_id if challenge else None) or (device.user_id if device else None)
    ip = client_ip(request)
    event = AuditEvent.objects.create(
        kind=kind,
        user_id=user_id,
        ip=ip or None,
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request else "")[:200],
        channel=(challenge.channel if challenge else device.channel if device else "") or "",
        challenge_id=challenge.pk if challenge else None,
        number=mask_number(device.number) if device else "",
        detail=detail[:200],
    )
    fields = {
        "event": str(event.kind),
        "result": str(event.kind),
        "user_id": user_id,
        "ip": ip,
        "channel": event.channel,
        "challenge_id": event.challenge_id,
        "number": event.number,
        "detail": event.detail,
    }
    logger.log(
        logging.WARNING if kind in _WARNING_KINDS else logging.INFO,
        "tyntec2fa %(event)s user=%(user_id)s ip=%(ip)s channel=%(channel)s "
        "challenge=%(challenge_id)s number=%(number)s detail=%(detail)s",
        fields,
        extra=fields,
    )
    return event
