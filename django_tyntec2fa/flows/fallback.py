"""The delivery of a challenge as the pages and the API show it, and the voice fallback.

A text message that failed, or that no event reported delivered within
``TYNTEC2FA_FALLBACK_AFTER`` seconds, makes the pages offer "Call me instead" first
(``Delivery.suggest_call``). With ``TYNTEC2FA_AUTO_VOICE_FALLBACK`` the app places that
call itself when it works out the delivery for a POST (``place_call``: the code page's
script polls ``challenge/delivery/`` with POST; a GET never sends, P5, so a page load,
a GET poll and ``GET /api/challenge/`` only report), as soon as the resend cooldown
allows it:

- once per challenge: the request whose conditional UPDATE sets
  ``Challenge.voice_fallback_at`` places it; any other request, in any worker, finds it
  set;
- through ``challenge.resend`` with ``channel=VOICE``, the user's own "call me instead":
  the same cooldown and resend count, a confirmed phone only, the voice rate limit, the
  voice country list and every other defence of ``abuse/guard.py``. A refused call is
  audited there and not tried again; the user may still ask for one;
- audited (``voice_fallback``) and signalled (``voice_fallback_placed``).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from .. import signals
from ..choices import Channel, Purpose
from ..conf import app_settings
from ..core import audit
from ..exceptions import Tyntec2FAError
from ..models import AuditEvent, Challenge
from .challenge import resend
from .delivery import DeliveryState, known
from .rules import cooldown_seconds

logger = logging.getLogger("django_tyntec2fa.flows")


@dataclass(frozen=True)
class Delivery:
    """What happened to the challenge's last message, for a page or the API."""

    #: ``DeliveryState``: sent, delivered or failed.
    state: DeliveryState
    #: The channel of the last message (``Channel``).
    channel: str
    #: When the state began: the send, or the event that decided it.
    updated_at: dt.datetime
    #: Offer "Call me instead" first: the SMS failed, or no delivery was reported in time.
    suggest_call: bool
    #: The app called the phone by itself for this challenge.
    voice_fallback: bool


def delivery_status(
    request: HttpRequest | None,
    user: Any,
    challenge: Challenge,
    *,
    refresh: bool = True,
    place_call: bool = False,
) -> Delivery:
    """The delivery of ``challenge`` (a live challenge of ``user``), asking the provider
    when the cached state is old enough (``flows/delivery.py``; not when ``refresh`` is
    False). With ``place_call`` (a POST: no send is ever triggered by a GET, P5), the
    automatic call when it is due; ``challenge`` is updated in place when it went out.
    Never raises for the provider or the cache."""
    found = known(challenge, refresh=refresh)
    late = time.time() - found.sent >= app_settings.FALLBACK_AFTER
    suggest = _call_helps(challenge) and (
        found.state is DeliveryState.FAILED or (found.state is DeliveryState.SENT and late)
    )
    if suggest and place_call and _auto_call_due(challenge):
        reason = "SMS failed" if found.state is DeliveryState.FAILED else "SMS not delivered"
        if _place_call(request, user, challenge, reason):
            return delivery_status(request, user, challenge, refresh=False)
    return Delivery(
        state=found.state,
        channel=challenge.channel,
        updated_at=found.since,
        suggest_call=suggest,
        voice_fallback=challenge.voice_fallback_at is not None
        and challenge.channel == Channel.VOICE,
    )


def _call_helps(challenge: Challenge) -> bool:
    """A text message of a login or step-up code: their phone is confirmed (an
    enrollment code only goes by SMS), and a call is another way to it."""
    return challenge.channel != Channel.VOICE and challenge.purpose != Purpose.ENROLL


def _auto_call_due(challenge: Challenge) -> bool:
    """The app may call now: switched on, not tried for this challenge yet, and the
    resend cooldown and count allow it (``resend`` checks them again, row-locked)."""
    return (
        app_settings.AUTO_VOICE_FALLBACK
        and challenge.voice_fallback_at is None
        and challenge.resend_count < app_settings.MAX_RESENDS
        and cooldown_seconds(challenge) == 0
    )


def _place_call(request: HttpRequest | None, user: Any, challenge: Challenge, reason: str) -> bool:
    """Claim the challenge's one automatic call and place it; True when it went out.

    The claim is a conditional UPDATE: of all the requests that find the call due,
    exactly one changes the row.
    """
    now = timezone.now()
    claimed = Challenge.objects.filter(
        pk=challenge.pk, status=Challenge.Status.PENDING, voice_fallback_at__isnull=True
    ).update(voice_fallback_at=now)
    challenge.voice_fallback_at = now  # claimed here or by another request: not again
    if not claimed:
        return False
    try:
        placed = resend(request, user, purpose=challenge.purpose, channel=Channel.VOICE)
    except Tyntec2FAError as error:
        logger.info("Voice fallback of challenge %s refused: %s", challenge.pk, error.code)
        return False
    for name in ("channel", "resend_count", "last_sent_at"):
        setattr(challenge, name, getattr(placed, name))
    audit.record(
        AuditEvent.Kind.VOICE_FALLBACK,
        request=request,
        user=user,
        challenge=challenge,
        detail=reason,
    )
    signals.voice_fallback_placed.send(
        sender=type(user), request=request, user=user, challenge=challenge, device=challenge.device
    )
    return True
