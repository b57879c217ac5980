"""System checks of the gate: E010 / E011 (middleware) and W012 (session cookie, S8)."""

from __future__ import annotations

from typing import Any

import pytest

from django_tyntec2fa.checks import check_middleware, check_session_cookie
from django_tyntec2fa.middleware import SecondFactorMiddleware

SESSION = "django.contrib.sessions.middleware.SessionMiddleware"
AUTH = "django.contrib.auth.middleware.AuthenticationMiddleware"
GATE = "django_tyntec2fa.middleware.SecondFactorMiddleware"


class ProjectGate(SecondFactorMiddleware):
    """A project's subclass still counts as the gate."""


def ids(messages: list[Any]) -> list[str]:
    return [message.id for message in messages]


def test_the_test_project_passes() -> None:
    assert check_middleware() == []
    assert check_session_cookie() == []


def test_e010_middleware_missing(settings: Any) -> None:
    settings.MIDDLEWARE = [SESSION, AUTH]
    messages = check_middleware()
    assert ids(messages) == ["django_tyntec2fa.E010"]
    assert messages[0].msg == "SecondFactorMiddleware missing from MIDDLEWARE."
    assert GATE in messages[0].hint


def test_e011_middleware_before_authentication(settings: Any) -> None:
    settings.MIDDLEWARE = [SESSION, GATE, AUTH]
    messages = check_middleware()
    assert ids(messages) == ["django_tyntec2fa.E011"]
    assert messages[0].msg == "SecondFactorMiddleware must come after AuthenticationMiddleware."


def test_e011_authentication_middleware_missing(settings: Any) -> None:
    settings.MIDDLEWARE = [SESSION, GATE]
    assert ids(check_middleware()) == ["django_tyntec2fa.E011"]


def test_right_order_passes(settings: Any) -> None:
    settings.MIDDLEWARE = [SESSION, AUTH, GATE]
    assert check_middleware() == []


def test_a_subclass_counts(settings: Any) -> None:
    settings.MIDDLEWARE = [SESSION, AUTH, f"{__name__}.ProjectGate"]
    assert check_middleware() == []
    settings.MIDDLEWARE = [SESSION, f"{__name__}.ProjectGate", AUTH]
    assert ids(check_middleware()) == ["django_tyntec2fa.E011"]


def test_an_unimportable_entry_is_skipped(settings: Any) -> None:
    settings.MIDDLEWARE = ["no.such.Middleware", SESSION, AUTH, GATE]
    assert check_middleware() == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SESSION_COOKIE_SECURE", False),
        ("SESSION_COOKIE_HTTPONLY", False),
        ("SESSION_COOKIE_SAMESITE", None),
        ("SESSION_COOKIE_SAMESITE", "None"),
    ],
)
def test_w012_unsafe_session_cookie_in_production(settings: Any, name: str, value: Any) -> None:
    """S8: DEBUG=False and an unsafe session cookie is a Warning naming the fix."""
    settings.DEBUG = False
    setattr(settings, name, value)
    messages = check_session_cookie()
    assert ids(messages) == ["django_tyntec2fa.W012"]
    assert name in messages[0].msg and name in messages[0].hint


def test_w012_not_with_debug(settings: Any) -> None:
    settings.DEBUG = True
    settings.SESSION_COOKIE_SECURE = False
    assert check_session_cookie() == []


@pytest.mark.parametrize("samesite", ["Lax", "Strict"])
def test_w012_safe_cookie_passes(settings: Any, samesite: str) -> None:
    settings.DEBUG = False
    settings.SESSION_COOKIE_SECURE = True
    settings.SESSION_COOKIE_HTTPONLY = True
    settings.SESSION_COOKIE_SAMESITE = samesite
    assert check_session_cookie() == []
