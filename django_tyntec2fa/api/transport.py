"""How a pending login travels between the API's requests, and CSRF for it.

Two kinds of client, as django-allauth's headless API has them:

- **Browsers and SPAs** keep the pending login in the session cookie, like the HTML
  pages. Every unsafe request then needs Django's CSRF token (``X-CSRFToken``): DRF's
  ``SessionAuthentication`` checks it for signed-in users, ``enforce_csrf`` for the
  anonymous steps of a login (the password, the code), so that no other site can sign
  a browser in as someone else (login CSRF).
- **Apps without cookies** log in with ``"token": true``: the pending login then lives
  in a session-store entry of its own, named by the ``login_token`` of the answer, which
  the app sends back in the ``X-Tyntec2FA-Login`` header until the verify answer hands
  it the API token. No cookie is set or read; a browser never sends that header by
  itself, so these requests need no CSRF token.

A login session is only ever the pending state of one login: the entry is marked at
creation, a header naming any other session (a browser's) is ignored, and the entry is
deleted when the token is issued or the login cancelled.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase, UpdateError
from django.http import HttpRequest
from rest_framework.authentication import CSRFCheck
from rest_framework.request import Request

from .errors import CsrfFailed

HEADER = "X-Tyntec2FA-Login"
#: Marks a session-store entry as an app's login session (see the module docstring).
APP_MARK = "_tyntec2fa_api_login"
#: Session keys as Django makes them; anything else in the header is not looked up.
KEY_PATTERN = re.compile(r"[a-z0-9]{32,40}")
_APP_ATTR = "_tyntec2fa_app_login"
_STALE_ATTR = "_tyntec2fa_login_token_stale"
_CSRF_META = ("CSRF_COOKIE", "CSRF_COOKIE_NEEDS_UPDATE")
_MISSING = object()


def is_app_mode(request: HttpRequest) -> bool:
    """This request is served from an app's login session, not from cookies."""
    return bool(getattr(request, _APP_ATTR, False))


def is_stale(request: HttpRequest) -> bool:
    """The request named a login session that no longer exists (timed out or used)."""
    return bool(getattr(request, _STALE_ATTR, False))


def _store(key: str | None = None) -> SessionBase:
    return import_module(settings.SESSION_ENGINE).SessionStore(key)


def _load(raw: str) -> SessionBase | None:
    if not KEY_PATTERN.fullmatch(raw):
        return None
    store = _store(raw)
    return store if store.get(APP_MARK) is True else None


@contextmanager
def login_session(request: HttpRequest) -> Iterator[None]:
    """Serve ``request`` from the login session its header names (if any); afterwards
    save that session and give the request back its own session, user and CSRF state,
    so nothing of the app's login reaches a cookie."""
    saved = {name: request.__dict__.get(name, _MISSING) for name in ("session", "user")}
    csrf = {name: request.META.get(name, _MISSING) for name in _CSRF_META}
    raw = request.headers.get(HEADER)
    if raw is not None:
        store = _load(raw.strip())
        if store is None:
            setattr(request, _STALE_ATTR, True)
            store = _store()
        _swap(request, store)
    try:
        yield
    finally:
        if is_app_mode(request):
            _persist(request.session)
            _restore(request, saved, csrf)


def begin_app_login(request: HttpRequest) -> None:
    """Give an app's password step a login session of its own (``"token": true``)."""
    if not is_app_mode(request):
        _swap(request, _store())
    request.session[APP_MARK] = True


def login_token(request: HttpRequest) -> str | None:
    """The key the app sends back in ``X-Tyntec2FA-Login``; None for cookie clients."""
    return request.session.session_key if is_app_mode(request) else None


def end_app_login(request: HttpRequest) -> None:
    """The login is done or given up: delete the app's login session."""
    if is_app_mode(request):
        request.session.flush()


def enforce_csrf(request: Request) -> None:
    """Django's CSRF check, as ``csrf_protect`` makes it, for a cookie client's
    anonymous step; raises ``CsrfFailed`` (403)."""
    check = CSRFCheck(lambda _request: None)  # type: ignore[arg-type,return-value]
    check.process_request(request)  # type: ignore[arg-type]
    reason = check.process_view(request, None, (), {})  # type: ignore[arg-type]
    if reason:
        raise CsrfFailed(f"CSRF Failed: {reason}")


def _swap(request: HttpRequest, store: SessionBase) -> None:
    request.session = store
    # Nobody is signed in in a login session; and never the cookie's user.
    request.user = AnonymousUser()
    setattr(request, _APP_ATTR, True)


def _persist(store: SessionBase) -> None:
    if store.session_key is None or store.get(APP_MARK) is not True or not store.modified:
        return
    try:
        store.save()
    except UpdateError:
        pass  # deleted meanwhile (cleanup, a parallel cancel): the next request is stale


def _restore(request: HttpRequest, saved: dict[str, Any], csrf: dict[str, Any]) -> None:
    for name, value in saved.items():
        if value is _MISSING:
            request.__dict__.pop(name, None)
        else:
            request.__dict__[name] = value
    for name, value in csrf.items():
        if value is _MISSING:
            request.META.pop(name, None)
        else:
            request.META[name] = value
