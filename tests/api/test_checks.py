"""System checks of the side doors around the second factor (S6): W014 a routed view
that issues tokens for a password alone, E015 a DRF authentication class known to skip
the second factor, W022 one not known to enforce it."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.authentication import BaseAuthentication

from ..system_checks import app_check_ids, app_checks

SESSION = "rest_framework.authentication.SessionAuthentication"
OURS = "django_tyntec2fa.api.authentication.SecondFactorTokenAuthentication"
BASIC = "rest_framework.authentication.BasicAuthentication"
TOKEN = "rest_framework.authentication.TokenAuthentication"


class CustomAuthentication(BaseAuthentication):
    """A project's own class: nobody knows what it checks."""


class DeclaredAuthentication(BaseAuthentication):
    """A project's class that says it enforces the second factor."""

    tyntec2fa_second_factor = True


def authentication(*classes: Any) -> dict[str, Any]:
    return {"REST_FRAMEWORK": {"DEFAULT_AUTHENTICATION_CLASSES": list(classes)}}


def test_password_only_token_view_routed_w014_s6() -> None:
    found = app_checks(ROOT_URLCONF="tests.api.token_view_urls")
    assert [message.id for message in found] == ["django_tyntec2fa.W014"] * 2
    text = " ".join(message.msg for message in found)
    assert "'api-token-auth/'" in text and "rest_framework.authtoken.views.ObtainAuthToken" in text
    assert "'jwt/'" in text and "rest_framework_simplejwt.views.TokenObtainPairView" in text
    assert "jwt-gated" not in text and "'api/" not in text


def test_the_app_s_own_api_is_no_token_view() -> None:
    assert app_check_ids(ROOT_URLCONF="tests.api.urls") == []


@pytest.mark.parametrize("classes", [(SESSION, BASIC), (TOKEN,), (OURS, TOKEN)])
def test_authentication_class_that_skips_the_second_factor_e015_s6(classes: tuple[str]) -> None:
    assert app_check_ids(**authentication(*classes)) == ["django_tyntec2fa.E015"]


def test_drf_s_own_default_includes_http_basic_e015() -> None:
    """No DEFAULT_AUTHENTICATION_CLASSES: DRF uses Session and Basic; Basic skips it."""
    assert app_check_ids(REST_FRAMEWORK={}) == ["django_tyntec2fa.E015"]


@pytest.mark.parametrize(
    "classes",
    [(f"{__name__}.CustomAuthentication",), ("no.such.Authentication",), (CustomAuthentication,)],
)
def test_authentication_class_not_known_to_enforce_the_second_factor_w022(
    classes: tuple[Any],
) -> None:
    assert app_check_ids(**authentication(*classes)) == ["django_tyntec2fa.W022"]


def test_both_kinds_are_reported_each_with_its_id() -> None:
    found = app_checks(**authentication(CustomAuthentication, BASIC))
    assert [message.id for message in found] == ["django_tyntec2fa.W022", "django_tyntec2fa.E015"]


@pytest.mark.parametrize(
    "classes", [(SESSION, OURS), (f"{__name__}.DeclaredAuthentication",), (DeclaredAuthentication,)]
)
def test_classes_that_enforce_the_second_factor_pass(classes: tuple[Any]) -> None:
    assert app_check_ids(**authentication(*classes)) == []


def test_nothing_without_rest_framework(settings: Any) -> None:
    del settings.REST_FRAMEWORK
    settings.INSTALLED_APPS = [
        app for app in settings.INSTALLED_APPS if not app.startswith("rest_framework")
    ]
    assert app_check_ids() == []
