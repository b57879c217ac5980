"""Fixtures for the fake tyntec server tests: a fresh fake per test and a small client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from django_tyntec2fa.testing.fake_tyntec import FakeTyntec

API_KEY = "fake-tests-key"
NUMBER = "+4915112345678"
OTHER_NUMBER = "+4930123456789"
TIMEOUT = (2.0, 5.0)  # every request in these tests is bounded
#: An OTP record without a referenceId: unset fields are left out, as in tyntec's examples
#: (the OpenAPI file types them as strings, so ``null`` would not be valid).
ENTITY_FIELDS = {
    "accountId",
    "applicationId",
    "otpId",
    "number",
    "attemptCount",
    "otpStatus",
    "created",
    "expire",
    "timestampCreated",
    "timestampExpire",
}
#: An application without a caller (left out when unset, like ``referenceId``).
APP_FIELDS = {
    "accountId",
    "applicationId",
    "name",
    "pinLength",
    "alphanumeric",
    "attempts",
    "expire",
    "sender",
    "template",
    "created",
}
ERROR_FIELDS = {"code", "message", "timestamp"}


class Api:
    """``requests`` against the fake's ``/2fa/v1``, keyed by default (one Session)."""

    def __init__(self, fake: FakeTyntec) -> None:
        self.fake = fake
        self.base = fake.url + "/2fa/v1"
        self.session = requests.Session()

    def call(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        json: Any = None,
        key: str | None = API_KEY,
    ) -> requests.Response:
        """One request; ``key`` None sends no API key."""
        headers = {"apiKey": key} if key is not None else {}
        return self.session.request(
            method, self.base + path, params=params, json=json, headers=headers, timeout=TIMEOUT
        )

    def send(self, number: str = NUMBER, **params: Any) -> dict[str, Any]:
        """Send an OTP and return the entity (the send must succeed)."""
        response = self.call("POST", "/otp", {"number": number, **params})
        assert response.status_code == 200, response.text
        return response.json()

    def check(self, otp_id: str, code: str) -> requests.Response:
        """Check ``code`` for ``otp_id``."""
        return self.call("POST", f"/otp/{otp_id}/check", {"otpCode": code})

    def code_of(self, otp_id: str) -> str:
        """The code the phone received for ``otp_id`` (the latest message)."""
        return [message.code for message in self.fake.outbox if message.otp_id == otp_id][-1]

    def wrong_code_for(self, otp_id: str) -> str:
        """A code of the same length that is certainly not the right one."""
        code = self.code_of(otp_id)
        return ("1" if code[0] == "0" else "0") + code[1:]

    def create_app(self, **fields: Any) -> dict[str, Any]:
        """Create an application and return its entity."""
        response = self.call("POST", "/application", json=fields)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def fake() -> Iterator[FakeTyntec]:
    """A running fake on a free loopback port, stopped after the test."""
    with FakeTyntec(api_key=API_KEY) as running:
        yield running


@pytest.fixture
def api(fake: FakeTyntec) -> Iterator[Api]:
    """A keyed client for ``fake``."""
    client = Api(fake)
    yield client
    client.session.close()
