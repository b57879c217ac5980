"""The password step for API clients, where a login stands, and the logout.

``POST`` calls Django's ``authenticate`` and ``auth.login`` like any login view: the
app's ``user_logged_in`` receiver makes the login pending and sends the code (S1), so
the answer only reports what the flows did.
"""

from __future__ import annotations

from typing import Any

from django.contrib import auth
from django.middleware.csrf import get_token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from ... import flows
from ...core import policy, session
from ...exceptions import LimitsUnavailable, ProviderUnavailable, RateLimited
from ...flows import signout, trust
from ...gate import session_cookie
from ...gate.access import PendingAccess
from .. import openapi, tokens, transport
from ..errors import InvalidCredentials, TokenNeedsSecondFactor, error_response
from ..serializers import LoginSerializer, LogoutSerializer
from .base import ApiView, login_state, pending_status, require_issuer, validated


class LoginView(ApiView):
    """``GET``: the login's state (and the CSRF cookie). ``POST``: the password."""

    permission_classes = [AllowAny]
    pending_access = PendingAccess.LOGIN  # a new login replaces the pending one

    def needs_csrf(self, request: Request) -> bool:
        """An app's login (``"token": true``) touches no cookie: no CSRF token needed."""
        return super().needs_csrf(request) and not _app_login(request)

    @openapi.login_get
    def get(self, request: Request) -> Response:
        """Where the login stands; sets the CSRF cookie an SPA needs for its POSTs."""
        http = request._request
        get_token(http)
        if request.user.is_authenticated:
            return Response({"status": "authenticated"})
        pending = session.get_pending(http)
        if pending is None:
            return Response({"status": "anonymous"})
        return Response({"status": pending_status(pending)})

    @openapi.login_post
    def post(self, request: Request) -> Response:
        """Username and password; the answer says what comes next."""
        data = validated(LoginSerializer, request)
        http = request._request
        app = data["token"] or transport.is_app_mode(http)
        require_issuer(app)
        try:
            # Before the password is checked: a refusal never depends on it.
            flows.admit_password(http, data["username"])
        except (RateLimited, LimitsUnavailable) as error:
            wait = max(int(error.retry_after or 1), 1)
            return error_response(
                error.code,
                error.message,
                error.http_status,
                retry_after=wait,
                extra={"retry_after": wait},
            )
        user = auth.authenticate(http, username=data["username"], password=data["password"])
        if user is None:
            raise InvalidCredentials()
        if app:
            if not policy.requires_second_factor(user):
                raise TokenNeedsSecondFactor()  # a token only ever follows a second factor
            transport.begin_app_login(http)
            trust.skip(http)  # a token only ever follows a code, never a trusted browser
        auth.login(http, user)
        pending = session.get_pending(http)
        if pending is None:
            # No second factor needed, or a trusted browser spared the code (S9): a
            # plain session login (never a token).
            answer = Response({"status": "authenticated", "token": None})
            return trust.update_cookie(http, answer)
        return _answer(request, login_state(request, pending, user))


def _answer(request: Request, state: dict[str, Any]) -> Response:
    """The password step's answer: the login's state, 200; but 503 with ``Retry-After``
    when no code could go out because the service is down (tyntec or the rate-limit
    cache): the one error shape (``provider_unavailable``) on top of the same state, so
    a client sees both the outage and that the login is pending. The pending login is
    kept all the same (``session_cookie.keep``; an app's login session is saved by
    ``transport``): once the service is back, the client sends a code
    (``challenge/send/``), or uses a recovery code, without the password again."""
    refusal = state.get("send_error")
    if refusal is None or refusal["code"] != ProviderUnavailable.code:
        return Response(state)
    response = error_response(
        refusal["code"], refusal["detail"], 503, retry_after=refusal["retry_after"], extra=state
    )
    if not transport.is_app_mode(request._request):
        session_cookie.keep(request._request, response)
    return response


def _app_login(request: Request) -> Any:
    data = request.data
    return transport.is_app_mode(request._request) or (
        isinstance(data, dict) and data.get("token") is True
    )


class LogoutView(ApiView):
    """``POST``: log out, whatever the client is: a session (signed in or pending), an
    app's login session, a token."""

    permission_classes = [AllowAny]
    # Not LOGOUT, which the gate would act on before DRF's CSRF check: the view
    # checks CSRF first, then ends the login itself.
    pending_access = PendingAccess.STEP

    @openapi.logout
    def post(self, request: Request) -> Response:
        """Revoke the request's token, end its session; safe when nobody is signed in.

        CSRF: a signed-in cookie client's POST is checked by ``SessionAuthentication``,
        an anonymous one's (a pending login) by ``ApiView``; token clients send none.
        """
        everywhere = validated(LogoutSerializer, request)["everywhere"]
        http = request._request
        user = request.user
        if everywhere and user.is_authenticated:
            # A token client's Django request has no user: its live codes are ended
            # here, as the token branch below does.
            flows.end_challenges(http, user)
            signout.sign_out_everywhere(http, user)
            transport.end_app_login(http)
            return trust.update_cookie(http, Response({"status": "anonymous"}))
        if tokens.revoke(request):
            flows.end_challenges(http, user)  # a session logout does this in its receiver
        # Django's logout: user_logged_out reaches the app's receiver, which wipes a
        # pending login and cancels live codes (S11); then the session is flushed.
        auth.logout(http)
        transport.end_app_login(http)
        return Response({"status": "anonymous"})
