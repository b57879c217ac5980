"""DRF permission classes: the second factor for API views (S6, S10).

``IsSecondFactorVerified`` needs a user who passed the second factor: a session with the
proof of verification (``session.is_verified``) or a token minted after it
(``SecondFactorTokenAuthentication``). A user authenticated any other way (HTTP Basic,
DRF's plain tokens, JWT) has no such proof and is refused, whatever the project's
authentication classes. ``RecentSecondFactor(max_age)`` also needs that second factor
to be younger than ``max_age`` seconds (default ``TYNTEC2FA_STEP_UP_MAX_AGE``).

Refusals are 401 in the API's error shape: ``not_authenticated`` (nobody),
``second_factor_required`` (a pending login, or a credential without the second
factor), 403 ``step_up_required`` (too old for ``RecentSecondFactor``).
"""

from __future__ import annotations

from typing import Any

from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import APIException, NotAuthenticated
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from ..core import policy, session
from .errors import SecondFactorRequired, StepUpRequiredError


def second_factor_at(request: Request) -> float | None:
    """Epoch seconds of the second factor the request's credentials prove, or None.

    Bound to the authentication that succeeded: the session's proof for
    ``SessionAuthentication``, the token's for ``SecondFactorTokenAuthentication``.
    """
    authenticator = request.successful_authenticator
    if authenticator is None:
        return None
    if isinstance(authenticator, SessionAuthentication):
        return session.verified_at(request._request)
    return session.request_verified_at(request._request, request.user)


def has_second_factor(request: Request) -> bool:
    """The request's credentials prove the second factor: ``second_factor_at``, or a
    session signed in on a trusted browser (S9), which proves it without a time and so
    never counts as recent."""
    authenticator = request.successful_authenticator
    if isinstance(authenticator, SessionAuthentication):
        return session.is_verified(request._request)
    return second_factor_at(request) is not None


def refusal(request: Request) -> APIException:
    """The 401 for a request without the second factor: who is asking decides the code."""
    if request.user.is_authenticated or session.has_pending_state(request._request):
        return SecondFactorRequired()
    return NotAuthenticated()


class IsSecondFactorVerified(BasePermission):
    """The user passed the second factor (session proof or a proven token)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        """True, or raise the 401 (see ``refusal``)."""
        if request.user.is_authenticated and has_second_factor(request):
            return True
        raise refusal(request)


class RecentSecondFactor(IsSecondFactorVerified):
    """The second factor is younger than ``max_age`` seconds (S10).

    In ``permission_classes`` bare (``TYNTEC2FA_STEP_UP_MAX_AGE``) or as
    ``RecentSecondFactor(300)``, which makes a subclass with that ``max_age``; a
    subclass may also set ``max_age`` itself.
    """

    max_age: int | None = None

    def __new__(cls, max_age: int | None = None) -> Any:
        if max_age is None:
            return super().__new__(cls)
        # DRF instantiates each permission class itself: hand it a class.
        return type(cls)(f"{cls.__name__}{int(max_age)}", (cls,), {"max_age": int(max_age)})

    def has_permission(self, request: Request, view: Any) -> bool:
        """True, or 401 ``second_factor_required`` / 403 ``step_up_required``."""
        super().has_permission(request, view)
        if session.is_fresh(second_factor_at(request), self.max_age):
            return True
        raise StepUpRequiredError()


class SecondFactorOrNotRequired(BasePermission):
    """Signed in, and passed the second factor or needs none (no phone, and the policy
    does not require one): who may list their phones and add the first one."""

    def has_permission(self, request: Request, view: Any) -> bool:
        """True, or raise the 401 (see ``refusal``)."""
        user = request.user
        if user.is_authenticated:
            if has_second_factor(request):
                return True
            authenticator = request.successful_authenticator
            if isinstance(authenticator, SessionAuthentication) and session.is_not_required(
                request._request
            ):
                return True  # the gate's cached policy answer: no query
            if not policy.requires_second_factor(user):
                return True
        raise refusal(request)
