"""Typed errors of django-tyntec2fa.

Every error carries a stable machine-readable ``code`` and a translated, user-safe
``message``. ``detail`` is for operators (logs, admin) and never contains an API key,
a code or a full phone number (G4). ``http_status`` is the status every front end
answers a refusal with (the HTML pages and the JSON API alike); never 500, the state is
kept (fail closed). Each row of the provider error table in ``docs/providers.md`` maps
to exactly one class here or to a normal ``CheckResult``.

These are the only error codes: the JSON API answers with them (``api.errors`` gives
DRF's permission and authentication classes the same codes), and ``refusal_response``
builds the JSON answer of a refusal for the gate and the API alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpResponse, JsonResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

#: The scheme a 401 names (RFC 9110 asks for one): the session's second factor.
SECOND_FACTOR_CHALLENGE = 'SecondFactor realm="session"'

#: The most a 503 without a known wait asks a client to wait (seconds): tyntec failed
#: once (a timeout, a 5xx) while the circuit breaker is still closed.
UNAVAILABLE_RETRY_AFTER = 30


def unavailable_retry_after() -> int:
    """The ``Retry-After`` of a 503 whose wait nobody knows (the breaker is closed, or
    an unexpected answer): ``TYNTEC2FA_BREAKER_COOL_OFF``, the wait a client would be
    given if this failure were the one that opens the breaker, at most
    ``UNAVAILABLE_RETRY_AFTER`` and at least 1 second. Every 503 carries a wait."""
    from .conf import app_settings  # conf is below nothing; imported late all the same

    try:
        cool_off = int(app_settings.BREAKER_COOL_OFF)
    except (TypeError, ValueError):  # reported by check E042
        cool_off = UNAVAILABLE_RETRY_AFTER
    return max(1, min(cool_off, UNAVAILABLE_RETRY_AFTER))


class Tyntec2FAError(Exception):
    """Base class of every error raised by this app."""

    code: str = "error"
    #: The HTTP status of a refusal, for the pages and the API alike.
    http_status: int = 400
    default_message: str | Promise = _("The second factor could not be processed.")
    #: What the user may do next after a refused code: ``lockout.Standing`` (tries
    #: left, the wait, the lock), set by the flows on every refusal of a code; None on
    #: other errors. The pages and the API read it, never work it out themselves.
    standing: Any = None

    def __init__(
        self,
        detail: str = "",
        *,
        message: str | Promise | None = None,
        retry_after: int | None = None,
    ) -> None:
        self.detail = detail
        if retry_after is None and self.http_status == 503:
            retry_after = unavailable_retry_after()  # every 503 says when to try again
        #: Seconds until trying again makes sense, when known (the pages show it as a
        #: time, the API sends ``Retry-After``); None for most refusals, never for a 503.
        self.retry_after = retry_after
        self.message = message if message is not None else self.default_message
        super().__init__(detail or str(self.message))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.detail!r})"


class ProviderError(Tyntec2FAError):
    """The provider did not give a usable answer. Always fails closed (R1)."""

    code = "provider_error"
    http_status = 503  # the provider failed: temporary, fail closed
    default_message = _(
        "The verification service could not process the request. No code was accepted."
    )


class ProviderUnavailable(ProviderError):
    """Timeout, connection failure, HTTP 429 or 5xx, or the circuit breaker is open: try
    again later. ``retry_after`` (seconds): the rest of the cool-off while the breaker is
    open, else ``unavailable_retry_after()``."""

    code = "provider_unavailable"
    default_message = _(
        "The verification service is unavailable right now. Please try again in a few minutes."
    )
    #: The message when the page also says when to try again (``retry_after`` known).
    timed_message = _("The verification service is unavailable right now.")


class CircuitOpen(ProviderUnavailable):
    """The circuit breaker refused the call while tyntec is unwell: nothing reached the
    provider (no code sent, no attempt spent). ``retry_after`` is the rest of the cool-off."""


class LimitsUnavailable(ProviderUnavailable):
    """The rate-limit cache cannot be reached, so no code is sent or checked without its
    limits (fail closed). The user sees the same answer as for a provider outage."""


class ProviderConfigurationError(ProviderError):
    """The provider refused our credentials (HTTP 401/403 without an OTP body)."""

    code = "provider_configuration"
    default_message = _(
        "The verification service is not configured correctly. Please contact the site administrator."
    )


class ProviderProtocolError(ProviderError):
    """An answer that does not follow the documented API: never taken as success."""

    code = "provider_protocol"
    default_message = _("The verification service gave an unexpected answer. No code was accepted.")


class ProviderRejected(ProviderError):
    """HTTP 400 with tyntec's ``{code, message}`` body, e.g. an invalid number."""

    code = "provider_rejected"
    http_status = 400  # e.g. a number the provider refuses: the user can correct it
    default_message = _("The verification service rejected the request.")

    def __init__(
        self,
        detail: str = "",
        *,
        provider_code: str | None = None,
        message: str | Promise | None = None,
    ) -> None:
        self.provider_code = provider_code
        super().__init__(detail, message=message)


