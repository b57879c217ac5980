"""One page behind three gates (sync, and async for the ASGI phase), and the login views of ours and of two-factor-auth."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.utils.html import escape
from django_otp.decorators import otp_required
from two_factor.urls import urlpatterns as two_factor_urls

from django_tyntec2fa.gate.decorators import second_factor_required
from django_tyntec2fa.views import LoginView


def page(request: HttpRequest) -> HttpResponse:
    """The page every variant serves: small, so the gate's share of the time shows."""
    return HttpResponse(f"<!doctype html><p>Hello {escape(request.user.get_username())}</p>")


async def async_page(request: HttpRequest) -> HttpResponse:
    """``page`` as an async view, for the ASGI phase."""
    user = await request.auser()
    return HttpResponse(f"<!doctype html><p>Hello {escape(user.get_username())}</p>")


urlpatterns = [
    path("async/floor/", login_required(async_page), name="async-floor"),
    path("async/ours/", second_factor_required(async_page), name="async-ours"),
    path("async/otp/", otp_required(async_page), name="async-otp"),
    path("floor/", login_required(page), name="floor"),
    path("ours/", second_factor_required(page), name="ours"),
    path("otp/", otp_required(page), name="otp"),
    path("accounts/login/", LoginView.as_view(), name="login"),  # ours
    path("accounts/", include("django.contrib.auth.urls")),
    path("2fa/", include("django_tyntec2fa.urls")),
    path("", include(two_factor_urls)),  # two_factor:login at /account/login/
]
