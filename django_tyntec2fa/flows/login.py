"""The login flow around ``session.py``: the pending login, its code, step-up, abort.

``admit_password`` throttles the password step of the app's ``LoginView`` and API
before the password is checked. ``decide`` is the one decision of what a password login
owes (nothing, a trusted browser, a code, a phone first), taken once per login by
whoever logs a user in: the app's ``LoginView`` (``password_login``, which keeps a
"nothing" or "trusted" in the session for the ``auth.login`` that follows), the
``user_logged_in`` receiver of any other ``auth.login()`` and the API
(``owe_second_factor``), and the gate middleware and the decorators for a session that
is logged in without proof. A login that owes a code becomes pending (every view sees
an anonymous user, S1) and, on a POST, the code goes out. ``verify_login`` completes the
login with a new session key (S3); ``abort_login`` and logout wipe the pending state and
cancel the code (S11). ``enrolling_user`` says who may add a phone in a request.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ..abuse import ratelimits
from ..abuse.counters import limits_reachable
from ..choices import Purpose
from ..core import audit, session
from ..core.policy import (
    login_device,
    login_devices,
    requires_second_factor,
)
from ..exceptions import (
    ChallengeError,
    DeviceError,
    LimitsUnavailable,
    LoginTimeout,
    ProviderError,
    RateLimited,
    SecondFactorPending,
)
from ..models import AuditEvent, Challenge, PhoneDevice
from . import refusals, trust
from .challenge import cancel, cancel_where, live_challenge, send_code, start
from .common import renew_token_proof
from .sensitive import Sensitive, require_fresh
from .verify import verify

logger = logging.getLogger("django_tyntec2fa.flows")


@dataclass(frozen=True)
class PasswordStep:
    """What ``password_login`` started. The app's ``LoginView`` needs only ``purpose``
    (it redirects to the code page); the phones and the challenge are there for a front
    end that shows them at once."""

    #: ``Purpose.LOGIN`` (a code is owed) or ``Purpose.ENROLL`` (the policy requires
    #: a phone first).
    purpose: Purpose
    #: The user's confirmed phones, the one the code went to first.
    devices: list[PhoneDevice]
    #: The code's challenge; None when sending failed (the page offers to send again).
    challenge: Challenge | None


#: The answers of a refused password step (``admit_password``).
LOGIN_RATE_LIMITED = _("Too many sign-in attempts. Please wait a few minutes and try again.")
LOGIN_UNAVAILABLE = _("Signing in is not possible right now. Please try again in a few minutes.")


def admit_password(request: HttpRequest, username: str) -> None:
    """May this request's password step for ``username`` be checked at all? Call it
    BEFORE the password is evaluated, so the answer of a refused step never depends on
    the password (nor on whether ``username`` exists, U1).

    Counts the attempt against ``TYNTEC2FA_LOGIN_RATE_IP`` and
    ``TYNTEC2FA_LOGIN_RATE_USER`` (``ratelimits.check_login``). Raises, audited:
    ``RateLimited`` (429, ``retry_after`` = when the tightest window ends) and
    ``LimitsUnavailable`` (503, fail closed: without its counts no password is tried).
    """
    try:
        with limits_reachable("password step"):
            ratelimits.check_login(request, username)
    except RateLimited as error:
        audit.record(AuditEvent.Kind.RATE_LIMITED, request=request, detail=f"login: {error}")
        raise RateLimited(
            str(error), message=LOGIN_RATE_LIMITED, retry_after=error.retry_after
        ) from None
    except LimitsUnavailable as error:
        audit.record(AuditEvent.Kind.PROVIDER_ERROR, request=request, detail=f"login: {error}")
        raise LimitsUnavailable(
            str(error), message=LOGIN_UNAVAILABLE, retry_after=error.retry_after
        ) from None


class Owed(StrEnum):
    """What a password login owes (``decide``)."""

    #: No second factor: the policy asks none of this user.
    NOTHING = "nothing"
    #: A trusted browser spares this sign-in its code (S9).
    TRUSTED = "trusted"
    #: The code of the user's primary phone.
    CODE = "code"
    #: A phone first: the policy requires one and the user has none.
    PHONE_FIRST = "phone_first"


def decide(
    request: HttpRequest, user: Any, *, sign_in: bool = True
) -> tuple[Owed, list[PhoneDevice]]:
    """The one decision of what the login of ``user`` owes, once per password login:
    nothing, a trusted browser, a code, or a phone first. Returns it with the user's
    confirmed phones, the one the code goes to first (one query decides).

    ``sign_in``: a fresh login, where a trusted browser may spare the code
    (``trust.sign_in``, which is asked only here); a session found logged in without
    proof always owes it. Raises ``ImproperlyConfigured`` (a broken
    ``TYNTEC2FA_REQUIRED``) and database errors.
    """
    devices = login_devices(user)
    device = devices[0] if devices else None
    if not requires_second_factor(user, device=device):
        return Owed.NOTHING, devices
    if sign_in and device is not None and trust.sign_in(request, user) is not None:
        return Owed.TRUSTED, devices
    return (Owed.CODE if device is not None else Owed.PHONE_FIRST), devices


def password_login(request: HttpRequest, user: Any) -> PasswordStep | None:
    """The password step of ``user``, without ``auth.login`` when a second factor is
    owed (S1): the session becomes a pending login and, on a POST, the code goes out.

    Returns what was started, or None when ``user`` needs no second factor: the caller
    logs them in with ``auth.login`` then. One query decides (the user's phones).
    None too when a trusted browser spares the code (``trust.sign_in``, S9). Either
    decision is kept in the session (``session.record_decision``) for the
    ``user_logged_in`` receiver of the ``auth.login`` that follows, which applies it
    without deciding again.
    Raises what ``begin_login`` raises.
    """
    owed, devices = decide(request, user)
    if owed in (Owed.NOTHING, Owed.TRUSTED):
        # Kept in the session for the auth.login() that follows and its receiver
        # (owe_second_factor), which apply it instead of deciding again.
        session.record_decision(request, user, owed.value)
        return None
    if session.has_pending_state(request):
        abort_login(request)  # S4: whoever's it was, its code dies with it
    device = devices[0] if devices else None
    challenge = begin_login(request, user, device=device, backend=backend_of(user))
    purpose = Purpose.LOGIN if device is not None else Purpose.ENROLL
    return PasswordStep(purpose=purpose, devices=devices, challenge=challenge)


def owe_second_factor(
    request: HttpRequest, user: Any, *, sign_in: bool = False
) -> session.PendingLogin | None:
    """``user`` has just been logged in (or was found logged in without proof of the
    second factor): begin the second factor if the policy asks for one.

    Returns the pending login that now stands in the session, or None when ``user``
    owes no second factor (remembered in the session, so it is not asked again this
    login). One query decides for a user with a phone. ``sign_in``: this is a fresh
    login (the ``user_logged_in`` receiver), where a trusted browser may spare the
    code (``trust.sign_in``, S9); a session found logged in without proof always owes
    it. Raises ``ImproperlyConfigured`` (a broken ``TYNTEC2FA_REQUIRED``),
    ``LoginTimeout`` when the session did not keep the pending login (fail closed),
    and database errors.
    """
    recorded = session.take_decision(request, user) if sign_in else None
    if recorded is not None:
        owed, device = Owed(recorded), None  # password_login decided a moment ago
    else:
        owed, devices = decide(request, user, sign_in=sign_in)
        device = devices[0] if devices else None
    if owed == Owed.NOTHING:
        session.remember_not_required(request)
        return None
    if owed == Owed.TRUSTED:
        session.mark_trusted(request)
        return None
    begin_login(request, user, device=device)
    pending = session.get_pending(request)
    if pending is None:
        raise LoginTimeout("the pending login was not kept")
    return pending


def backend_of(user: Any) -> str:
    """The authentication backend that accepted ``user`` (set by ``authenticate``), or
    the only configured one; ``ValueError`` otherwise, as ``auth.login`` raises."""
    backend = getattr(user, "backend", None)
    if backend:
        return str(backend)
    backends = settings.AUTHENTICATION_BACKENDS
    if len(backends) == 1:
        return str(backends[0])
    raise ValueError("Several authentication backends are configured: name the user's backend.")


def begin_login(
    request: HttpRequest,
    user: Any,
    *,
    device: PhoneDevice | None = None,
    backend: str | None = None,
) -> Challenge | None:
    """Make the fresh login of ``user`` pending and, on a POST, send the login code;
    returns the code's challenge, or None when none was sent.

    A pending login of another user in this session is discarded with its challenge
    (S4). Users without a confirmed phone get an "enroll" pending login and no code.
    ``device``: the user's ``policy.login_device``, when the caller has just loaded it
    (saves the query); None looks it up. ``backend``: given when ``auth.login`` was
    not called (``password_login``); None takes the login out of the session (the
    ``user_logged_in`` receiver). Sending errors (provider, rate limit, lock)
    are audited by ``start`` and logged here, not raised: this runs inside
    ``auth.login()``, and the challenge page offers to send the code again. Raises
    nothing else but database errors. A refusal is kept for ``refusals.login_refusal``.
    """
    previous = session.get_pending(request)
    if previous is not None and previous.user_pk != str(user.pk):
        cancel_where(request, user_id=previous.user_pk, purpose=previous.purpose)
    if device is None:
        device = login_device(user)
    purpose = Purpose.LOGIN if device is not None else Purpose.ENROLL
    if backend is None:
        session.begin_pending(request, user, purpose=purpose)
    else:
        session.enter_pending(request, user, backend=backend, purpose=purpose)
    if purpose == Purpose.LOGIN and request.method == "POST":  # never send on GET (P5)
        try:
            challenge = start(request, user, purpose=Purpose.LOGIN, device=device)
        except (ChallengeError, DeviceError, ProviderError) as error:
            logger.info("Login code for user %s not sent: %s", user.pk, error.code)
            refusals.remember(request, error)  # the challenge page and the API say why
        else:
            refusals.forget(request)
            return challenge
    return None


def verify_login(
    request: HttpRequest,
    code: Any,
    *,
    found: tuple[session.PendingLogin, Any] | None = None,
    remember: bool = False,
) -> Any:
    """Check the pending login's code and sign the user in; returns the user.

    ``found``: the ``(pending, user)`` this request already loaded with
    ``session.get_pending`` and ``session.pending_user`` (saves loading the user
    again); None loads them. ``remember``: the user asked to trust this browser
    (``trust.remember``; the front end sets the cookie with ``trust.update_cookie``).
    Raises ``LoginTimeout`` when there is no pending login, it timed out (S2) or the
    user's password changed since; otherwise what ``verify`` raises.
    """
    pending, user = found if found is not None else _pending(request)
    verify(request, user, purpose=Purpose.LOGIN, code=code)
    session.complete_login(request, user, pending)
    if remember:
        trust.remember(request, user)
    return user


def send_login_code(
    request: HttpRequest,
    *,
    device: PhoneDevice | None = None,
    channel: str | None = None,
) -> Challenge:
    """Send a new login code (a new challenge) to ``device``, one of the pending user's
    confirmed phones, or to their primary phone.

    Raises ``LoginTimeout`` and what ``start`` raises.
    """
    _pending_, user = _pending(request)
    return start(request, user, purpose=Purpose.LOGIN, device=device, channel=channel)


def resend_login_code(
    request: HttpRequest,
    *,
    device: PhoneDevice | None = None,
    channel: str | None = None,
) -> Challenge:
    """The "send me a code" button of a pending login: the live code again (on
    ``channel``: "call me instead"), a new code to ``device`` ("use another phone"),
    or a new code when none is live (the first send failed, or the code died).

    Raises ``LoginTimeout`` and what ``send_code`` raises.
    """
    _pending_, user = _pending(request)
    return send_code(request, user, purpose=Purpose.LOGIN, device=device, channel=channel)


def step_up(
    request: HttpRequest, code: Any, *, user: Any = None, token_key: str | None = None
) -> None:
    """Check a step-up code of the signed-in user: their second factor is recent again
    (S10). A session is marked verified now and gets a new key (S3); an API token
    client (``token_key``, the token that authenticated the request; ``user``, its
    user) has the token's proof renewed instead: the token is its only state.

    Raises ``LoginTimeout`` when nobody is signed in; otherwise what ``verify`` raises.
    """
    user = user if user is not None else _signed_in(request)
    verify(request, user, purpose=Purpose.STEP_UP, code=code)
    if token_key is not None:
        renew_token_proof(request, user, token_key)
        return
    session.mark_verified(request)
    session.rotate_key(request)


def send_step_up_code(request: HttpRequest, *, channel: str | None = None) -> Challenge:
    """Send a step-up code to the signed-in user's primary phone.

    Raises ``LoginTimeout`` when nobody is signed in; otherwise what ``start`` raises.
    """
    return start(request, _signed_in(request), purpose=Purpose.STEP_UP, channel=channel)


@dataclass(frozen=True)
class Enrolling:
    """Who may add a phone in a request (``enrolling_user``)."""

    user: Any
    #: The pending login this enrollment completes; None for a signed-in user.
    pending: session.PendingLogin | None


def enrolling_user(request: HttpRequest, signed_in: Any = None) -> Enrolling:
    """Who may add a phone now: ``signed_in`` (the request's authenticated user, if
    any), or the pending login of this session when its policy requires a phone first.

    A signed-in user who already has a confirmed phone needs a recent second factor
    (E2: binding a new authenticator): ``StepUpRequired`` otherwise. A pending login
    that has done only its password step can never add a phone, so a stolen password
    cannot bind the thief's phone (E2, CVE-2019-16766): ``SecondFactorPending``.
    ``LoginTimeout`` when nobody is signed in or pending.
    """
    if signed_in is not None and signed_in.is_authenticated:
        require_fresh(request, signed_in, Sensitive.ADD_PHONE)
        return Enrolling(user=signed_in, pending=None)
    pending, user = _pending(request)
    if not pending.enrolling:
        raise SecondFactorPending("a password-only login may not add a phone")
    return Enrolling(user=user, pending=pending)


def abort_login(request: HttpRequest) -> None:
    """Forget the pending login and cancel its code at the provider (S11). Safe to
    call without one; raises nothing but database errors."""
    pending = session.get_pending(request)
    if pending is not None:
        cancel_where(request, user_id=pending.user_pk, purpose=pending.purpose)
    session.clear_pending(request)


def end_challenges(request: HttpRequest | None, user: Any) -> None:
    """A logout of ``user``: their live step-up and enrollment codes die with it (S11).
    Raises nothing but database errors."""
    for purpose in (Purpose.STEP_UP, Purpose.ENROLL):
        if live_challenge(user, purpose) is not None:
            cancel(request, user, purpose=purpose)


def _pending(request: HttpRequest) -> tuple[session.PendingLogin, Any]:
    pending = session.get_pending(request)
    user = session.pending_user(request, pending) if pending is not None else None
    if pending is None or user is None:
        raise LoginTimeout("no pending login")
    return pending, user


def _signed_in(request: HttpRequest) -> Any:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        raise LoginTimeout("nobody is signed in")
    return user
