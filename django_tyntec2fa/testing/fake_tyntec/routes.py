"""Which operation answers which method and path under ``/2fa/v1``."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

from . import app_service, otp_service
from .errors import METHOD_NOT_ALLOWED, UNKNOWN_RESOURCE, ApiError
from .params import Params
from .reply import Reply
from .state import FakeState

Operation = Callable[[FakeState, Params, dict[str, str], bytes], Reply]

_OTP = r"/2fa/v1/otp/(?P<otp_id>[^/]+)"
_APP = r"/2fa/v1/application/(?P<app_id>[^/]+)"


@dataclass(frozen=True)
class Route:
    """One method + path pattern and the operation (counter name) behind it."""

    method: str
    pattern: re.Pattern[str]
    name: str
    operation: Operation


def _route(method: str, path: str, name: str, operation: Operation) -> Route:
    # A trailing slash is accepted everywhere: tyntec's own docs use one on /application/.
    return Route(method, re.compile(path + "/?"), name, operation)


ROUTES: tuple[Route, ...] = (
    _route("POST", r"/2fa/v1/otp", "send", otp_service.send),
    _route("GET", r"/2fa/v1/otp", "list", otp_service.list_for_number),
    _route("GET", _OTP, "status", otp_service.status),
    _route("POST", _OTP, "resend", otp_service.resend),
    _route("DELETE", _OTP, "delete", otp_service.delete),
    _route("GET", _OTP + "/events", "events", otp_service.events),
    _route("POST", _OTP + "/check", "check", otp_service.check),
    _route("GET", r"/2fa/v1/application", "app_list", app_service.app_list),
    _route("POST", r"/2fa/v1/application", "app_create", app_service.app_create),
    _route("GET", _APP, "app_read", app_service.app_read),
    _route("POST", _APP, "app_edit", app_service.app_edit),
    _route("DELETE", _APP, "app_delete", app_service.app_delete),
    _route("POST", _APP + "/language", "template_save", app_service.template_save),
    _route("DELETE", _APP + "/language", "template_delete", app_service.template_delete),
)


def match(method: str, path: str) -> tuple[Route, dict[str, str]]:
    """The route for ``method`` and ``path`` with its decoded path arguments.

    An unknown path is a 404 and a known path with another method a 405, both with an
    ErrorResponse; neither counts as an operation.
    """
    path_known = False
    for route in ROUTES:
        found = route.pattern.fullmatch(path)
        if found is None:
            continue
        if route.method == method:
            return route, {key: unquote(value) for key, value in found.groupdict().items()}
        path_known = True
    if path_known:
        raise ApiError(405, METHOD_NOT_ALLOWED, "Method not allowed.")
    raise ApiError(404, UNKNOWN_RESOURCE, "Not Found")
