"""What every API view shares: authentication, the error shape, no caching, and the
small lookups of the pending login. No rule of the second factor lives here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib import auth
from django.http import HttpRequest, HttpResponseBase
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotAuthenticated, ValidationError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from ... import flows
from ...core import lockout, session
from ...core.policy import confirmed_devices
from ...exceptions import LoginTimeout
from ...flows.fallback import delivery_status
from ...gate.access import PendingAccess
from ...models import Challenge
from .. import tokens, transport
from ..authentication import SecondFactorTokenAuthentication
from ..errors import (
    DEFAULT_CHALLENGE,
    NoPendingLogin,
    TokenUnavailable,
    exception_handler,
    standing_fields,
)
from ..parsers import StrictJSONParser
from ..permissions import IsSecondFactorVerified
from ..serializers import ChallengeSerializer, DeliverySerializer, DeviceSerializer

Purpose = Challenge.Purpose


class ApiView(APIView):
    """Base of the API's views.

    Authentication is fixed to the two gated classes, whatever the project's defaults:
    the session (a pending login is anonymous to it, S1) and tokens minted after the
    second factor. JSON only (``StrictJSONParser``: a body that is not acceptable JSON
    is 400 ``parse_error``); every answer is ``never_cache`` (S7); refusals have the
    one error shape. The flows own the rate limits of codes; the project's DRF
    throttles (e.g. on the password step) apply too and answer 429 ``rate_limited``. Views with a ``pending_access`` serve a pending login (``access.py``): they accept an
    app's login session (``transport``) and check CSRF for anonymous cookie clients.
    """

    authentication_classes = [SessionAuthentication, SecondFactorTokenAuthentication]
    permission_classes = [IsSecondFactorVerified]
    parser_classes = [StrictJSONParser]
    renderer_classes = [JSONRenderer]
    #: Set on the views a pending login may reach (the gate reads it, ``access.py``).
    pending_access: PendingAccess | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        """Serve pending-login endpoints from the app's login session when named."""
        if self.pending_access is None:
            return super().dispatch(request, *args, **kwargs)
        with transport.login_session(request):
            return super().dispatch(request, *args, **kwargs)

    def perform_authentication(self, request: Request) -> None:
        """Authenticate; an anonymous cookie client's unsafe request needs CSRF too."""
        super().perform_authentication(request)
        if self.needs_csrf(request):
            transport.enforce_csrf(request)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """After authentication and permissions: parse the body of every unsafe request,
        so that a body that is not acceptable JSON is 400 ``parse_error`` on every
        endpoint, also on those that do not read it (logout, cancel)."""
        super().initial(request, *args, **kwargs)
        if request.method not in SAFE_METHODS:
            request.data  # noqa: B018  (parsed for its ParseError)

    def needs_csrf(self, request: Request) -> bool:
        """An unsafe request of an anonymous cookie client to a pending-login endpoint
        (signed-in cookie clients: ``SessionAuthentication`` checks CSRF itself)."""
        return (
            self.pending_access is not None
            and request.method not in SAFE_METHODS
            and request.successful_authenticator is None
            and not transport.is_app_mode(request._request)
        )

    def get_exception_handler(self) -> Any:
        """The API's handler, whatever ``REST_FRAMEWORK["EXCEPTION_HANDLER"]`` says."""
        return exception_handler

    def get_authenticate_header(self, request: Request) -> str:
        """Every scheme that works here; also keeps DRF from turning 401 into 403."""
        schemes = [auth.authenticate_header(request) for auth in self.get_authenticators()]
        return ", ".join([scheme for scheme in schemes if scheme] + [DEFAULT_CHALLENGE])

    def finalize_response(
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        """No cache may keep an answer of the API (S7)."""
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)
        return response


def uses_token(request: Request) -> bool:
    """Authenticated with a token minted after the second factor."""
    return isinstance(request.successful_authenticator, SecondFactorTokenAuthentication)


def pending_login(request: Request) -> tuple[session.PendingLogin, Any]:
    """The pending login and its user; 401 ``login_timeout`` when it expired, 401
    ``not_authenticated`` without one, 409 for a session that is signed in."""
    http = request._request
    had_one = session.has_pending_state(http) or transport.is_stale(http)
    pending = session.get_pending(http)
    user = session.pending_user(http, pending) if pending is not None else None
    if pending is not None and user is not None:
        return pending, user
    if request.user.is_authenticated:
        raise NoPendingLogin()
    if had_one:
        raise LoginTimeout("no pending login")
    raise NotAuthenticated()


def pending_status(pending: session.PendingLogin) -> str:
    """The ``status`` the API reports for a pending login."""
    return "enrollment_required" if pending.enrolling else "second_factor_required"


def login_state(
    request: Request, pending: session.PendingLogin, user: Any, *, delivery: bool = False
) -> dict[str, Any]:
    """The answer about a pending login: its phones and its live challenge; with
    ``delivery``, also what happened to the code (``flows.fallback``; reported only, a
    GET never sends)."""
    challenge = flows.live_challenge(user, pending.purpose)
    state: dict[str, Any] = {
        "status": pending_status(pending),
        "devices": DeviceSerializer(
            [] if pending.enrolling else confirmed_devices(user), many=True
        ).data,
        "challenge": ChallengeSerializer(challenge).data if challenge is not None else None,
        # What the user may do next: tries_left, retry_after, locked (lockout.standing).
        **standing_fields(lockout.standing(user, live=challenge)),
    }
    if delivery:
        found = delivery_status(request._request, user, challenge) if challenge else None
        state["delivery"] = DeliverySerializer(found).data if found is not None else None
    refusal = flows.login_refusal(request._request, user) if challenge is None else None
    if refusal is not None:
        # Why the password step sent no code, and what to do (issue 15).
        state["send_error"] = {
            "code": refusal.code,
            "detail": refusal.message,
            "hint": refusal.hint,
            "retry_after": refusal.retry_after,
        }
    token = transport.login_token(request._request)
    if token:
        state["login_token"] = token
    return state


def signed_in(request: Request, user: Any, *, want_token: bool) -> dict[str, Any]:
    """A login was completed by a code: the API token when asked for; an app's login
    session is deleted, the token replaces it."""
    http = request._request
    token = None
    if want_token:
        try:
            token = tokens.issue(http, user)
        except TokenUnavailable:
            # The code was right but the client would hold no credential: undo the
            # login rather than leave it half done (issue 23.9); sign in again.
            auth.logout(http)
            transport.end_app_login(http)
            raise
    transport.end_app_login(http)
    return {"status": "authenticated", "token": token}


def validated(serializer_class: type[Serializer], request: Request, **kwargs: Any) -> Any:
    """The request body checked by ``serializer_class``; 400 naming the field otherwise."""
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def require_issuer(want_token: bool) -> None:
    """A token was asked for: 400 on ``token`` when this site issues none (checked
    before the code is used up)."""
    if not want_token:
        return
    issuer = tokens.get_issuer()
    if issuer is None:
        raise ValidationError({"token": [_("This site does not issue API tokens.")]})
    tokens.check_ready(issuer)  # 503 before the code is used up, not a 500 after it


@contextmanager
def language(code: str | None) -> Iterator[None]:
    """Messages (the provider's included) in ``code`` when the client asked for one."""
    if not code:
        yield
        return
    with translation.override(code):
        yield
