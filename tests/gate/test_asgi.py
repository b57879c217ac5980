"""The gate under ASGI (issue 22.7): a request without a session cookie and a verified
session pass on the event loop, with no thread hop of the gate's own; only what needs
the synchronous ORM (the policy of a login without proof, aborting a pending login)
goes to a thread. The answers are those of the WSGI path."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from asgiref.sync import SyncToAsync, async_to_sync
from django.db import connection
from django.test import AsyncClient, Client
from django.test.utils import CaptureQueriesContext

from django_tyntec2fa.gate import middleware
from django_tyntec2fa.testing import force_second_factor

from ..steps import PasswordLogin
from .helpers import live_login_challenges, without_gate

PAGE = "/async/whoami/"  # an async view that awaits request.auser()
HTML = "text/html,application/xhtml+xml"


@contextmanager
def thread_hops() -> Iterator[list[str]]:
    """The functions sent to a thread by ``sync_to_async`` while the block runs."""
    hops: list[str] = []
    original = SyncToAsync.__call__

    async def counting(self: SyncToAsync, *args: Any, **kwargs: Any) -> Any:
        name = getattr(self.func, "__qualname__", None)  # never repr(): a QuerySet's queries
        hops.append(name or type(self.func).__name__)
        return await original(self, *args, **kwargs)

    with mock.patch.object(SyncToAsync, "__call__", counting):
        yield hops


def asgi_get(client: AsyncClient, path: str = PAGE, **extra: Any) -> Any:
    return async_to_sync(client.get)(path, **extra)


def hops_of(settings: Any, cookies: Any, *, gate: bool) -> list[str]:
    """The thread hops of one ASGI request to ``PAGE``, with or without the gate."""
    with_gate = settings.MIDDLEWARE
    if not gate:
        settings.MIDDLEWARE = without_gate(with_gate)
    try:
        client = AsyncClient()  # the handler reads MIDDLEWARE when it is built
        client.cookies = cookies
        with thread_hops() as hops:
            assert asgi_get(client).status_code == 200
        return hops
    finally:
        settings.MIDDLEWARE = with_gate


def test_no_session_cookie_adds_no_thread_hop(db: None, settings: Any) -> None:
    """On 21d6711 the gate sent every request to a thread twice (``__acall__`` and the
    sync ``process_view``), also a request without a session cookie."""
    baseline = hops_of(settings, Client().cookies, gate=False)
    assert sorted(hops_of(settings, Client().cookies, gate=True)) == sorted(baseline)


def test_a_verified_session_adds_no_thread_hop(alice: Any, settings: Any) -> None:
    """The session's load is the one the view's ``request.auser()`` makes anyway
    (Django's database engine: its own hop); the gate adds none."""
    browser = Client()
    force_second_factor(browser, alice)
    baseline = hops_of(settings, browser.cookies, gate=False)
    # The same hops; the session load merely comes earlier, in the gate.
    assert sorted(hops_of(settings, browser.cookies, gate=True)) == sorted(baseline)


def test_the_gate_decides_on_the_event_loop(alice: Any) -> None:
    """The decision itself runs in the event loop's thread, not in a worker thread."""
    threads: list[bool] = []
    decide = middleware._decide

    def spy(request: Any) -> Any:
        try:
            asyncio.get_running_loop()
            threads.append(True)
        except RuntimeError:
            threads.append(False)
        return decide(request)

    client = AsyncClient()
    force_second_factor(client, alice)  # type: ignore[arg-type]
    with mock.patch.object(middleware, "_decide", spy):
        assert asgi_get(client).status_code == 200
    assert threads == [True]


def test_the_signed_cookie_engine_passes_without_any_hop_of_the_gate(
    alice: Any, settings: Any
) -> None:
    """With a session engine that loads without I/O, a verified session reaches the
    view with no thread hop of the gate at all."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    browser = Client()
    force_second_factor(browser, alice)
    client = AsyncClient()
    client.cookies = browser.cookies
    with thread_hops() as hops:
        assert asgi_get(client).status_code == 200
    ours = [
        hop
        for hop in hops
        if hop in ("gate", "_unproven_login", "_abort_login")
        or hop.startswith("SecondFactorMiddleware.")
    ]
    assert ours == []


@pytest.mark.parametrize("accept", [HTML, "application/json", "*/*"])
def test_a_pending_login_gets_the_same_answer_as_under_wsgi(
    alice: Any, password_login: PasswordLogin, accept: str
) -> None:
    browser = Client()
    password_login(browser, alice)
    wsgi = browser.get(PAGE, HTTP_ACCEPT=accept)
    client = AsyncClient()
    client.cookies = browser.cookies
    asgi = asgi_get(client, headers={"Accept": accept})
    assert (asgi.status_code, asgi.get("Location"), asgi.content) == (
        wsgi.status_code,
        wsgi.get("Location"),
        wsgi.content,
    )
    assert asgi.status_code in (302, 401)


def test_a_verified_session_gets_the_same_answer_as_under_wsgi(alice: Any) -> None:
    browser = Client()
    force_second_factor(browser, alice)
    client = AsyncClient()
    client.cookies = browser.cookies
    assert asgi_get(client).content == browser.get(PAGE).content
    assert asgi_get(client).status_code == 200


def test_a_logout_post_aborts_the_pending_login_under_asgi(
    alice: Any, password_login: PasswordLogin
) -> None:
    """S11 under ASGI: the async ``process_view`` sends only the abort to a thread."""
    browser = Client()
    password_login(browser, alice)
    assert live_login_challenges(alice)
    client = AsyncClient()
    client.cookies = browser.cookies
    with thread_hops() as hops:
        response = async_to_sync(client.post)("/accounts/logout/")
    assert response.status_code in (200, 302)
    assert live_login_challenges(alice) == []
    assert "_abort_login" in hops


@pytest.mark.parametrize("path", ["/protected/async/", "/protected/cbv-async/"])
def test_the_decorator_and_mixin_pass_a_verified_session_on_the_loop(alice: Any, path: str) -> None:
    """``second_factor_required`` / ``SecondFactorRequiredMixin`` on an async view: no
    thread for the check, and the user is read once (the view's ``request.auser()``
    reuses the one the check loaded; on 21d6711 the sync check loaded it a second time)."""
    browser = Client()
    force_second_factor(browser, alice)
    client = AsyncClient()
    client.cookies = browser.cookies
    with thread_hops() as hops, CaptureQueriesContext(connection) as queries:
        assert asgi_get(client, path).status_code == 200
    assert "check_second_factor" not in hops
    assert "SecondFactorRequiredMixin.second_factor_response" not in hops
    users = [q["sql"] for q in queries.captured_queries if 'FROM "auth_user"' in q["sql"]]
    assert len(users) == 1
