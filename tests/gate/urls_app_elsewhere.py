"""A URLconf that includes the app under another prefix than the documented one."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("accounts/", include("django.contrib.auth.urls")),
    path("security/two-factor/", include("django_tyntec2fa.urls")),
]
