"""Every API endpoint answers 400 ``parse_error`` to a body that is not acceptable JSON,
never a 500 (issue 15: ``[`` x 1000 was a ``RecursionError``). The parser refuses deep
nesting, huge numbers, bytes that are not UTF-8 and duplicate keys
(``django_tyntec2fa/api/parsers.py``); tests/test_schemathesis.py sends the same
bodies to every operation of the schema."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from django_tyntec2fa.api import parsers
from django_tyntec2fa.api import urls as api_urls
from django_tyntec2fa.models import PhoneDevice

from .helpers import JSON, assert_error

#: Bodies that are not acceptable JSON, by what is wrong with them.
BAD_BODIES = {
    "deep nesting": b"[" * 1000 + b"]" * 1000,
    "nesting past the limit": b'{"a":' * (parsers.MAX_DEPTH + 1)
    + b"1"
    + b"}" * (parsers.MAX_DEPTH + 1),
    "huge integer": b'{"code": 1' + b"0" * 5000 + b"}",
    "long integer": b'{"pk": 1' + b"0" * parsers.MAX_DIGITS + b"}",
    "float overflow": b'{"code": 1e999}',
    "NaN": b'{"code": NaN}',
    "invalid UTF-8": b'{"username": "\xff\xfe"}',
    "duplicate keys": b'{"username": "alice", "username": "bob"}',
    "too large": b'{"label": "' + b"a" * parsers.MAX_BODY + b'"}',
    "truncated": b'{"code": "12',
}


def api_endpoints(device_pk: int) -> list[tuple[str, str]]:
    """(method, path) of every named endpoint of the API that takes a body."""
    found = []
    for pattern in api_urls.urlpatterns:
        view = getattr(pattern.callback, "view_class", None)
        if view is None or not pattern.name:
            continue
        path = "/api/" + str(pattern.pattern).replace("<int:pk>", str(device_pk))
        found += [
            (method, path) for method in ("post", "put", "patch", "delete") if hasattr(view, method)
        ]
    return found


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("what", sorted(BAD_BODIES))
def test_a_body_that_is_not_acceptable_json_is_400_on_every_endpoint(
    verified: Client, alice: Any, settings: Any, what: str, debug: bool
) -> None:
    settings.DEBUG = debug
    device = PhoneDevice.objects.filter(user=alice).first()
    endpoints = api_endpoints(device.pk)
    assert len(endpoints) >= 12, endpoints
    for method, path in endpoints:
        response = getattr(verified, method)(
            path, data=BAD_BODIES[what], content_type="application/json", headers=JSON
        )
        assert_error(response, 400, "parse_error")


def test_the_refusal_is_translated(verified: Client) -> None:
    with translation.override("de"):
        response = verified.post(
            "/api/login/",
            data=BAD_BODIES["deep nesting"],
            content_type="application/json",
            headers={**JSON, "accept-language": "de"},
        )
    body = assert_error(response, 400, "parse_error")
    assert body["detail"] != "Malformed request."


def test_an_acceptable_body_still_parses() -> None:
    assert parsers.loads(b'{"code": "123456", "n": 12, "x": 1.5, "s": "\\"[{"}') == {
        "code": "123456",
        "n": 12,
        "x": 1.5,
        "s": '"[{',
    }