class OtpNotFound(ProviderError):
    """The provider does not know this OTP id (HTTP 404)."""

    code = "otp_not_found"
    http_status = 400  # a dead code, like InvalidCode (one answer for all, L7)
    default_message = _("This code is no longer valid. Please request a new code.")


class OtpNotActive(ProviderError):
    """The OTP reached a final state and cannot be resent (tyntec resend HTTP 401)."""

    code = "otp_not_active"
    http_status = 400  # a dead code, like InvalidCode (one answer for all, L7)
    default_message = _("This code is no longer valid. Please request a new code.")


class ApplicationError(Tyntec2FAError):
    """The tyntec application cannot be read or changed as asked (``manage.py
    tyntec2fa_application``): an unknown or malformed ``TYNTEC2FA_APPLICATION_ID``, or a
    change the operator has not allowed. ``detail`` says which, for the operator."""

    code = "application_error"
    http_status = 409  # the configuration, not the request, is in the way


class ChallengeError(Tyntec2FAError):
    """The user's attempt at the second factor was refused; nothing was verified."""

    code = "challenge_error"


class InvalidCode(ChallengeError):
    """Wrong code. The same answer as for an expired or already used code where telling
    them apart would help an attacker (L7)."""

    code = "invalid_code"
    default_message = _("That code is not valid. Check the code and try again.")


class ChallengeExpired(ChallengeError):
    """No live challenge: expired, used up, used, or cancelled. A new code is needed (L1)."""

    code = "challenge_expired"
    default_message = _("This code is no longer valid. Please request a new code.")


class TooManyAttempts(ChallengeError):
    """The last allowed attempt on this challenge was wrong (L1)."""

    code = "too_many_attempts"
    default_message = _("Too many wrong codes. Please request a new code.")


class AccountLocked(ChallengeError):
    """Too many consecutive failures on the account: a wait (``retry_after``) or, at the
    cap, locked until an administrator unlocks it (L2)."""

    code = "account_locked"
    http_status = 403
    default_message = _(
        "Too many wrong codes on this account. Two-factor sign-in is locked; "
        "please contact support."
    )


class RateLimited(ChallengeError):
    """A rate limit refused the request; ``retry_after`` says when to try again."""

    code = "rate_limited"
    http_status = 429
    default_message = _("Too many requests. Please try again later.")


class ChallengeBusy(ChallengeError):
    """Another request is checking a code of this challenge right now (a double click,
    parallel requests), or the database was locked by one (SQLite): nothing was
    counted or checked for this request; try again in a moment."""

    code = "challenge_busy"
    http_status = 429  # too early: Retry-After says when to try again
    default_message = _(
        "Another check of your code is still running. Please try again in a moment."
    )


class ResendNotAllowed(ChallengeError):
    """Resend asked for too early (cooldown) or too often for this challenge."""

    code = "resend_not_allowed"
    http_status = 429
    default_message = _("A new code cannot be sent yet.")


class DeviceError(Tyntec2FAError):
    """A phone number or device operation was refused (invalid number, duplicate,
    unknown device, last device without a recent second factor)."""

    code = "device_error"
    default_message = _("This phone number cannot be used.")


class StepUpRequired(DeviceError):
    """Adding a phone to an account that has one, or removing the last one, needs a
    second factor within ``TYNTEC2FA_STEP_UP_MAX_AGE`` in this session (E2, E3, S10)."""

    code = "step_up_required"
    # 403, not 401: the credentials are good (a 401 asks for other credentials, and
    # DRF would have to name a scheme); what is missing is a fresh code.
    http_status = 403
    default_message = _("Please confirm it is you with a code first.")


class SecondFactorPending(DeviceError):
    """A sign-in that has done only its password step asked to add a phone: it must
    enter the code sent to the phone it has (E2); only a sign-in that the policy sends
    to enrollment may add one."""

    code = "second_factor_required"
    http_status = 401
    default_message = _("Please enter the code sent to your phone first.")


class SecondFactorRequired(Tyntec2FAError):
    """Signed in with the password only (a pending login), or with a credential that
    never passed the second factor: the gate's and the API's 401."""

    code = "second_factor_required"
    http_status = 401
    default_message = _("A second factor is required.")


