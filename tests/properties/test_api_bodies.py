"""Fuzzing the API's request bodies (issue 15): whatever the bytes, the JSON parser
either returns a value or refuses with ``ValueError``, and the password endpoint answers
400 (``parse_error`` or ``validation_error``) or 401, never a 500. Deep nesting, huge
numbers, bytes that are not UTF-8 and duplicate keys are in the strategy on purpose."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client, override_settings
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from django_tyntec2fa.api import parsers

from .strategies import FAST

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
BODIES = st.one_of(
    st.binary(max_size=200),
    JSON_VALUES.map(lambda value: json.dumps(value).encode()),
    st.integers(1, 3000).map(lambda depth: b"[" * depth + b"]" * depth),
    st.integers(1, 3000).map(lambda depth: b'{"a":' * depth + b"1" + b"}" * depth),
    st.integers(1, 6000).map(lambda digits: b'{"username": 1' + b"0" * digits + b"}"),
    st.sampled_from([b"1e999", b"-1e999", b"NaN", b"Infinity", b'{"a": 1, "a": 2}', b"\xff"]),
    st.text(max_size=30).map(
        lambda key: json.dumps({key: 1})[:-1].encode() + b", " + json.dumps(key).encode() + b": 2}"
    ),
)


@FAST
@given(body=BODIES)
def test_the_parser_returns_a_value_or_refuses(body: bytes) -> None:
    try:
        value = parsers.loads(body)
    except ValueError:
        return
    assert json.loads(body.decode("utf-8")) == value or value != value  # NaN never passes


@override_settings(ROOT_URLCONF="tests.api.urls")
class ApiBodyFuzzTests(TestCase):
    @FAST
    @given(body=BODIES)
    def test_the_password_endpoint_never_answers_500(self, body: Any) -> None:
        response = Client().post("/api/login/", data=body, content_type="application/json")
        assert response.status_code in {400, 401}, (body[:80], response.status_code)
        if response.status_code == 400:
            assert response.json()["code"] in {"parse_error", "validation_error"}, response.json()
