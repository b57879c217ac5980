"""The test project's URLs: the admin, Django's auth views, the app, and small views
that echo who the request belongs to (the S1 walk looks at every pattern here)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.views import View

from django_tyntec2fa.gate.decorators import recent_second_factor, second_factor_required
from django_tyntec2fa.gate.mixins import RecentSecondFactorMixin, SecondFactorRequiredMixin
from django_tyntec2fa.views import LoginView


def whoami(request: HttpRequest) -> JsonResponse:
    """Who this request belongs to; the user's name is the "user content"."""
    user = request.user
    return JsonResponse(
        {
            "authenticated": user.is_authenticated,
            "username": user.get_username() if user.is_authenticated else "",
        }
    )


def item(request: HttpRequest, pk: int, slug: str) -> JsonResponse:
    """A pattern with path converters, for the walk."""
    return whoami(request)


async def async_whoami(request: HttpRequest) -> JsonResponse:
    """``whoami`` as an async view (the middleware's async path)."""
    user = await request.auser()
    return JsonResponse(
        {
            "authenticated": user.is_authenticated,
            "username": user.get_username() if user.is_authenticated else "",
        }
    )


class WhoAmIView(SecondFactorRequiredMixin, View):
    def get(self, request: HttpRequest) -> JsonResponse:
        return whoami(request)


class RecentWhoAmIView(RecentSecondFactorMixin, View):
    max_age = 60

    def get(self, request: HttpRequest) -> JsonResponse:
        return whoami(request)


class AsyncWhoAmIView(SecondFactorRequiredMixin, View):
    async def get(self, request: HttpRequest) -> JsonResponse:
        return await async_whoami(request)


urlpatterns = [
    path("admin/", admin.site.urls),
    # The admin's login template, so the suite needs no template of its own.
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="admin/login.html"),
        name="login",
    ),
    # The app's own LoginView (tests/gate/test_login_view.py), under another name: the
    # middleware knows a login view by its class.
    path(
        "accounts/login-2fa/",
        LoginView.as_view(template_name="admin/login.html"),
        name="login-2fa",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    # S6(c): a password reset that logs the user in must lead into the challenge too.
    path(
        "accounts/reset-login/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(post_reset_login=True, success_url="/whoami/"),
        name="reset-login",
    ),
    path("2fa/", include("django_tyntec2fa.urls")),
    path("whoami/", whoami, name="whoami"),
    path("async/whoami/", async_whoami, name="async-whoami"),
    path("protected/", second_factor_required(whoami), name="protected"),
    path(
        "protected/api/", second_factor_required(raise_exception=True)(whoami), name="protected-api"
    ),
    path("protected/recent/", recent_second_factor(whoami), name="protected-recent"),
    path("protected/recent-60/", recent_second_factor(max_age=60)(whoami), name="recent-60"),
    path("protected/async/", second_factor_required(async_whoami), name="protected-async"),
    path("protected/cbv/", WhoAmIView.as_view(), name="protected-cbv"),
    path("protected/cbv-recent/", RecentWhoAmIView.as_view(), name="protected-cbv-recent"),
    path("protected/cbv-async/", AsyncWhoAmIView.as_view(), name="protected-cbv-async"),
    path("items/<int:pk>/<slug:slug>/", item, name="item"),
]
