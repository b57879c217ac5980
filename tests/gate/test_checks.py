"""System checks of the gate: the middleware and its order, the app's URLs, the session
cookie (S8); and the middleware's own error when the app is missing from INSTALLED_APPS,
where the app's checks do not run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from django_tyntec2fa.gate.middleware import SecondFactorMiddleware

from ..system_checks import app_check_ids, app_checks

ROOT = Path(__file__).resolve().parent.parent.parent
SESSION = "django.contrib.sessions.middleware.SessionMiddleware"
AUTH = "django.contrib.auth.middleware.AuthenticationMiddleware"
GATE = "django_tyntec2fa.gate.middleware.SecondFactorMiddleware"


class ProjectGate(SecondFactorMiddleware):
    """A project's subclass still counts as the gate."""


# --- The middleware and its order ------------------------------------------------------


def test_gate_missing_from_middleware_e010() -> None:
    found = app_checks(MIDDLEWARE=[SESSION, AUTH])
    assert [message.id for message in found] == ["django_tyntec2fa.E010"]
    assert GATE in found[0].hint


def test_gate_before_authentication_middleware_e011() -> None:
    assert app_check_ids(MIDDLEWARE=[SESSION, GATE, AUTH]) == ["django_tyntec2fa.E011"]


def test_authentication_middleware_missing_e018() -> None:
    found = app_checks(MIDDLEWARE=[SESSION, GATE])
    assert [message.id for message in found] == ["django_tyntec2fa.E018"]
    assert AUTH in found[0].hint


@pytest.mark.parametrize(
    "middleware",
    [
        [SESSION, AUTH, GATE],
        [SESSION, AUTH, f"{__name__}.ProjectGate"],
        ["no.such.Middleware", SESSION, AUTH, GATE],  # Django reports that entry itself
    ],
)
def test_gate_after_authentication_passes(middleware: list[str]) -> None:
    assert app_check_ids(MIDDLEWARE=middleware) == []


def test_a_subclass_of_the_gate_counts_as_the_gate() -> None:
    found = app_check_ids(MIDDLEWARE=[SESSION, f"{__name__}.ProjectGate", AUTH])
    assert found == ["django_tyntec2fa.E011"]


# --- The app's URLs --------------------------------------------------------------------


def test_app_urls_not_included_e032() -> None:
    """Today's alternative is a 500 NoReverseMatch at the first login that owes a code."""
    found = app_checks(ROOT_URLCONF="tests.gate.urls_without_the_app")
    assert [message.id for message in found] == ["django_tyntec2fa.E032"]
    assert 'path("2fa/", include("django_tyntec2fa.urls"))' in found[0].hint


def test_app_urls_under_any_prefix_pass() -> None:
    assert app_check_ids(ROOT_URLCONF="tests.gate.urls_app_elsewhere") == []


def test_app_urls_are_not_asked_for_without_the_gate() -> None:
    found = app_check_ids(
        ROOT_URLCONF="tests.gate.urls_without_the_app", MIDDLEWARE=[SESSION, AUTH]
    )
    assert found == ["django_tyntec2fa.E010"]


# --- The session cookie (S8) -----------------------------------------------------------


def test_session_cookie_without_secure_in_production_w012_s8() -> None:
    found = app_checks(SESSION_COOKIE_SECURE=False)
    assert [message.id for message in found] == ["django_tyntec2fa.W012"]
    assert "SESSION_COOKIE_SECURE = True" in found[0].hint


def test_session_cookie_without_httponly_in_production_w019_s8() -> None:
    found = app_checks(SESSION_COOKIE_HTTPONLY=False)
    assert [message.id for message in found] == ["django_tyntec2fa.W019"]
    assert "SESSION_COOKIE_HTTPONLY = True" in found[0].hint


