"""Delivery events, the same on both providers (issue 13): a message is reported
delivered after a delay, failed, without a status, or not at all; the app's delivery
state (``flows.delivery.state_of``) reads them alike."""

from __future__ import annotations

import pytest

from django_tyntec2fa.flows.delivery import DeliveryState, state_of
from django_tyntec2fa.providers import Channel

from .conftest import Harness

pytestmark = pytest.mark.django_db

NUMBER = "+4915112345678"


def test_delivered_after_a_delay(harness: Harness) -> None:
    harness.plan_delivery("delivered", 5)
    sent = harness.provider.send(NUMBER, via=Channel.SMS)
    assert harness.provider.events(sent.otp_id) == []
    harness.advance(6)
    (event,) = harness.provider.events(sent.otp_id)
    assert event.status == "success"
    assert event.created >= sent.created
    assert state_of(harness.provider.events(sent.otp_id))[0] == DeliveryState.DELIVERED


def test_failed(harness: Harness) -> None:
    harness.plan_delivery("failed")
    sent = harness.provider.send(NUMBER, via=Channel.SMS)
    (event,) = harness.provider.events(sent.otp_id)
    assert event.status == "failed"
    assert state_of([event])[0] == DeliveryState.FAILED


def test_a_report_without_a_status_leaves_the_code_sent(harness: Harness) -> None:
    harness.plan_delivery("unknown")
    sent = harness.provider.send(NUMBER, via=Channel.SMS)
    (event,) = harness.provider.events(sent.otp_id)
    assert event.status is None and event.type
    assert state_of([event])[0] == DeliveryState.SENT


def test_no_report_at_all(harness: Harness) -> None:
    harness.plan_delivery("silent")
    sent = harness.provider.send(NUMBER, via=Channel.SMS)
    harness.advance(60)
    assert harness.provider.events(sent.otp_id) == []


def test_a_call_after_a_failed_sms_is_reported_on_its_own(harness: Harness) -> None:
    harness.plan_delivery("failed", 0, "SMS")
    harness.plan_delivery("delivered", 2, "VOICE")
    sent = harness.provider.send(NUMBER, via=Channel.SMS)
    harness.advance(30)
    harness.provider.resend(sent.otp_id, via=Channel.VOICE)
    resent_at = harness.provider.events(sent.otp_id)[-1].created
    assert state_of(harness.provider.events(sent.otp_id))[0] == DeliveryState.FAILED
    harness.advance(3)
    events = harness.provider.events(sent.otp_id)
    assert [event.status for event in events] == ["failed", "success"]
    assert events[1].created > resent_at
