"""The ASGI phase of ``bench_gate``: the same page through Django's ``ASGIHandler``,
one handler per middleware stack (``STACKS``: plain Django, ours, django-otp's
``OTPMiddleware``) in one process and one event loop, as an ASGI server calls it.

No server: each request is one ``await handler(scope, receive, send)`` on an event
loop of this process, so the figure is Django's ASGI path (the middleware chain, the
thread hops of ``sync_to_async``, the view) without a server's HTTP parsing, the same
for every variant. The sync parts run in asgiref's one thread-sensitive executor
thread, as under uvicorn or daphne.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from django.core.handlers.asgi import ASGIHandler
from django.test import Client, override_settings

from .settings_peers import STACKS


def handler(stack: str) -> ASGIHandler:
    """An ASGI handler with ``STACKS[stack]`` (it reads MIDDLEWARE once, when built)."""
    with override_settings(MIDDLEWARE=STACKS[stack]):
        return ASGIHandler()


def scope(path: str, cookies: dict[str, str]) -> dict[str, Any]:
    """The ASGI scope of a browser's GET of ``path`` with its cookies."""
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"accept", b"text/html,application/xhtml+xml"),
            (b"cookie", cookie.encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }


async def request(app: ASGIHandler, request_scope: dict[str, Any]) -> int:
    """One request through ``app``; its status."""
    messages: list[dict[str, Any]] = []
    body_sent = False
    never = asyncio.Event()

    async def receive() -> dict[str, Any]:
        nonlocal body_sent
        if not body_sent:
            body_sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await never.wait()  # no disconnect: Django cancels this once it has answered
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    await app(request_scope, receive, send)
    return int(messages[0]["status"])


class Phase:
    """The ASGI handlers of every stack, driven from one event loop."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.handlers = {name: handler(name) for name in STACKS}

    def call(self, stack: str, browser: Client, path: str) -> Callable[[], int]:
        """One request of ``browser`` to ``path`` through ``stack`` per call."""
        cookies = {name: morsel.value for name, morsel in browser.cookies.items()}
        app, request_scope = self.handlers[stack], scope(path, cookies)
        return lambda: self.loop.run_until_complete(request(app, request_scope))

    def close(self) -> None:
        self.loop.close()
