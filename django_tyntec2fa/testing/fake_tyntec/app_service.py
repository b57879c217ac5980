"""The application service: applications and their language templates (docs/providers.md, "The endpoints")."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from .errors import (
    BAD_BODY,
    DEFAULT_APP_PROTECTED,
    DEFAULT_NAME,
    DEFAULT_NAME_MESSAGE,
    EN_TEMPLATE_PROTECTED,
    EXPIRE_MESSAGE,
    EXPIRE_RANGE,
    MISSING_OTP_PLACEHOLDER,
    PIN_LENGTH,
    PIN_LENGTH_MESSAGE,
    TEMPLATE_NOT_FOUND,
    ApiError,
    bad_parameter,
)
from .models import DEFAULT_APPLICATION_ID, FakeApplication
from .otp_service import PIN_LENGTH_RANGE
from .params import Params
from .reply import Reply
from .state import FakeState

EXPIRE_RANGE_SECONDS = range(30, 7201)  # error 1008's text
ATTEMPTS_RANGE = range(1, 101)  # undocumented by tyntec; the fake refuses nonsense
_LANGUAGE = re.compile(r"[a-z]{2}")  # ISO 639-1


def _check_fields(fields: dict[str, Any]) -> None:
    """Refuse out-of-range values with tyntec's codes, before anything changes."""
    name = fields.get("name")
    if name is not None and not isinstance(name, str):
        raise bad_parameter("name")
    if name is not None and name.lower() == "default":
        raise ApiError(400, DEFAULT_NAME, DEFAULT_NAME_MESSAGE)
    if "pinLength" in fields and fields["pinLength"] not in PIN_LENGTH_RANGE:
        raise ApiError(400, PIN_LENGTH, PIN_LENGTH_MESSAGE)
    if "expire" in fields and fields["expire"] not in EXPIRE_RANGE_SECONDS:
        raise ApiError(400, EXPIRE_RANGE, EXPIRE_MESSAGE)
    if "attempts" in fields and fields["attempts"] not in ATTEMPTS_RANGE:
        raise bad_parameter("attempts")
    for key in ("sender", "caller"):
        if key in fields and fields[key] is not None and not isinstance(fields[key], str):
            raise bad_parameter(key)


def _body_fields(body: bytes) -> dict[str, Any]:
    """The optional JSON body of a create, typed like the entity."""
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except ValueError:
        raise ApiError(400, BAD_BODY, "The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ApiError(400, BAD_BODY, "The body must be a JSON object.")
    fields = {key: data[key] for key in ("name", "sender", "caller") if data.get(key) is not None}
    for key in ("pinLength", "attempts", "expire"):
        value = data.get(key)
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ApiError(400, BAD_BODY, f"'{key}' must be an integer.")
            fields[key] = value
    if data.get("alphanumeric") is not None:
        if not isinstance(data["alphanumeric"], bool):
            raise ApiError(400, BAD_BODY, "'alphanumeric' must be a boolean.")
        fields["alphanumeric"] = data["alphanumeric"]
    return fields


def _apply(app: FakeApplication, fields: dict[str, Any]) -> None:
    attributes = {"pinLength": "pin_length", "alphanumeric": "alphanumeric"}
    for key, value in fields.items():
        setattr(app, attributes.get(key, key), value)


def app_list(state: FakeState, params: Params, args: dict[str, str], body: bytes) -> Reply:
    """GET /application: the default application first, then by creation."""
    apps = sorted(
        state.applications.values(),
        key=lambda app: (app.application_id != DEFAULT_APPLICATION_ID, app.created_ms),
    )
    return Reply(200, [app.to_json(state.account_id) for app in apps])


def app_create(state: FakeState, params: Params, args: dict[str, str], body: bytes) -> Reply:
    """POST /application with an optional JSON entity; missing values get the defaults."""
    fields = _body_fields(body)
    _check_fields(fields)
    now = state.now_ms()
    app = FakeApplication(application_id=str(uuid.uuid4()), name=f"App-{now}", created_ms=now)
    _apply(app, fields)
    state.applications[app.application_id] = app
    return Reply(200, app.to_json(state.account_id))


def app_read(state: FakeState, params: Params, args: dict[str, str], body: bytes) -> Reply:
    """GET /application/{applicationId} ("default" allowed)."""
    return Reply(200, state.application(args["app_id"]).to_json(state.account_id))


def app_edit(state: FakeState, params: Params, args: dict[str, str], body: bytes) -> Reply:
    """POST /application/{applicationId} with query parameters; all-or-nothing."""
    app = state.application(args["app_id"])
    pin_error = ApiError(400, PIN_LENGTH, PIN_LENGTH_MESSAGE)
    candidates: dict[str, Any] = {
        "name": params.get("name"),
        "pinLength": params.integer("pinLength", error=pin_error),
        "alphanumeric": params.boolean("alphaNumeric", "alphanumeric"),
        "attempts": params.integer("attempts"),
        "expire": params.integer("expire", error=ApiError(400, EXPIRE_RANGE, EXPIRE_MESSAGE)),
        "sender": params.get("sender"),
        "caller": params.get("caller"),
    }
    fields = {key: value for key, value in candidates.items() if value is not None}
    _check_fields(fields)
    if params.boolean("deleteCaller"):
        fields["caller"] = None  # wins over a caller sent in the same request
    _apply(app, fields)
    return Reply(200, app.to_json(state.account_id))


def app_delete(state: FakeState, params: Params, args: dict[str, str], body: bytes) -> Reply:
    """DELETE /application/{applicationId}; the default application stays: 403, the one
    refusal the OpenAPI file lists for this operation (200, 204, 401, 403, 404, 500)."""
    if args["app_id"] in ("default", DEFAULT_APPLICATION_ID):
        raise ApiError(403, DEFAULT_APP_PROTECTED, "The default application cannot be deleted.")
    app = state.application(args["app_id"])
    del state.applications[app.application_id]
    return Reply(200, app.to_json(state.account_id))


def _template_key(params: Params) -> str:
    language = params.require("language").lower()
    if not _LANGUAGE.fullmatch(language):
        raise bad_parameter("language")
    return f"{language}-voice" if params.channel() == "VOICE" else language


def template_save(state: FakeState, params: Params, args: dict[str, str], body: bytes) -> Reply:
    """POST /application/{id}/language: add or replace a (language, channel) template."""
    app = state.application(args["app_id"])
    key = _template_key(params)
    text = params.require("text")
    if "{{OTP}}" not in text:
        raise ApiError(400, MISSING_OTP_PLACEHOLDER, "Text must contain {{OTP}}.")
    app.template[key] = text
    return Reply(200, app.to_json(state.account_id))


def template_delete(state: FakeState, params: Params, args: dict[str, str], body: bytes) -> Reply:
    """DELETE /application/{id}/language; the English SMS template is the last fallback."""
    app = state.application(args["app_id"])
    key = _template_key(params)
    if key == "en":
        raise ApiError(400, EN_TEMPLATE_PROTECTED, "The 'en' template cannot be deleted.")
    if key not in app.template:
        raise ApiError(404, TEMPLATE_NOT_FOUND, "The language does not exist.")
    del app.template[key]
    return Reply(200, app.to_json(state.account_id))
