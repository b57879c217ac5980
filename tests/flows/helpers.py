"""Small helpers shared by the flow tests."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from django.dispatch import Signal

from django_tyntec2fa.providers import get_provider


class CallCounter:
    """Wraps a provider method and counts its calls, thread-safely."""

    def __init__(self, method: Callable[..., Any]) -> None:
        self.method = method
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            self.calls += 1
        return self.method(*args, **kwargs)


@contextmanager
def count_calls(name: str) -> Iterator[CallCounter]:
    """Count calls of the configured provider's method ``name`` (e.g. ``"check"``)."""
    provider = get_provider()
    counter = CallCounter(getattr(provider, name))
    with mock.patch.object(provider, name, counter):
        yield counter


@contextmanager
def received(signal: Signal) -> Iterator[list[dict[str, Any]]]:
    """Collect the keyword arguments of every ``signal`` sent in the block."""
    calls: list[dict[str, Any]] = []

    def receiver(**kwargs: Any) -> None:
        calls.append(kwargs)

    signal.connect(receiver, weak=False)
    try:
        yield calls
    finally:
        signal.disconnect(receiver)
