"""The API tests' URLconf: Django's login, the HTML app, the API under ``api/`` and
small DRF probes that show who a request belongs to under each authentication."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.decorators import method_decorator
from django_ratelimit.decorators import ratelimit
from rest_framework.authentication import (
    BasicAuthentication,
    SessionAuthentication,
    TokenAuthentication,
)
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from django_tyntec2fa.api.authentication import SecondFactorTokenAuthentication
from django_tyntec2fa.api.permissions import IsSecondFactorVerified, RecentSecondFactor
from django_tyntec2fa.api.views import LoginView


def _who(request: Request) -> Response:
    user = request.user
    return Response(
        {
            "authenticated": user.is_authenticated,
            "username": user.get_username() if user.is_authenticated else "",
        }
    )


class WhoAmI(APIView):
    """No permission at all: what DRF's authentication alone makes of the request."""

    authentication_classes = [SessionAuthentication, SecondFactorTokenAuthentication]
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        return _who(request)


class Authenticated(APIView):
    """DRF's own IsAuthenticated with the project's default authentication classes."""

    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        return _who(request)


class Verified(APIView):
    """The project's default authentication, gated by IsSecondFactorVerified."""

    permission_classes = [IsSecondFactorVerified]

    def get(self, request: Request) -> Response:
        return _who(request)


class BasicVerified(Verified):
    """HTTP Basic: a password alone, no second factor (S6b)."""

    authentication_classes = [BasicAuthentication]


class PlainTokenVerified(Verified):
    """DRF's plain tokens, e.g. from obtain_auth_token (S6b)."""

    authentication_classes = [TokenAuthentication]


class Recent(Verified):
    """RecentSecondFactor(60), the class factory."""

    permission_classes = [RecentSecondFactor(60)]


class RecentDefault(Verified):
    """RecentSecondFactor bare: TYNTEC2FA_STEP_UP_MAX_AGE."""

    permission_classes = [RecentSecondFactor]


class Limited(APIView):
    """A project view behind django-ratelimit (block=True raises Ratelimited)."""

    permission_classes = [AllowAny]

    @method_decorator(ratelimit(key="ip", rate="1/m", block=True))
    def get(self, request: Request, *args: Any) -> Response:
        return Response({"ok": True})


class OnePerMinute(AnonRateThrottle):
    rate = "1/min"


class ThrottledLogin(LoginView):
    """The API's password step behind a project's DRF throttle."""

    throttle_classes = [OnePerMinute]


urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="admin/login.html"),
        name="login",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("2fa/", include("django_tyntec2fa.urls")),
    path("api/", include("django_tyntec2fa.api.urls")),
    path("probe/whoami/", WhoAmI.as_view(), name="probe-whoami"),
    path("probe/authenticated/", Authenticated.as_view(), name="probe-authenticated"),
    path("probe/verified/", Verified.as_view(), name="probe-verified"),
    path("probe/basic/", BasicVerified.as_view(), name="probe-basic"),
    path("probe/plain-token/", PlainTokenVerified.as_view(), name="probe-plain-token"),
    path("probe/recent/", Recent.as_view(), name="probe-recent"),
    path("probe/recent-default/", RecentDefault.as_view(), name="probe-recent-default"),
    path("probe/limited/", Limited.as_view(), name="probe-limited"),
    path("probe/throttled-login/", ThrottledLogin.as_view(), name="probe-throttled-login"),
]
