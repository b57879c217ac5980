"""The cost defences every send passes before the provider is called (P1-P4, E6).

``check_send`` runs in ``start`` and ``resend`` (so in every login, step-up and
enrollment send); ``check_enrollment`` refuses a number before a phone is even stored
for it. The order is deliberate:

1. the destination policy (``destinations``: countries, number types): free, no I/O;
   then tyntec's circuit breaker (``breaker``: one cache read): while it is open no
   code can go out, and the user's limits are not spent on trying;
2. conversion blocks (``conversion``): one query, none for a trusted phone;
3. the rate limits (``ratelimits``: user, number, IP, session, prefix), counted even
   when they or a block (2) refuse, so probing costs the prober;
4. the number lookup hook, which may cost money per call, so only after the limits;
5. the global budget (``velocity``), last, so it counts only codes that go out.

The errors are audited and signalled by ``flows.common.audited`` around the call.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.http import HttpRequest

from ..choices import Channel
from ..conf import app_settings
from ..core import audit
from ..exceptions import DestinationBlocked, RateLimited
from ..models import AuditEvent, PhoneDevice
from ..providers.tyntec import breaker
from . import conversion, counters, destinations, ratelimits, velocity


def check_send(request: HttpRequest | None, user: Any, device: PhoneDevice, channel: str) -> None:
    """Refuse a code to ``device`` on ``channel`` unless every defence lets it through.

    Raises ``DestinationRefused``, ``DestinationBlocked``, ``RateLimited`` or
    ``SendBudgetExhausted``; nothing is sent then. ``LimitsUnavailable`` when the
    rate-limit cache cannot be reached: no code goes out without its limits.
    ``CircuitOpen`` first while tyntec's circuit breaker is open.
    """
    destinations.check_destination(device.number, channel)
    breaker.refuse_while_open()  # tyntec is down: no limit is spent on a send that fails
    with counters.limits_reachable("send"):
        trusted = conversion.is_trusted(device)
        try:
            conversion.check_not_blocked(device.number, trusted=trusted, user=user)
        except DestinationBlocked:
            # Trying a blocked destination costs the account, session and IP their
            # limits too, so an actor that pumps one prefix is cut off everywhere.
            with contextlib.suppress(RateLimited):
                ratelimits.check_send(request, user, device.number, channel)
            raise
        ratelimits.check_send(request, user, device.number, channel, trusted=trusted)
    check_lookup(request, user, device)
    with counters.limits_reachable("send"):
        velocity.consume_budget()


def check_enrollment(number: str, channel: str) -> None:
    """Refuse to store ``number`` with the preferred ``channel``: the enrollment code
    goes by SMS (P8), later codes may go on ``channel``, so both must be allowed."""
    destinations.check_destination(number, Channel.SMS)
    destinations.check_destination(number, channel)


def claim_enrollment_send(number: str) -> ratelimits.EnrollmentSend:
    """The number's enrollment cooldown, before an enrollment code is sent to it
    (``ratelimits.claim_enrollment_send``; raises ``ResendNotAllowed``). Release the
    claim when the send is refused after it."""
    return ratelimits.claim_enrollment_send(number)


def check_lookup(request: HttpRequest | None, user: Any, device: PhoneDevice) -> None:
    """Ask the number lookup (E6); a failed lookup is logged, audited and then refused
    (fail closed, the default) or let through (``NUMBER_LOOKUP_FAIL_OPEN``)."""
    try:
        result = destinations.lookup(device.number)
    except destinations.LookupUnavailable as error:
        fail_open = app_settings.NUMBER_LOOKUP_FAIL_OPEN
        audit.record(
            AuditEvent.Kind.LOOKUP_FAILED,
            request=request,
            user=user,
            device=device,
            detail=f"{error}; fail {'open' if fail_open else 'closed'}",
        )
        if fail_open:
            return
        raise destinations.lookup_failed_error(str(error)) from None
    if result is not None:
        destinations.check_lookup_result(result)


def unsaved_device(user: Any, number: str, channel: str) -> PhoneDevice:
    """A phone that is not stored, for the audit trail of a refused enrollment."""
    return PhoneDevice(user_id=user.pk, number=number, channel=channel)
