"""Fixtures for the flow tests: users, a confirmed phone, requests with a session,
and the code the local provider "delivered" (the outbox sink of tests/settings.py).

Rate limits are off unless a test turns them on (``limits_on``); the cache is cleared
around every test, so no bucket leaks from one test into another.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from django_tyntec2fa import flows
from django_tyntec2fa.core import session
from django_tyntec2fa.models import PhoneDevice

NUMBER = "+4915123456789"
OTHER_NUMBER = "+4915198765432"
BACKEND = "django.contrib.auth.backends.ModelBackend"
PASSWORD = "pw-for-tests"

MakeRequest = Callable[..., HttpRequest]


@pytest.fixture(autouse=True)
def _no_rate_limits(settings: Any) -> Iterator[None]:
    settings.TYNTEC2FA_RATELIMIT_ENABLE = False
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def limits_on(settings: Any) -> Any:
    """Turn the rate limits on; returns the settings fixture to tune the rates."""
    settings.TYNTEC2FA_RATELIMIT_ENABLE = True
    return settings


@pytest.fixture
def user(db: None) -> Any:
    return get_user_model().objects.create_user("alice", password=PASSWORD)


@pytest.fixture
def other_user(db: None) -> Any:
    return get_user_model().objects.create_user("bob", password=PASSWORD)


def add_device(user: Any, number: str = NUMBER, **fields: Any) -> PhoneDevice:
    fields = {"confirmed": True, "is_primary": True, **fields}
    return PhoneDevice.objects.create(user=user, number=number, **fields)


@pytest.fixture
def device(user: Any) -> PhoneDevice:
    """Alice's confirmed primary phone."""
    return add_device(user)


@pytest.fixture
def make_request() -> MakeRequest:
    """``make_request(user=None, method="post", ip=..., xff=None, verified=False)``: a
    request with a fresh session; with ``user`` the session is logged in as that user
    (and carries the proof of a second factor when ``verified``)."""

    def _make(
        user: Any = None,
        *,
        method: str = "post",
        ip: str = "198.51.100.7",
        xff: str | None = None,
        verified: bool = False,
    ) -> HttpRequest:
        extra = {"REMOTE_ADDR": ip, "HTTP_USER_AGENT": "pytest"}
        if xff is not None:
            extra["HTTP_X_FORWARDED_FOR"] = xff
        request = getattr(RequestFactory(), method)("/2fa/", **extra)
        SessionMiddleware(lambda _request: HttpResponse()).process_request(request)
        request.user = AnonymousUser()
        if user is not None:
            log_in(request, user)
            if verified:
                session.mark_verified(request)
        return request

    return _make


def log_in(request: HttpRequest, user: Any) -> None:
    """What ``auth.login`` leaves in the session, without sending ``user_logged_in``."""
    request.session[SESSION_KEY] = str(user.pk)
    request.session[BACKEND_SESSION_KEY] = BACKEND
    request.session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    request.user = user


def password_step(request: HttpRequest, user: Any) -> None:
    """A password login as the ``user_logged_in`` receiver sees it: the auth keys in
    the session, then ``flows.begin_login``."""
    log_in(request, user)
    flows.begin_login(request, user)
