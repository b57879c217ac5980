"""A small site around the app's URLs for the view tests (tests/urls.py belongs to the
middleware tests): Django's own auth views, a protected page and the app under 2fa/."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


@login_required
def protected(request: HttpRequest) -> HttpResponse:
    """A page only a signed-in user sees."""
    return HttpResponse(f"protected page of {request.user.get_username()}")


urlpatterns = [
    # The admin's login template, so the suite needs no template of its own.
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="admin/login.html"),
        name="login",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("protected/", protected, name="protected"),
    path("2fa/", include("django_tyntec2fa.urls")),
]
