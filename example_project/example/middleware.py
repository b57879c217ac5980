"""The demo's outbox stands for the user's phone, so it is served outside the site.

While a login waits for its code, the second-factor gate sends every page of the site
to the challenge page; the outbox must stay readable then, as a phone would. This
middleware answers the two outbox URLs before the session and the gate are involved,
so the outbox never sees or shows who is signed in. It exists only with DEBUG.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

OUTBOX_URL_NAMES = frozenset({"outbox", "outbox-json"})


class OutboxMiddleware:
    """Serve ``/outbox/`` and ``/outbox.json`` ahead of sessions and the gate (DEBUG)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.DEBUG:
            try:
                match = resolve(request.path_info)
            except Resolver404:
                match = None
            if match is not None and match.url_name in OUTBOX_URL_NAMES:
                return match.func(request, *match.args, **match.kwargs)
        return self.get_response(request)
