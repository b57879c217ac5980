"""The login challenge: status, send, resend, verify, cancel (tyntec's five actions).

The user is the *pending* one: ``request.user`` is anonymous until the code is right
(S1). Each view calls the same flow as its HTML twin in ``views/challenge.py``.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from ... import flows
from ...core import session
from ...flows import trust
from ...gate.access import PendingAccess
from ...models import Challenge
from .. import openapi, transport
from ..errors import EnrollmentRequired
from ..serializers import LoginCodeSerializer, ResendSerializer, SendSerializer
from .base import (
    ApiView,
    language,
    login_state,
    pending_login,
    require_issuer,
    signed_in,
    validated,
)

LOGIN = Challenge.Purpose.LOGIN


class PendingLoginView(ApiView):
    """A step of a pending login: anonymous by design, CSRF-checked for cookies."""

    permission_classes = [AllowAny]
    pending_access = PendingAccess.STEP


def _login(request: Request) -> tuple[session.PendingLogin, Any]:
    pending, user = pending_login(request)
    if pending.enrolling:
        raise EnrollmentRequired()  # a phone must be added first: devices/add/
    return pending, user


class ChallengeView(PendingLoginView):
    """The pending login: its phones and its live challenge."""

    @openapi.challenge_get
    def get(self, request: Request) -> Response:
        """Never sends anything (P5); ``delivery`` says what happened to the code."""
        pending, user = _login(request)
        return Response(login_state(request, pending, user, delivery=True))


class ChallengeSendView(PendingLoginView):
    """A new login code to the primary phone."""

    @openapi.challenge_send
    def post(self, request: Request) -> Response:
        """``flows.send_login_code`` with the channel and language asked for."""
        pending, user = _login(request)
        data = validated(SendSerializer, request)
        with language(data.get("language")):
            flows.send_login_code(request._request, channel=data.get("channel"))
        return Response(login_state(request, pending, user))


class ChallengeResendView(PendingLoginView):
    """The live code again (``channel``: "call me instead"), or a new one to another of
    the user's phones (``device``)."""

    @openapi.challenge_resend
    def post(self, request: Request) -> Response:
        """``flows.resend_login_code``: the live code again, a new one to another phone,
        or a new one when none is live."""
        pending, user = _login(request)
        data = validated(ResendSerializer, request, user=user)
        with language(data.get("language")):
            flows.resend_login_code(
                request._request, device=data.get("device"), channel=data.get("channel")
            )
        return Response(login_state(request, pending, user))


class ChallengeVerifyView(PendingLoginView):
    """The code: the login is complete (a new session key, S3) and, when asked for or
    for an app, an API token is issued."""

    @openapi.challenge_verify
    def post(self, request: Request) -> Response:
        """``flows.verify_login``; the token only after it succeeded."""
        _login(request)
        data = validated(LoginCodeSerializer, request)
        http = request._request
        app = transport.is_app_mode(http)
        want_token = data["token"] or app
        require_issuer(want_token)
        # "remember": a cookie client's browser (S9); an app keeps no cookie.
        user = flows.verify_login(http, data["code"], remember=data["remember"] and not app)
        return trust.update_cookie(http, Response(signed_in(request, user, want_token=want_token)))


class ChallengeCancelView(PendingLoginView):
    """Give up the login: its code is cancelled at the provider (S11)."""

    @openapi.challenge_cancel
    def post(self, request: Request) -> Response:
        """``flows.abort_login``; safe without a pending login."""
        http = request._request
        flows.abort_login(http)
        transport.end_app_login(http)
        status = "authenticated" if request.user.is_authenticated else "anonymous"
        return Response({"status": status})
