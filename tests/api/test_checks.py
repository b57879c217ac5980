"""System checks W014 (token views that skip the second factor) and E015/W015 (DRF
authentication classes not known to enforce it), S6."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import checks
from django.test import override_settings
from rest_framework.authentication import BaseAuthentication

from django_tyntec2fa.checks import check_api_authentication, check_token_views

SESSION = "rest_framework.authentication.SessionAuthentication"
OURS = "django_tyntec2fa.api.authentication.SecondFactorTokenAuthentication"
BASIC = "rest_framework.authentication.BasicAuthentication"
TOKEN = "rest_framework.authentication.TokenAuthentication"


class CustomAuthentication(BaseAuthentication):
    """A project's own class: nobody knows what it checks."""


class DeclaredAuthentication(BaseAuthentication):
    """A project's class that says it enforces the second factor."""

    tyntec2fa_second_factor = True


def ids(messages: list[Any]) -> list[str]:
    return [message.id for message in messages]


def test_w014_password_only_token_views(settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.api.token_view_urls"
    found = check_token_views()
    assert ids(found) == ["django_tyntec2fa.W014", "django_tyntec2fa.W014"]
    text = " ".join(message.msg for message in found)
    assert "'api-token-auth/'" in text and "rest_framework.authtoken.views.ObtainAuthToken" in text
    assert "'jwt/'" in text and "rest_framework_simplejwt.views.TokenObtainPairView" in text
    assert "jwt-gated" not in text and "'api/" not in text
    assert all(message.hint for message in found)


def test_w014_not_for_the_app_s_own_api(db: None) -> None:
    assert check_token_views() == []  # tests/api/urls.py: the API and probes only


@pytest.mark.parametrize(
    ("classes", "expected"),
    [
        ([SESSION, OURS], []),
        ([SESSION, BASIC], ["django_tyntec2fa.E015"]),
        ([TOKEN], ["django_tyntec2fa.E015"]),
        ([f"{__name__}.CustomAuthentication"], ["django_tyntec2fa.W015"]),
        ([f"{__name__}.DeclaredAuthentication"], []),
        (["no.such.Authentication"], ["django_tyntec2fa.W015"]),
        ([CustomAuthentication, BASIC], ["django_tyntec2fa.W015", "django_tyntec2fa.E015"]),
    ],
)
def test_e015_w015_default_authentication_classes(classes: list[Any], expected: list[str]) -> None:
    with override_settings(REST_FRAMEWORK={"DEFAULT_AUTHENTICATION_CLASSES": classes}):
        found = check_api_authentication()
    assert ids(found) == expected
    assert all(message.hint for message in found)


def test_drf_s_own_default_includes_http_basic() -> None:
    """No DEFAULT_AUTHENTICATION_CLASSES: DRF uses Session and Basic; Basic is E015."""
    with override_settings(REST_FRAMEWORK={}):
        assert ids(check_api_authentication()) == ["django_tyntec2fa.E015"]


def test_nothing_without_rest_framework(settings: Any) -> None:
    del settings.REST_FRAMEWORK
    settings.INSTALLED_APPS = [
        app for app in settings.INSTALLED_APPS if not app.startswith("rest_framework")
    ]
    assert check_api_authentication() == []


def test_the_checks_are_registered(settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.api.token_view_urls"
    with override_settings(REST_FRAMEWORK={"DEFAULT_AUTHENTICATION_CLASSES": [BASIC]}):
        found = ids(checks.run_checks(tags=["tyntec2fa"]))
    assert "django_tyntec2fa.W014" in found and "django_tyntec2fa.E015" in found
