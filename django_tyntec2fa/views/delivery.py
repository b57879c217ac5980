"""What happened to the code on its way to the phone, on the code pages: the words the
page shows and the small JSON answer its script polls (``challenge/delivery/``).

``flows.fallback.delivery_status`` decides everything; this module words its answer.
A GET only reports (P5: no send on GET). A POST, which the page's script sends with the
page's CSRF token, also lets the flow place the automatic call
(``TYNTEC2FA_AUTO_VOICE_FALLBACK``). Only the session's own challenge is ever reported:
the pending login's, or the signed-in user's step-up; the request names none.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import pgettext

from .. import flows
from ..core import session
from ..flows.delivery import DeliveryState
from ..flows.fallback import Delivery, delivery_status
from ..models import Challenge
from . import feedback
from .common import page

Purpose = Challenge.Purpose


def state_text(delivery: Delivery) -> str:
    """The state in words: sent, delivered, or could not be delivered."""
    if delivery.state is DeliveryState.DELIVERED:
        return pgettext("tyntec2fa", "Code status: delivered.")
    if delivery.state is DeliveryState.FAILED:
        return pgettext("tyntec2fa", "Code status: could not be delivered.")
    return pgettext("tyntec2fa", "Code status: sent.")


def hint_text(delivery: Delivery, cooldown: int = 0) -> str:
    """What the user can do about it, or what the app did: empty when nothing.
    ``cooldown``: seconds until "Call me instead" works (``flows.cooldown_seconds``);
    while it runs, the hint says from when, as the countdown beside the buttons does."""
    if delivery.voice_fallback:
        return pgettext(
            "tyntec2fa", "The text message did not arrive, so we are calling your phone instead."
        )
    if not delivery.suggest_call:
        return ""
    failed = delivery.state is DeliveryState.FAILED
    if cooldown > 0:
        when = {"time": feedback.clock_text(feedback.clock(cooldown))}
        if failed:
            return (
                pgettext("tyntec2fa", "You can get the code by a phone call instead from %(time)s.")
                % when
            )
        return (
            pgettext(
                "tyntec2fa",
                "No delivery has been reported yet. "
                "You can get the code by a phone call instead from %(time)s.",
            )
            % when
        )
    if failed:
        return pgettext("tyntec2fa", "You can get the code by a phone call instead.")
    return pgettext(
        "tyntec2fa",
        "No delivery has been reported yet. You can get the code by a phone call instead.",
    )


def delivery_context(
    request: HttpRequest, user: Any, challenge: Challenge | None
) -> dict[str, Any]:
    """The page's ``delivery``, ``delivery_text`` and ``delivery_hint`` (a GET: the
    state only, never a call). Right after a send it costs one cache read."""
    if challenge is None:
        return {"delivery": None}
    delivery = delivery_status(request, user, challenge, place_call=False)
    return {
        "delivery": delivery,
        "delivery_text": state_text(delivery),
        "delivery_hint": hint_text(delivery, flows.cooldown_seconds(challenge)),
    }


def as_json(delivery: Delivery) -> dict[str, Any]:
    """The delivery as the script (and the API) reads it."""
    return {
        "state": delivery.state.value,
        "channel": delivery.channel,
        "updated_at": delivery.updated_at.isoformat().replace("+00:00", "Z"),
        "suggest_call": delivery.suggest_call,
        "voice_fallback": delivery.voice_fallback,
    }


def _own_challenge(request: HttpRequest) -> tuple[Any, Challenge | None]:
    """The user and the live challenge this session is waiting on, if any."""
    pending = session.get_pending(request)
    if pending is not None:
        user = session.pending_user(request, pending)
        if user is None or pending.enrolling:
            return None, None
        return user, flows.live_challenge(user, Purpose.LOGIN)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user, flows.live_challenge(user, Purpose.STEP_UP)
    return None, None


@page(["GET", "POST"], pending=True)
def challenge_delivery(request: HttpRequest) -> HttpResponse:
    """``{"state", "channel", "updated_at", "suggest_call", "voice_fallback", "text",
    "hint"}`` of the session's live code; ``{"state": null}`` without one (the code
    died, or was used: the script stops asking)."""
    user, challenge = _own_challenge(request)
    if challenge is None:
        return JsonResponse({"state": None})
    delivery = delivery_status(request, user, challenge, place_call=request.method == "POST")
    hint = hint_text(delivery, flows.cooldown_seconds(challenge))
    body = {**as_json(delivery), "text": state_text(delivery), "hint": hint}
    return JsonResponse(body)
