"""The login flow around ``session.py``: the pending login, its code, step-up, abort.

After any ``django.contrib.auth.login()`` of a user who needs a second factor, the
``user_logged_in`` receiver calls ``begin_login``: the session becomes pending (every
view sees an anonymous user, S1) and, on a POST, the code goes out. ``verify_login``
completes the login with a new session key (S3); ``abort_login`` and logout wipe the
pending state and cancel the code (S11).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .. import session
from ..exceptions import ChallengeError, DeviceError, LoginTimeout, ProviderError
from ..models import Challenge, PhoneDevice
from ..policy import login_device, login_devices, rule_requires
from .challenge import cancel, cancel_where, live_challenge, resend, start
from .verify import verify

logger = logging.getLogger("django_tyntec2fa.flows")
Purpose = Challenge.Purpose
#: The pending login's purpose (session.PendingLogin.purpose) -> the challenge's.
_PURPOSES = {"login": Purpose.LOGIN, "enroll": Purpose.ENROLL}


@dataclass(frozen=True)
class PasswordStep:
    """What ``password_login`` started: enough to show the challenge page at once."""

    #: ``"login"`` (a code is owed) or ``"enroll"`` (the policy requires a phone first).
    purpose: str
    #: The user's confirmed phones, the one the code went to first.
    devices: list[PhoneDevice]
    #: The code's challenge; None when sending failed (the page offers to send again).
    challenge: Challenge | None


def password_login(request: HttpRequest, user: Any) -> PasswordStep | None:
    """The password step of ``user``, without ``auth.login`` when a second factor is
    owed (S1): the session becomes a pending login and, on a POST, the code goes out.

    Returns what was started, or None when ``user`` needs no second factor: the caller
    logs them in with ``auth.login`` then. One query decides (the user's phones).
    Raises what ``begin_login`` raises.
    """
    devices = login_devices(user)
    device = devices[0] if devices else None
    if device is None and not rule_requires(user):
        setattr(request, session.NOT_REQUIRED_ATTR, True)
        return None
    if session.has_pending_state(request):
        abort_login(request)  # S4: whoever's it was, its code dies with it
    challenge = begin_login(request, user, device=device, backend=backend_of(user))
    purpose = "login" if device is not None else "enroll"
    return PasswordStep(purpose=purpose, devices=devices, challenge=challenge)


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
    nothing else but database errors.
    """
    previous = session.get_pending(request)
    if previous is not None and previous.user_pk != str(user.pk):
        cancel_where(
            request,
            user_id=previous.user_pk,
            purpose=_PURPOSES.get(previous.purpose, Purpose.LOGIN),
        )
    if device is None:
        device = login_device(user)
    purpose = "login" if device is not None else "enroll"
    if backend is None:
        session.begin_pending(request, user, purpose=purpose)
    else:
        session.enter_pending(request, user, backend=backend, purpose=purpose)
    if purpose == "login" and request.method == "POST":  # never send on GET (P5)
        try:
            return start(request, user, purpose=Purpose.LOGIN, device=device)
        except (ChallengeError, DeviceError, ProviderError) as error:
            logger.info("Login code for user %s not sent: %s", user.pk, error.code)
    return None


def verify_login(
    request: HttpRequest, code: Any, *, found: tuple[session.PendingLogin, Any] | None = None
) -> Any:
    """Check the pending login's code and sign the user in; returns the user.

    ``found``: the ``(pending, user)`` this request already loaded with
    ``session.get_pending`` and ``session.pending_user`` (saves loading the user
    again); None loads them. Raises ``LoginTimeout`` when there is no pending login,
    it timed out (S2) or the user's password changed since; otherwise what ``verify``
    raises.
    """
    pending, user = found if found is not None else _pending(request)
    verify(request, user, purpose=Purpose.LOGIN, code=code)
    session.complete_login(request, user, pending)
    return user


def send_login_code(request: HttpRequest, *, channel: str | None = None) -> Challenge:
    """Send a new login code to the pending user's primary phone (a new challenge).

    Raises ``LoginTimeout`` and what ``start`` raises.
    """
    _pending_, user = _pending(request)
    return start(request, user, purpose=Purpose.LOGIN, channel=channel)


def resend_login_code(request: HttpRequest, *, channel: str | None = None) -> Challenge:
    """Send the pending login's code again, e.g. by voice ("call me instead").

    Raises ``LoginTimeout`` and what ``resend`` raises.
    """
    _pending_, user = _pending(request)
    return resend(request, user, purpose=Purpose.LOGIN, channel=channel)


def step_up(request: HttpRequest, code: Any) -> None:
    """Check a step-up code of the signed-in user; the session is marked verified now
    and gets a new key (S3, S10).

    Raises ``LoginTimeout`` when nobody is signed in; otherwise what ``verify`` raises.
    """
    user = _signed_in(request)
    verify(request, user, purpose=Purpose.STEP_UP, code=code)
    session.mark_verified(request)
    session.rotate_key(request)


def send_step_up_code(request: HttpRequest, *, channel: str | None = None) -> Challenge:
    """Send a step-up code to the signed-in user's primary phone.

    Raises ``LoginTimeout`` when nobody is signed in; otherwise what ``start`` raises.
    """
    return start(request, _signed_in(request), purpose=Purpose.STEP_UP, channel=channel)


def abort_login(request: HttpRequest) -> None:
    """Forget the pending login and cancel its code at the provider (S11). Safe to
    call without one; raises nothing but database errors."""
    pending = session.get_pending(request)
    if pending is not None:
        cancel_where(
            request, user_id=pending.user_pk, purpose=_PURPOSES.get(pending.purpose, Purpose.LOGIN)
        )
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
