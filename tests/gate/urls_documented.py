"""The urls.py of docs/installation.md without the admin: it imports the app's
``LoginView`` (and so its models) when Django loads it."""

from __future__ import annotations

from django.urls import include, path

from django_tyntec2fa.views import LoginView

urlpatterns = [
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("2fa/", include("django_tyntec2fa.urls")),
]
