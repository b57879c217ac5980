"""Where the local provider "delivers" its messages, chosen by ``TYNTEC2FA_LOCAL_SINK``.

Like Django's e-mail backends: ``ConsoleSink`` prints each message (the demo), and
``OutboxSink`` appends it to :data:`outbox`, which tests assert on. Sinks are the
phone: they see the code, so they are for development and tests only (R5).
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
from dataclasses import dataclass, field
from typing import TextIO

from django.utils import timezone

from .base import Channel, mask_number


@dataclass(frozen=True)
class Delivery:
    """One message as the phone receives it."""

    number: str
    channel: Channel
    language: str
    text: str
    code: str
    otp_id: str
    created: dt.datetime = field(default_factory=timezone.now)

    def __repr__(self) -> str:
        # No code and no text in the repr, it ends up in test failure output and logs.
        return (
            f"Delivery(number={mask_number(self.number)!r}, channel={self.channel.value}, "
            f"language={self.language!r}, otp_id={self.otp_id!r})"
        )


class Sink:
    """Receives each delivery of the local provider."""

    def deliver(self, delivery: Delivery) -> None:
        raise NotImplementedError


#: Every delivery made through ``OutboxSink``, oldest first. Tests clear it.
outbox: list[Delivery] = []
_outbox_lock = threading.Lock()


class OutboxSink(Sink):
    """Keeps messages in memory in :data:`outbox` (tests, the demo's outbox page)."""

    #: Bound, so a long-running demo server cannot grow without limit.
    max_messages = 1000

    def deliver(self, delivery: Delivery) -> None:
        with _outbox_lock:
            outbox.append(delivery)
            del outbox[: -self.max_messages]


class ConsoleSink(Sink):
    """Prints each message to standard output, as a phone would show it."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def deliver(self, delivery: Delivery) -> None:
        stream = self.stream or sys.stdout
        stream.write(
            f"[tyntec2fa local {delivery.channel.value} to {delivery.number}] {delivery.text}\n"
        )
        stream.flush()


class ConsoleAndOutboxSink(Sink):
    """Both: the demo prints codes and also lists them on its DEBUG-only outbox page."""

    def __init__(self) -> None:
        self._sinks: tuple[Sink, ...] = (ConsoleSink(), OutboxSink())

    def deliver(self, delivery: Delivery) -> None:
        for sink in self._sinks:
            sink.deliver(delivery)
