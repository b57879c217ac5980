"""Why the password step sent no code (issue 15).

``begin_login`` sends the login code inside ``auth.login()``, so a refusal (a
conversion block, a rate limit, the send budget, the provider) cannot be raised there.
It is remembered in the session instead (``remember``), and while the pending login has
no live code the challenge page and the API's login state say why and what to do
(``login_refusal``), instead of an empty challenge.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ..choices import Purpose
from ..exceptions import (
    AccountLocked,
    ProviderUnavailable,
    Tyntec2FAError,
    unavailable_retry_after,
)
from .challenge import live_challenge

_KEY = "_tyntec2fa_login_refusal"
#: Refusals the user cannot wait out: another phone or support helps.
_LASTING = {"destination_refused", "device_error", "provider_rejected"}
WAIT_HINT = _("No code was sent. Please wait a few minutes, then ask for a new code.")
ELSEWHERE_HINT = _("No code was sent. Use another phone if you have one, or contact support.")


@dataclass(frozen=True)
class SendRefusal:
    """A refused login code: the error's ``code`` and (translated) ``message``, what to
    do (``hint``) and the seconds until trying again makes sense, when known."""

    code: str
    message: str
    hint: str
    retry_after: int | None

    @property
    def unavailable(self) -> bool:
        """The service was down (tyntec, or the rate-limit cache): the pages and the API
        answer 503 with ``Retry-After`` while it explains the empty challenge."""
        return self.code == ProviderUnavailable.code


def remember(request: HttpRequest, error: Tyntec2FAError) -> None:
    """Keep why the login code was not sent, for ``login_refusal``."""
    retry_after = error.retry_after
    request.session[_KEY] = {
        "code": error.code,
        # In the language of the password step, the one the user reads the page in.
        "message": str(error.message),
        # The moment itself, not whole seconds: a whole second cut off here made the
        # wait read one second short when the clock ticked over before it was read.
        "until": time.time() + retry_after if retry_after else None,
    }


def forget(request: HttpRequest) -> None:
    """A login code went out: nothing to explain."""
    if _KEY in request.session:
        del request.session[_KEY]


def login_refusal(request: HttpRequest, user: Any) -> SendRefusal | None:
    """Why the password step sent no code, while the pending login has no live code
    (a code sent since, by "send a new code", ends the explanation)."""
    entry = request.session.get(_KEY)
    if not isinstance(entry, dict) or entry.get("code") == AccountLocked.code:
        return None  # the page says "locked" by itself
    if live_challenge(user, Purpose.LOGIN) is not None:
        forget(request)
        return None
    until = entry.get("until")
    retry_after = None
    if isinstance(until, int | float) and not isinstance(until, bool):
        retry_after = max(0, math.ceil(until - time.time()))  # never a second short
    code = str(entry.get("code", ""))
    if code == ProviderUnavailable.code:
        # The pages and the API answer 503 for it, and every 503 says when to try
        # again: at least a second, also once the remembered wait is over.
        retry_after = max(1, unavailable_retry_after() if retry_after is None else retry_after)
    return SendRefusal(
        code=code,
        message=str(entry.get("message", "")),
        hint=str(ELSEWHERE_HINT if code in _LASTING else WAIT_HINT),
        retry_after=retry_after,
    )