@pytest.mark.parametrize("samesite", [None, "None", False])
def test_session_cookie_without_samesite_in_production_w020_s8(samesite: Any) -> None:
    found = app_checks(SESSION_COOKIE_SAMESITE=samesite)
    assert [message.id for message in found] == ["django_tyntec2fa.W020"]
    assert "SESSION_COOKIE_SAMESITE = 'Lax'" in found[0].hint


@pytest.mark.parametrize("samesite", ["Lax", "Strict", "lax"])
def test_session_cookie_with_samesite_lax_or_strict_passes(samesite: str) -> None:
    assert app_check_ids(SESSION_COOKIE_SAMESITE=samesite) == []


def test_session_cookie_is_not_checked_with_debug() -> None:
    unsafe = {
        "SESSION_COOKIE_SECURE": False,
        "SESSION_COOKIE_HTTPONLY": False,
        "SESSION_COOKIE_SAMESITE": None,
    }
    assert app_check_ids(DEBUG=True, **unsafe) == []


# --- The app missing from INSTALLED_APPS -----------------------------------------------

#: A project that installs the middleware but not the app, and builds its request
#: handler, as runserver, gunicorn and uvicorn do at start-up.
WITHOUT_THE_APP = """
import django
from django.conf import settings

settings.configure(
    SECRET_KEY="tests-only-not-secret",
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes",
                    "django.contrib.sessions"],
    MIDDLEWARE=[{session!r}, {auth!r}, {gate!r}],
    DATABASES={{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}}},
    ROOT_URLCONF="__main__",
)
urlpatterns = []
django.setup()
from django.utils.module_loading import import_string

try:
    import_string({handler!r})()
except Exception as error:
    print(f"{{type(error).__name__}}: {{error}}")
else:
    print("no error")
"""


@pytest.mark.parametrize(
    "handler", ["django.core.handlers.wsgi.WSGIHandler", "django.core.handlers.asgi.ASGIHandler"]
)
def test_middleware_without_the_app_in_installed_apps_names_the_fix(handler: str) -> None:
    """Not a model traceback ("Model class ... doesn't declare an explicit app_label"):
    an ImproperlyConfigured that says what to add."""
    script = WITHOUT_THE_APP.format(session=SESSION, auth=AUTH, gate=GATE, handler=handler)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.strip() == (
        "ImproperlyConfigured: SecondFactorMiddleware is in MIDDLEWARE but django_tyntec2fa "
        "is not installed: add 'django_tyntec2fa' to INSTALLED_APPS."
    )


#: The same project with the documented urls.py, at ``manage.py check`` (``runserver``
#: runs it before it builds a handler): the URLconf imports the app's models first.
CHECK_WITHOUT_THE_APP = """
import django
from django.conf import settings

settings.configure(
    SECRET_KEY="tests-only-not-secret",
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes",
                    "django.contrib.sessions"],
    MIDDLEWARE={middleware!r},
    DATABASES={{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}}},
    ROOT_URLCONF="tests.gate.urls_documented",
)
django.setup()
from django.core.management import call_command

try:
    call_command("check")
except Exception as error:
    print(f"{{type(error).__name__}}: {{error}}")
else:
    print("no error")
"""


@pytest.mark.parametrize(
    ("middleware", "what"),
    [
        ([SESSION, AUTH, GATE], "SecondFactorMiddleware is in MIDDLEWARE"),
        ([SESSION, AUTH], "django_tyntec2fa's models are imported"),
    ],
)
def test_documented_urls_without_the_app_name_the_fix(middleware: list[str], what: str) -> None:
    """Issue 23.20: the urls.py importing ``LoginView`` loads the models before any
    handler is built; they say what to add, not "Model class ... AuditEvent doesn't
    declare an explicit app_label" (a RuntimeError)."""
    script = CHECK_WITHOUT_THE_APP.format(middleware=middleware)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.strip() == (
        f"ImproperlyConfigured: {what} but django_tyntec2fa is not installed: "
        "add 'django_tyntec2fa' to INSTALLED_APPS."
    )
