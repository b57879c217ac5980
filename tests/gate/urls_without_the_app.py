"""A URLconf that forgot the app's include (check E032): Django's auth views only."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [path("accounts/", include("django.contrib.auth.urls"))]
