"""The WSGI application ``bench_gate`` serves with gunicorn: one handler per middleware
stack in one process, chosen by the first path segment (``/floor/``, ``/ours/``,
``/otp/``), so every variant runs in the same server under the same conditions."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings_peers")

import django

django.setup(set_prefix=False)

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.test import override_settings  # noqa: E402

from .settings_peers import STACKS  # noqa: E402


def _handler(stack: str) -> WSGIHandler:
    # WSGIHandler reads MIDDLEWARE once, in __init__.
    with override_settings(MIDDLEWARE=STACKS[stack]):
        return WSGIHandler()


HANDLERS = {name: _handler(name) for name in STACKS}


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Dispatch to the handler named by the first path segment (floor by default)."""
    segment = environ.get("PATH_INFO", "/").split("/", 2)[1]
    return HANDLERS.get(segment, HANDLERS["floor"])(environ, start_response)
