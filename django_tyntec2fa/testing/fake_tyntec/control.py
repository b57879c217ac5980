"""``/_fake/...``: the test-control endpoints for a fake running in another process.

They need the API key like the API does; they are not tyntec's and not counted.
"""

from __future__ import annotations

import json
import math

from .errors import BAD_BODY, METHOD_NOT_ALLOWED, UNKNOWN_RESOURCE, ApiError, bad_parameter
from .faults import Fault
from .outcomes import DeliveryPlan
from .params import Params
from .reply import Reply
from .state import FakeState


def _counters(state: FakeState, params: Params, body: bytes) -> Reply:
    with state.lock:
        return Reply(200, {"counters": dict(state.counters), "connections": state.connections})


def _outbox(state: FakeState, params: Params, body: bytes) -> Reply:
    with state.lock:
        return Reply(200, [message.to_json() for message in state.outbox])


def _faults(state: FakeState, params: Params, body: bytes) -> Reply:
    try:
        fault = Fault.from_json(json.loads(body or b"null"))
    except ValueError as exc:  # json.JSONDecodeError is a ValueError too
        raise ApiError(400, BAD_BODY, f"Not a fault: {exc}") from None
    state.faults.add(fault)
    return Reply(200, {"pending": [pending.to_json() for pending in state.faults.pending()]})


def _delivery(state: FakeState, params: Params, body: bytes) -> Reply:
    try:
        plan = DeliveryPlan.from_json(json.loads(body or b"null"))
    except (ValueError, TypeError) as exc:  # json.JSONDecodeError is a ValueError too
        raise ApiError(400, BAD_BODY, f"Not a delivery plan: {exc}") from None
    state.deliveries.set(plan)
    return Reply(200, {"delivery": [each.to_json() for each in state.deliveries.all()]})


def _reset(state: FakeState, params: Params, body: bytes) -> Reply:
    state.reset()
    return Reply(200, {"reset": True})


def _clock(state: FakeState, params: Params, body: bytes) -> Reply:
    raw = params.require("advance")
    try:
        seconds = float(raw)
    except ValueError:
        raise bad_parameter("advance") from None
    if not math.isfinite(seconds) or seconds < 0:
        raise bad_parameter("advance")
    state.advance(seconds)
    return Reply(200, {"now": state.now_ms()})


_CONTROL = {
    "/_fake/counters": ("GET", _counters),
    "/_fake/outbox": ("GET", _outbox),
    "/_fake/faults": ("POST", _faults),
    "/_fake/delivery": ("POST", _delivery),
    "/_fake/reset": ("POST", _reset),
    "/_fake/clock": ("POST", _clock),
}


def handle_control(state: FakeState, method: str, path: str, params: Params, body: bytes) -> Reply:
    """Answer a control request (the caller has checked the API key)."""
    entry = _CONTROL.get(path.rstrip("/"))
    if entry is None:
        raise ApiError(404, UNKNOWN_RESOURCE, "Not Found")
    expected, handler = entry
    if method != expected:
        raise ApiError(405, METHOD_NOT_ALLOWED, "Method not allowed.")
    return handler(state, params, body)
