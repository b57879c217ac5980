"""The number lookup hook (P2, E6): live number intelligence is asked before every
send; what it refuses gets nothing, and when it fails the configured policy applies
(fail closed by default), logged and audited either way."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from django_tyntec2fa import flows
from django_tyntec2fa.abuse.destinations import LookupResult
from django_tyntec2fa.exceptions import DestinationRefused, RateLimited
from django_tyntec2fa.models import AuditEvent, Challenge, PhoneDevice

from ..flows.conftest import add_device

LOGIN = Challenge.Purpose.LOGIN
NUMBER = "+4915123456789"
asked: list[str] = []


def premium_lookup(number: str) -> LookupResult:
    """A lookup service that says the number is premium rate."""
    asked.append(number)
    return LookupResult(allowed=True, number_type="premium rate")


def ported_lookup(number: str) -> LookupResult:
    asked.append(number)
    return LookupResult(allowed=True, number_type="MOBILE", ported_recently=True)


def broken_lookup(number: str) -> LookupResult:
    asked.append(number)
    raise ConnectionError(f"lookup service down while asking about {number}")


@pytest.fixture(autouse=True)
def _forget() -> None:
    asked.clear()


def test_a_lookup_saying_premium_rate_refuses_enrollment_and_sends_nothing_p2(
    user, make_request, outbox, settings
) -> None:
    """P2: the mocked lookup returns "premium rate" -> enrollment refused, nothing sent."""
    settings.TYNTEC2FA_NUMBER_LOOKUP = "tests.abuse.test_lookup.premium_lookup"
    with pytest.raises(DestinationRefused) as refused:
        flows.enroll(make_request(user), user, number="+49 151 23456789")
    assert asked == [NUMBER]
    assert refused.value.detail == "lookup: number type PREMIUM_RATE blocked"
    assert outbox == []
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.DESTINATION_REFUSED).count() == 1


def test_a_recently_ported_number_gets_no_code_e6(user, make_request, outbox, settings) -> None:
    """E6: a hook reporting a recent port (or SIM swap) refuses the send; the user is
    told to use another way to sign in."""
    settings.TYNTEC2FA_NUMBER_LOOKUP = ported_lookup  # a callable works as well as a path
    add_device(user, NUMBER)
    with pytest.raises(DestinationRefused) as refused:
        flows.start(make_request(), user, purpose=LOGIN)
    assert "ported recently" in refused.value.detail
    assert "another way to sign in" in str(refused.value.message)
    assert outbox == []


def test_a_lookup_that_refuses_for_its_own_reasons_e6(user, make_request, outbox, settings) -> None:
    settings.TYNTEC2FA_NUMBER_LOOKUP = lambda number: LookupResult(
        allowed=False, reason="HLR: dead"
    )
    add_device(user, NUMBER)
    with pytest.raises(DestinationRefused) as refused:
        flows.start(make_request(), user, purpose=LOGIN)
    assert refused.value.detail == "lookup: refused HLR: dead"
    assert outbox == []


def test_a_lookup_that_allows_lets_the_code_go_e6(user, make_request, outbox, settings) -> None:
    settings.TYNTEC2FA_NUMBER_LOOKUP = lambda number: LookupResult(number_type="MOBILE")
    add_device(user, NUMBER)
    flows.start(make_request(), user, purpose=LOGIN)
    assert len(outbox) == 1


@pytest.mark.parametrize(
    "hook",
    ["tests.abuse.test_lookup.broken_lookup", lambda number: {"allowed": True}],
    ids=["raises", "wrong-type"],
)
def test_a_failing_lookup_fails_closed_by_default_and_is_logged_e6(
    user, make_request, outbox, settings, caplog, hook: Any
) -> None:
    """E6/P2: lookup unavailable -> fail closed (the default): refused, audited, logged;
    the log holds the exception's class, never its text (which had the number, G4)."""
    settings.TYNTEC2FA_NUMBER_LOOKUP = hook
    add_device(user, NUMBER)
    with caplog.at_level(logging.WARNING, logger="django_tyntec2fa"):
        with pytest.raises(DestinationRefused) as refused:
            flows.start(make_request(), user, purpose=LOGIN)
    assert "fail closed" in refused.value.detail
    assert "cannot be checked right now" in str(refused.value.message)
    assert outbox == []
    [failed] = AuditEvent.objects.filter(kind=AuditEvent.Kind.LOOKUP_FAILED)
    assert failed.detail.endswith("fail closed")
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.DESTINATION_REFUSED).count() == 1
    lookup_logs = [r for r in caplog.records if r.name == "django_tyntec2fa.abuse"]
    assert lookup_logs and "lookup" in lookup_logs[0].getMessage()
    assert all(NUMBER not in record.getMessage() for record in caplog.records)


def test_a_failing_lookup_fails_open_when_configured_and_is_logged_e6(
    user, make_request, outbox, settings, caplog
) -> None:
    settings.TYNTEC2FA_NUMBER_LOOKUP = "tests.abuse.test_lookup.broken_lookup"
    settings.TYNTEC2FA_NUMBER_LOOKUP_FAIL_OPEN = True
    add_device(user, NUMBER)
    with caplog.at_level(logging.WARNING, logger="django_tyntec2fa"):
        flows.start(make_request(), user, purpose=LOGIN)
    assert len(outbox) == 1
    [failed] = AuditEvent.objects.filter(kind=AuditEvent.Kind.LOOKUP_FAILED)
    assert failed.detail == "ConnectionError; fail open"
    assert any(r.name == "django_tyntec2fa.abuse" for r in caplog.records)


def test_the_lookup_is_asked_only_after_the_rate_limits_p3(
    user, make_request, outbox, settings
) -> None:
    """A lookup may cost money per call: a rate-limited send never reaches it."""
    settings.TYNTEC2FA_NUMBER_LOOKUP = lambda number: asked.append(number) or LookupResult()
    settings.TYNTEC2FA_SEND_RATE_USER = "1/h"
    add_device(user, NUMBER)
    flows.start(make_request(), user, purpose=LOGIN)
    with pytest.raises(RateLimited):
        flows.start(make_request(), user, purpose=LOGIN)
    assert (len(asked), len(outbox)) == (1, 1)


def test_the_static_policy_refuses_before_the_lookup_is_asked_p2(
    user, make_request, settings
) -> None:
    settings.TYNTEC2FA_NUMBER_LOOKUP = "tests.abuse.test_lookup.premium_lookup"
    settings.TYNTEC2FA_SMS_COUNTRIES = ["FR"]
    with pytest.raises(DestinationRefused):
        flows.enroll(make_request(user), user, number=NUMBER)
    assert asked == []
    assert not PhoneDevice.objects.exists()
