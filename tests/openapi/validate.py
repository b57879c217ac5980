"""Validate HTTP traffic against tyntec's OpenAPI file for 2FA v1 (openapi-core).

Reusable by any test that talks to tyntec or to the fake over ``requests``::

    from tests.openapi.validate import validate_request, validate_response

    response = session.post(url, params=...)
    validate_request(response.request)
    validate_response(response.request, response)

Both raise (an ``openapi_core`` ``OpenAPIError``) on a mismatch.

The vendored file loads in openapi-core as it is. Its quirks, and how this module
treats them:

- ``POST /application`` 400 lists "Wrong PIN length" / "Wrong expiration time" as if
  they were media types. They hold examples only; openapi-core never matches them,
  because responses are ``application/json``. Left as they are.
- The file names one server, ``https://api.tyntec.com``. Requests to the fake go to
  ``http://127.0.0.1:<port>``, so the URL is rewritten to that server before
  validation (path and query are kept; only scheme and host change).
- Nothing is loosened: an answer is valid only as the file stands. The fake leaves an
  unset ``referenceId`` or ``caller`` out rather than sending ``null``, which the file's
  plain ``string`` would refuse (docs/fake_tyntec.md). tyntec itself has answered
  ``"referenceId": null``; the client accepts both, and that leniency is tested with
  canned bodies in ``tests/tyntec_client``, not here.
- A 204 answer carries no body (RFC 9110 §15.3.5), although the file gives the 204 of
  the two list operations array content. For a 204 with an empty body only the status
  is checked (it must be documented for the operation).
"""

from __future__ import annotations

import copy
import functools
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
import yaml
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse
from openapi_core.validation.response.exceptions import MissingData

SPEC_PATH = Path(__file__).with_name("tyntec-2fa-v1-openapi.yaml")
SPEC_SERVER = ("https", "api.tyntec.com")
_METHODS = ("get", "post", "put", "patch", "delete")


@functools.cache
def spec_dict() -> dict[str, Any]:
    """The vendored file as parsed YAML (do not mutate)."""
    with SPEC_PATH.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@functools.cache
def openapi() -> OpenAPI:
    """The OpenAPI object of the file as it stands (a copy: ``spec_dict`` stays intact)."""
    return OpenAPI.from_dict(copy.deepcopy(spec_dict()))


@functools.cache
def operations() -> dict[str, tuple[str, str]]:
    """operationId -> (HTTP method, path template) for every operation in the file."""
    found: dict[str, tuple[str, str]] = {}
    for path, item in spec_dict()["paths"].items():
        for method in _METHODS:
            if method in item:
                found[item[method]["operationId"]] = (method.upper(), path)
    return found


def documented_statuses(operation_id: str) -> set[int]:
    """The HTTP statuses the file lists for ``operation_id``."""
    method, path = operations()[operation_id]
    responses = spec_dict()["paths"][path][method.lower()]["responses"]
    return {int(status) for status in responses}


def operation_id(prepared: requests.PreparedRequest) -> str:
    """The operationId ``prepared`` calls; ``LookupError`` if none matches."""
    path = urlsplit(prepared.url or "").path
    for candidate, (method, template) in operations().items():
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        if method == prepared.method and re.fullmatch(pattern, path):
            return candidate
    raise LookupError(f"no operation for {prepared.method} {path}")


def _on_spec_server(prepared: requests.PreparedRequest) -> requests.PreparedRequest:
    moved = prepared.copy()
    parts = urlsplit(prepared.url or "")
    moved.url = urlunsplit((*SPEC_SERVER, parts.path, parts.query, ""))
    return moved


def validate_request(prepared: requests.PreparedRequest) -> None:
    """Raise if ``prepared`` is not a request the file allows (including the apiKey header)."""
    openapi().validate_request(RequestsOpenAPIRequest(_on_spec_server(prepared)))


def validate_response(prepared: requests.PreparedRequest, response: requests.Response) -> None:
    """Raise if ``response`` is not a documented answer to ``prepared``."""
    request = RequestsOpenAPIRequest(_on_spec_server(prepared))
    try:
        openapi().validate_response(request, RequestsOpenAPIResponse(response))
    except MissingData:
        # Reached only after openapi-core found the status documented for the operation.
        if response.status_code == 204 and not response.content:
            return
        raise
