"""``session_cookie.keep``: a 5xx answer keeps the session as SessionMiddleware keeps it
on any other answer (issue 12: the password step's 503 must not lose the pending
login). The password step and the code page that use it: tests/api/test_send_refusal.py,
tests/faults/test_cache_outage.py."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.middleware.csrf import CSRF_SESSION_KEY
from django.test import RequestFactory

from django_tyntec2fa.gate import session_cookie

pytestmark = pytest.mark.django_db


def request_with(data: dict[str, Any] | None = None) -> Any:
    request = RequestFactory().get("/")
    request.session = SessionStore()
    for key, value in (data or {}).items():
        request.session[key] = value
    return request


def test_a_5xx_saves_the_session_and_sets_its_cookie(settings: Any) -> None:
    settings.SESSION_COOKIE_NAME = "site_session"
    settings.SESSION_COOKIE_HTTPONLY = False
    settings.SESSION_COOKIE_SECURE = False
    request = request_with({"pending": "yes"})

    response = session_cookie.keep(request, HttpResponse(status=503))

    key = response.cookies["site_session"].value
    assert SessionStore(key).load() == {"pending": "yes"}
    assert response.cookies["site_session"]["httponly"] == ""
    assert response.cookies["site_session"]["secure"] == ""
    assert response["Vary"] == "Cookie"


def test_below_500_the_middleware_saves_it_once_not_this(settings: Any) -> None:
    request = request_with({"pending": "yes"})

    response = session_cookie.keep(request, HttpResponse(status=200))

    assert request.session.session_key is None  # not saved
    assert not response.cookies and not response.has_header("Vary")


def test_an_unchanged_session_is_not_written(settings: Any) -> None:
    stored = SessionStore()
    stored["pending"] = "yes"
    stored.create()
    request = RequestFactory().get("/")
    request.session = SessionStore(stored.session_key)
    assert request.session["pending"] == "yes"  # read, not changed

    response = session_cookie.keep(request, HttpResponse(status=503))

    assert not response.cookies
    assert response["Vary"] == "Cookie"  # read: the answer depends on the cookie


def test_a_rotated_csrf_token_in_the_session_is_kept(settings: Any) -> None:
    """With ``CSRF_USE_SESSIONS`` the login's new CSRF token lives in the session,
    where CsrfViewMiddleware puts it only after ``keep`` has saved it."""
    settings.CSRF_USE_SESSIONS = True
    request = request_with({"pending": "yes"})
    request.META["CSRF_COOKIE"] = "n" * 32
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True

    response = session_cookie.keep(request, HttpResponse(status=503))

    key = response.cookies[settings.SESSION_COOKIE_NAME].value
    assert SessionStore(key).load()[CSRF_SESSION_KEY] == "n" * 32
