"""R1 without Hypothesis: a fixed list of garbage check answers, none of which verifies.

Every body is served with every status code tyntec's check can answer; the client
must either return a non-verified ``CheckResult`` or raise a ``ProviderError``.
Only the exact success shape (last test) verifies.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from django_tyntec2fa.exceptions import ProviderError
from django_tyntec2fa.providers.tyntec.client import TyntecProvider

from .bodies import OTHER_OTP_ID, OTP_ID, otp_body
from .stub import StubServer

VERIFIED = otp_body("VERIFIED", attempts=1)


def _without(key: str) -> dict[str, Any]:
    return {k: v for k, v in VERIFIED.items() if k != key}


def _with(**changes: Any) -> dict[str, Any]:
    return VERIFIED | changes


GARBAGE: list[object] = [
    b"",
    b"null",
    b"true",
    b"0",
    b'"VERIFIED"',
    b"[]",
    b"{}",
    b"{",
    b"NaN",
    b"\x00\x01\x02",
    b"\xef\xbb\xbf" + json.dumps(VERIFIED).encode()[:-1],  # BOM + truncated
    b"[" * 5000 + b"]" * 5000,  # deep nesting
    json.dumps(VERIFIED).encode() + b"garbage",
    [VERIFIED],
    {"otp": VERIFIED},
    {"otpStatus": "VERIFIED"},
    {"otpStatus": "VERIFIED", "otpId": OTP_ID},
    _with(otpStatus="verified"),
    _with(otpStatus="VERIFIED "),
    _with(otpStatus=["VERIFIED"]),
    _with(otpStatus={"VERIFIED": True}),
    _with(otpStatus=None),
    _with(otpStatus=True),
    _with(otpStatus="SUCCESS"),
    _with(otpId=OTHER_OTP_ID),
    _with(otpId=OTP_ID.upper()),
    _with(otpId=OTP_ID + " "),
    _with(otpId=""),
    _with(otpId=None),
    _with(otpId=12345),
    _with(otpId="../" + OTP_ID),
    _with(number=None),
    _with(number=4915112345678),
    _with(number=""),
    _with(number="+49 151 12345678"),
    _with(attemptCount="1"),
    _with(attemptCount=1.0),
    _with(attemptCount=True),
    _with(attemptCount=-1),
    _with(attemptCount=None),
    _with(created="1499677061834"),
    _with(created=1.5e12),
    _with(created=-1),
    _with(created=10**20),
    _with(expire=None),
    _with(expire=False),
    _with(applicationId=7),
    _with(referenceId=["x"]),
    _without("otpId"),
    _without("otpStatus"),
    _without("number"),
    _without("attemptCount"),
    _without("created"),
    _without("expire"),
    {"code": "1006", "message": "VERIFIED"},
    {"message": "VERIFIED"},
]
STATUSES = [200, 201, 202, 204, 400, 401, 403, 404, 409, 410, 429, 500]


@pytest.mark.parametrize("body", GARBAGE, ids=[f"body{i}" for i in range(len(GARBAGE))])
def test_garbage_check_answers_never_verify_r1(
    stub: StubServer, provider: TyntecProvider, body: object
) -> None:
    for status in STATUSES:
        stub.reply(status, body)
    for status in STATUSES:
        try:
            result = provider.check(OTP_ID, "123456")
        except ProviderError:
            continue
        assert not result.verified, (status, body)
    assert len(stub.requests) == len(STATUSES) and stub.pending == 0


@pytest.mark.parametrize("state", ["ACTIVE", "VERIFIED", "EXPIRED", "TOO_MANY_ATTEMPTS"])
def test_well_formed_bodies_verify_only_with_200_or_202_and_verified_r1(
    stub: StubServer, provider: TyntecProvider, state: str
) -> None:
    verified_statuses = []
    for status in STATUSES:
        stub.reply(status, otp_body(state))
    for status in STATUSES:
        try:
            if provider.check(OTP_ID, "123456").verified:
                verified_statuses.append(status)
        except ProviderError:
            pass
    assert verified_statuses == ([200, 202] if state == "VERIFIED" else [])


def test_exact_success_shape_verifies(stub: StubServer, provider: TyntecProvider) -> None:
    """The control: the fuzz above would pass vacuously if nothing ever verified."""
    minimal = {
        k: VERIFIED[k]
        for k in ("otpId", "number", "otpStatus", "attemptCount", "created", "expire")
    }
    stub.reply(202, minimal)
    assert provider.check(OTP_ID, "123456").verified
