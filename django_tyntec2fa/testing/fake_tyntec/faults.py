"""Injected failures: what a test asks the fake to do wrong, and for how many requests."""

from __future__ import annotations

import threading
import uuid
from dataclasses import asdict, dataclass, replace
from typing import Any

from .reply import Reply

#: Every operation the fake counts, named after what it does (not tyntec's operationIds).
OPERATIONS: tuple[str, ...] = (
    "send",
    "list",
    "status",
    "resend",
    "delete",
    "events",
    "check",
    "app_list",
    "app_create",
    "app_read",
    "app_edit",
    "app_delete",
    "template_save",
    "template_delete",
)

#: latency: sleep ``delay`` then answer normally; hang: never answer until the fake
#: stops; status: answer ``status`` with an ErrorResponse; reset: close with a TCP RST;
#: malformed: 200 with a body that is not JSON; other_id: carry the request out, then
#: answer with another OTP's id (a mixed-up answer, R1).
KINDS: tuple[str, ...] = ("latency", "hang", "status", "reset", "malformed", "other_id")


@dataclass(frozen=True)
class Fault:
    """One failure to inject; ``operation`` None matches every operation."""

    kind: str
    operation: str | None = None
    times: int = 1
    status: int | None = None
    delay: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {KINDS}")
        if self.operation is not None and self.operation not in OPERATIONS:
            raise ValueError(f"unknown operation {self.operation!r}; expected one of {OPERATIONS}")
        if isinstance(self.times, bool) or not isinstance(self.times, int) or self.times < 1:
            raise ValueError("times must be a positive integer")
        if self.kind == "status" and self.status is None:
            object.__setattr__(self, "status", 500)  # frozen: set the default once
        if self.status is not None and not 400 <= self.status <= 599:
            raise ValueError("status must be an HTTP error status (400-599)")
        if not 0.0 <= self.delay <= 60.0:
            raise ValueError("delay must be between 0 and 60 seconds")

    @classmethod
    def from_json(cls, data: Any) -> Fault:
        """A fault from the control endpoint's JSON body; ``ValueError`` if it is not one."""
        if not isinstance(data, dict):
            raise ValueError("a fault is a JSON object")
        unknown = set(data) - {"kind", "operation", "times", "status", "delay"}
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}")
        if "kind" not in data:
            raise ValueError("a fault needs a kind")
        try:
            return cls(**data)
        except TypeError as exc:  # e.g. a string where a number belongs
            raise ValueError(str(exc)) from exc

    def to_json(self) -> dict[str, Any]:
        """The fault as the control endpoint accepts it."""
        return asdict(self)


def answer_for_another_otp(reply: Reply) -> Reply:
    """``reply`` with every ``otpId`` replaced by a fresh one (the ``other_id`` fault).

    The request was carried out (an SMS went out, a check spent an attempt), only the
    answer names another OTP. Bodies without an OTP (errors, applications) stay as
    they are.
    """
    if isinstance(reply.body, dict) and "otpId" in reply.body:
        return replace(reply, body=_with_other_id(reply.body))
    if isinstance(reply.body, list):
        body = [_with_other_id(item) if isinstance(item, dict) else item for item in reply.body]
        return replace(reply, body=body)
    return reply


def _with_other_id(entity: dict[str, Any]) -> dict[str, Any]:
    if "otpId" not in entity:
        return entity
    other = str(uuid.uuid4())  # a random UUID never equals the real one
    return {**entity, "otpId": other}


class FaultBook:
    """Pending faults in the order they were injected; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[list[Any]] = []  # [fault, remaining uses]

    def add(self, fault: Fault) -> None:
        """Queue ``fault`` for its next ``times`` matching requests."""
        with self._lock:
            self._pending.append([fault, fault.times])

    def take(self, operation: str) -> Fault | None:
        """The first pending fault matching ``operation``, using up one of its times."""
        with self._lock:
            for entry in self._pending:
                fault: Fault = entry[0]
                if fault.operation in (None, operation):
                    entry[1] -= 1
                    if entry[1] == 0:
                        self._pending.remove(entry)
                    return fault
        return None

    def pending(self) -> list[Fault]:
        """Faults not yet used up."""
        with self._lock:
            return [entry[0] for entry in self._pending]

    def clear(self) -> None:
        """Drop every pending fault."""
        with self._lock:
            self._pending.clear()
