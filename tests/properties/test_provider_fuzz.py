"""R1 as a property: whatever tyntec's check answers (any status, any JSON, a mangled
OTP entity, bytes that are not JSON), ``TyntecProvider.check`` either raises a
``ProviderError`` or returns a result, and a result verifies only for the exact
success shape: HTTP 200/202, an OTP entity with ``otpStatus`` VERIFIED and the
``otpId`` that was checked. Served over real HTTP by the scripted stub on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from django_tyntec2fa.exceptions import ProviderError
from django_tyntec2fa.providers.tyntec.client import TyntecProvider

from ..tyntec_client.bodies import API_KEY, OTHER_OTP_ID, OTP_ID, otp_body
from ..tyntec_client.stub import Canned, StubServer
from .strategies import FAST, JSON, mutated_entity

SUCCESS_STATUSES = (200, 202)
STATUSES = st.sampled_from([200, 201, 202, 204, 400, 401, 403, 404, 410, 429, 500, 503]) | (
    st.integers(200, 599)
)
VERIFIED = otp_body("VERIFIED", attempts=1)
ENTITIES = st.sampled_from(
    [VERIFIED, otp_body("ACTIVE"), otp_body("VERIFIED", otp_id=OTHER_OTP_ID)]
    + [otp_body(status) for status in ("TOO_MANY_ATTEMPTS", "EXPIRED", "DELETED")]
)
BODIES = st.one_of(
    JSON,
    ENTITIES.flatmap(mutated_entity),
    ENTITIES,
    st.binary(max_size=40),
)


def claims_success(status: int, body: Any) -> bool:
    """The necessary conditions of the one documented success answer."""
    return (
        status in SUCCESS_STATUSES
        and isinstance(body, dict)
        and body.get("otpStatus") == "VERIFIED"
        and body.get("otpId") == OTP_ID
    )


@contextmanager
def provider_and_stub() -> Iterator[tuple[TyntecProvider, StubServer]]:
    stub = StubServer().start()
    provider = TyntecProvider(api_key=API_KEY, base_url=stub.url, timeout=(1.0, 1.0))
    try:
        yield provider, stub
    finally:
        provider.close()
        stub.stop()


def test_only_the_exact_success_shape_verifies_r1() -> None:
    with provider_and_stub() as (provider, stub):

        @settings(FAST, max_examples=300)  # about 1 ms an example on loopback
        @given(status=STATUSES, body=BODIES)
        def check_answer(status: int, body: Any) -> None:
            stub.enqueue(Canned(status=status, body=body))
            try:
                result = provider.check(OTP_ID, "123456")
            except ProviderError:
                return  # fail closed
            finally:
                assert stub.pending == 0  # exactly one request: a check is never retried
            if result.verified:
                assert claims_success(status, body), (status, body)

        check_answer()


def test_the_documented_success_verifies_r1() -> None:
    """The positive control: the exact shape with 200 and with 202 verifies."""
    with provider_and_stub() as (provider, stub):
        for status in SUCCESS_STATUSES:
            stub.enqueue(Canned(status=status, body=VERIFIED))
            assert provider.check(OTP_ID, "123456").verified