class EnrollmentRequired(Tyntec2FAError):
    """The pending login must add a phone before it can go on (``TYNTEC2FA_REQUIRED``)."""

    code = "enrollment_required"
    http_status = 401
    default_message = _("Please add a phone number first.")


class InvalidCredentials(Tyntec2FAError):
    """Wrong username or password, or an inactive account: one answer for all (U1)."""

    code = "invalid_credentials"
    default_message = _("Please enter a correct username and password.")


class NoPendingLogin(Tyntec2FAError):
    """A login step for a session that is already signed in."""

    code = "no_pending_login"
    http_status = 409
    default_message = _("There is no sign-in waiting for a code.")


class TokenNeedsSecondFactor(Tyntec2FAError):
    """An API token was asked for by a user who has no second factor to pass (S6)."""

    code = "second_factor_not_set_up"
    http_status = 403
    default_message = _(
        "API tokens are issued only after a second factor. Please add a phone number first."
    )


class CsrfFailed(Tyntec2FAError):
    """A cookie-authenticated request of the API without a valid CSRF token."""

    code = "csrf_failed"
    http_status = 403
    default_message = _("CSRF verification failed. Send the X-CSRFToken header.")


class TokenUnavailable(Tyntec2FAError):
    """The site cannot mint API tokens right now (``rest_framework.authtoken`` installed
    but not migrated, or an issuer that failed): the API's 503."""

    code = "token_unavailable"
    http_status = 503
    default_message = _(
        "Signing in with an API token is not possible right now. Please try again later."
    )


class LoginTimeout(ChallengeError):
    """The password step is too old; the user must sign in again (S2)."""

    code = "login_timeout"
    default_message = _("Your sign-in timed out. Please sign in again.")


class SendRefused(ChallengeError):
    """A cost defence refused to send a code (P1-P4, E6): nothing was sent. Every
    refusal is audited and sends the ``send_refused`` signal."""

    code = "send_refused"
    http_status = 403  # a destination that gets no code (blocks carry retry_after)
    default_message = _("No code can be sent to this phone number.")


class DestinationRefused(SendRefused):
    """The number's country, its number type or the number lookup does not allow a
    code to go there (P1, P2, E6)."""

    code = "destination_refused"
    default_message = _("Codes cannot be sent to this phone number. Please use another number.")


class DestinationBlocked(DestinationRefused):
    """Sends to the number's country or prefix are blocked for a while: many codes went
    there and few were used (P4). ``retry_after`` says when the block ends."""

    code = "destination_blocked"
    default_message = _(
        "Codes cannot be sent to this phone number right now. Please try again later."
    )


class SendBudgetExhausted(SendRefused):
    """The site's hourly or daily budget of codes is used up (P3, the circuit breaker);
    codes already sent can still be entered."""

    code = "send_budget_exhausted"
    http_status = 503  # the site's own circuit breaker: temporary, with retry_after
    default_message = _(
        "No codes can be sent right now. Please try again later. "
        "A code you have already received still works."
    )


class RecoveryDisabled(Tyntec2FAError):
    """Recovery codes are switched off on this site (``TYNTEC2FA_RECOVERY_CODES = 0``)."""

    code = "recovery_disabled"
    http_status = 404  # the feature does not exist here
    default_message = _("Recovery codes are not available on this site.")


#: Wrong, expired, used up or already used: one status and one answer for all (L7). The
#: pages put these on the code field; the API calls them all ``challenge_expired`` or
#: ``invalid_code``.
CODE_ERRORS: tuple[type[Tyntec2FAError], ...] = (
    InvalidCode,
    ChallengeExpired,
    TooManyAttempts,
    OtpNotFound,
    OtpNotActive,
)


def refusal_response(
    code: str,
    detail: Any,
    status: int,
    *,
    retry_after: int | None = None,
    extra: dict[str, Any] | None = None,
    response_class: Callable[..., HttpResponse] = JsonResponse,
) -> HttpResponse:
    """A refusal as JSON in the one shape, ``{"code": ..., "detail": ..., **extra}``,
    with ``Retry-After`` when the wait is known and the scheme a 401 names. The gate
    answers with Django's ``JsonResponse``; the API passes DRF's ``Response``."""
    response = response_class({"code": code, "detail": str(detail), **(extra or {})}, status=status)
    if retry_after:
        response["Retry-After"] = str(int(retry_after))
    if status == 401:
        response["WWW-Authenticate"] = SECOND_FACTOR_CHALLENGE
    return response
