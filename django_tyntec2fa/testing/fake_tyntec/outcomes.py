"""What the fake reports about each delivery: the events of ``GET /otp/{otpId}/events``.

A phone network reports a delivery some time after the send, or reports a failure, or
never says anything. ``DeliveryPlan`` says which, for every message, for the messages
to one number, or for one channel; the most specific plan wins (number and channel,
number, channel, everyone). Without a plan a message is delivered at once.

One event per delivery, dated ``delay`` seconds after it and listed only from then on:

- ``delivered``: ``status`` "success", ``type`` "DELIVER_OTP_RES";
- ``failed``: ``status`` "failed", ``type`` "DELIVER_OTP_RES_FAIL" (tyntec's one
  documented type: a call busy or not answered; the fake uses it for SMS too);
- ``unknown``: no ``status`` (tyntec's ``null``), ``type`` "DELIVER_OTP_REQ";
- ``silent``: no event at all.

A ``null`` status is sent by leaving the property out: the OpenAPI file types
``status`` as a plain string.
"""

from __future__ import annotations

import math
import threading
from dataclasses import asdict, dataclass
from typing import Any

from .models import iso_timestamp

OUTCOMES: tuple[str, ...] = ("delivered", "failed", "unknown", "silent")
CHANNELS: tuple[str, ...] = ("SMS", "VOICE")
MAX_DELAY = 3600.0

_TEXTS = {
    ("delivered", "SMS"): "Delivered to the handset",
    ("delivered", "VOICE"): "The call was answered",
    ("failed", "SMS"): "The handset could not be reached",
    ("failed", "VOICE"): "The call was busy or not answered",
    ("unknown", "SMS"): "Accepted for delivery",
    ("unknown", "VOICE"): "Call queued",
}
_TYPES = {
    "delivered": "DELIVER_OTP_RES",
    "failed": "DELIVER_OTP_RES_FAIL",
    "unknown": "DELIVER_OTP_REQ",
}
_STATUSES = {"delivered": "success", "failed": "failed"}


@dataclass(frozen=True)
class DeliveryPlan:
    """How deliveries end: ``outcome`` (one of ``OUTCOMES``) ``delay`` seconds after the
    send, for ``number`` (E.164, None: any) on ``channel`` ("SMS", "VOICE", None: any)."""

    outcome: str = "delivered"
    delay: float = 0.0
    number: str | None = None
    channel: str | None = None

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {self.outcome!r}; expected one of {OUTCOMES}")
        if isinstance(self.delay, bool) or not isinstance(self.delay, (int, float)):
            raise ValueError("delay must be a number of seconds")
        if not (math.isfinite(self.delay) and 0.0 <= self.delay <= MAX_DELAY):
            raise ValueError(f"delay must be between 0 and {MAX_DELAY:g} seconds")
        if self.channel is not None and self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r}; expected one of {CHANNELS}")
        if self.number is not None and not isinstance(self.number, str):
            raise ValueError("number must be a string")

    @classmethod
    def from_json(cls, data: Any) -> DeliveryPlan:
        """A plan from the control endpoint's JSON body; ``ValueError`` if it is not one."""
        if not isinstance(data, dict):
            raise ValueError("a delivery plan is a JSON object")
        unknown = set(data) - {"outcome", "delay", "number", "channel"}
        if unknown:
            raise ValueError(f"unknown delivery plan fields: {sorted(unknown)}")
        return cls(**data)

    def to_json(self) -> dict[str, Any]:
        """The plan as the control endpoint accepts it."""
        return asdict(self)

    def event(self, channel: str, sent_ms: int) -> dict[str, Any] | None:
        """The ``StatusEvent`` of a message sent at ``sent_ms``; None when ``silent``."""
        if self.outcome == "silent":
            return None
        created = sent_ms + int(self.delay * 1000)
        event: dict[str, Any] = {
            "created": created,
            "statusText": f"{_TEXTS[(self.outcome, channel)]} (fake)",
            "timestampCreated": iso_timestamp(created),
            "type": _TYPES[self.outcome],
        }
        if self.outcome in _STATUSES:
            event["status"] = _STATUSES[self.outcome]
        return event


class DeliveryPlans:
    """The plans a test set, by (number, channel); thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._plans: dict[tuple[str | None, str | None], DeliveryPlan] = {}

    def set(self, plan: DeliveryPlan) -> None:
        """Use ``plan`` from now on for its number and channel (replacing one set before)."""
        with self._lock:
            self._plans[(plan.number, plan.channel)] = plan

    def for_message(self, number: str, channel: str) -> DeliveryPlan:
        """The most specific plan for a message to ``number`` on ``channel``."""
        with self._lock:
            for key in ((number, channel), (number, None), (None, channel), (None, None)):
                if key in self._plans:
                    return self._plans[key]
        return DeliveryPlan()

    def all(self) -> list[DeliveryPlan]:
        """Every plan set, as the control endpoint lists them."""
        with self._lock:
            return list(self._plans.values())

    def clear(self) -> None:
        """Back to "delivered at once" for everyone."""
        with self._lock:
            self._plans.clear()
