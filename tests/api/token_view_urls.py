"""A URLconf that routes token views skipping the second factor (check W014)."""

from __future__ import annotations

from django.urls import include, path
from django.views import View
from rest_framework.authtoken.views import obtain_auth_token


class TokenObtainPairView(View):
    """Stands in for simplejwt's view, recognised by its dotted name (no simplejwt here)."""


TokenObtainPairView.__module__ = "rest_framework_simplejwt.views"


class ProjectTokenView(TokenObtainPairView):
    """A project's subclass: still a password-only token view."""


class GatedTokenView(TokenObtainPairView):
    """A subclass that declares it checks the second factor itself."""

    tyntec2fa_second_factor = True


urlpatterns = [
    path("2fa/", include("django_tyntec2fa.urls")),  # or check E032 reports it
    path("api/", include("django_tyntec2fa.api.urls")),
    path("api-token-auth/", obtain_auth_token),
    path("jwt/", ProjectTokenView.as_view()),
    path("jwt-gated/", GatedTokenView.as_view()),
]
