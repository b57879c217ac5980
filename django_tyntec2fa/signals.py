"""Signals of the second factor. Every signal is sent with ``sender`` = the user's
class and the keyword arguments listed here; ``request`` may be ``None`` when a flow
runs outside a request (management commands, a project's own code).

``challenge_sent(request, user, challenge, device)``
    A code went out: a new challenge or a resend (``challenge.resend_count`` > 0),
    to ``device`` on ``challenge.channel``.
``second_factor_verified(request, user, challenge)``
    A code was right; ``challenge.purpose`` says for what (login, enroll, step-up).
``second_factor_failed(request, user, challenge, reason)``
    An attempt counted as a failure. ``reason`` is the error's ``code``:
    ``"invalid_code"``, ``"too_many_attempts"``, ``"challenge_expired"`` or
    ``"account_locked"``. ``challenge`` is ``None`` when the user had no challenge.
``account_locked(request, user, failures, until)``
    The failure counter reached a wait or the lock (L2): ``failures`` is the count,
    ``until`` the aware datetime the wait ends, or ``None`` when the factor is locked
    until an operator unlocks it.
``device_added(request, user, device)``
    A phone was confirmed and can now be used to sign in (E1/E2: notify the user).
``device_removed(request, user, device)``
    A phone was removed; ``device`` is the deleted instance (its ``pk`` is ``None``).
``send_refused(request, user, number, reason, error)``
    A code was not sent because a cost defence refused it (docs/abuse.md): ``number``
    is the E.164 destination (mask it before logging it, G4), ``reason`` the error's
    ``code`` (``"destination_refused"``, ``"destination_blocked"``,
    ``"send_budget_exhausted"`` or ``"rate_limited"``) and ``error`` the exception,
    whose ``detail`` says which rule refused. Connect an alert to it.
``provider_circuit_opened(failures, retry_after)``
    The circuit breaker around tyntec opened after ``failures`` failed calls in a row:
    every send and check fails at once for ``retry_after`` seconds (the cool-off). Sent
    once, by the worker that opened it; ``sender`` is the provider's class, not a user's.
``provider_circuit_closed()``
    A probe call after the cool-off succeeded: calls go out again. ``sender`` as above.
``recovery_codes_generated(request, user, count, replaced)``
    A new set of ``count`` recovery codes replaced the user's old set of ``replaced``
    codes, used or not (0: the user's first set). Never the codes.
``recovery_code_used(request, user, remaining)``
    A recovery code was right and is used up; ``remaining`` codes are left.
``recovery_codes_revoked(request, user, count)``
    The user's ``count`` unused recovery codes were removed (an operator, or
    ``tyntec2fa_disable``).
``browser_trusted(request, user, browser)``
    The user chose "don't ask for a code on this browser"; ``browser`` is the
    ``TrustedBrowser``.
``trusted_browser_used(request, user, browser)``
    A password sign-in skipped the code because the browser is trusted.
``trusted_browsers_revoked(request, user, count, reason)``
    ``count`` trusted browsers of the user stopped working; ``reason`` says why
    (``"forgotten"``, ``"device_added"``, ``"device_removed"``, ``"password_changed"``,
    ``"recovery_generated"``, ``"signed_out_everywhere"``, ``"operator"``, ``"disabled"``).
``voice_fallback_placed(request, user, challenge, device)``
    The app called the user's confirmed phone by itself because the SMS was not
    delivered (``TYNTEC2FA_AUTO_VOICE_FALLBACK``).

Receivers run inside the flow; an exception in a receiver propagates to the caller.
"""

from __future__ import annotations

from django.dispatch import Signal

challenge_sent = Signal()
second_factor_verified = Signal()
second_factor_failed = Signal()
account_locked = Signal()
device_added = Signal()
device_removed = Signal()
send_refused = Signal()
provider_circuit_opened = Signal()
provider_circuit_closed = Signal()
recovery_codes_generated = Signal()
recovery_code_used = Signal()
recovery_codes_revoked = Signal()
browser_trusted = Signal()
trusted_browser_used = Signal()
trusted_browsers_revoked = Signal()
voice_fallback_placed = Signal()
