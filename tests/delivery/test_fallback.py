"""The automatic voice fallback (issue 13): with ``TYNTEC2FA_AUTO_VOICE_FALLBACK`` the
app calls the phone by itself, exactly once per challenge, through the same send path as
"call me instead" (its limits and defences); only from a POST (P5: a GET never sends);
audited and signalled."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from django_tyntec2fa import signals
from django_tyntec2fa.models import AuditEvent, Challenge
from django_tyntec2fa.testing.fake_tyntec import FakeTyntec

from ..steps import password_login
from .conftest import Clock

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("every_poll_asks")]

POLL = "/2fa/challenge/delivery/"


@pytest.fixture(autouse=True)
def _auto(settings: Any) -> None:
    settings.TYNTEC2FA_AUTO_VOICE_FALLBACK = True
    settings.TYNTEC2FA_RESEND_COOLDOWN = 0


@pytest.fixture
def placed() -> Iterator[list[dict[str, Any]]]:
    seen: list[dict[str, Any]] = []

    def receiver(**kwargs: Any) -> None:
        seen.append(kwargs)

    signals.voice_fallback_placed.connect(receiver, weak=False)
    yield seen
    signals.voice_fallback_placed.disconnect(receiver)


def calls(fake: FakeTyntec) -> int:
    return sum(1 for message in fake.outbox if message.channel == "VOICE")


def poll(client: Client) -> dict[str, Any]:
    """The page's script: a POST with the CSRF token (the test client skips the check)."""
    answer = client.post(POLL)
    assert answer.status_code == 200, answer.content
    return answer.json()


def test_a_failed_sms_places_exactly_one_call(
    browser: Client,
    alice: Any,
    fake: FakeTyntec,
    clock: Clock,
    placed: list[dict[str, Any]],
) -> None:
    fake.plan_delivery("failed", channel="SMS")
    fake.plan_delivery("silent", channel="VOICE")
    password_login(browser, alice)
    clock.advance(1)
    first = poll(browser)
    assert (first["state"], first["channel"], first["voice_fallback"]) == ("sent", "VOICE", True)
    assert "we are calling your phone instead" in first["hint"]
    for _ in range(10):
        again = poll(browser)
        assert (again["channel"], again["voice_fallback"], again["suggest_call"]) == (
            "VOICE",
            True,
            False,
        )
    assert calls(fake) == 1
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.VOICE_FALLBACK).count() == 1
    assert len(placed) == 1
    challenge = Challenge.objects.get(user=alice, status=Challenge.Status.PENDING)
    assert placed[0]["challenge"].pk == challenge.pk
    assert placed[0]["device"].pk == challenge.device_id
    assert challenge.voice_fallback_at is not None and challenge.channel == "VOICE"


def test_a_late_sms_places_the_call_after_fallback_after(
    browser: Client, alice: Any, fake: FakeTyntec, clock: Clock, settings: Any
) -> None:
    settings.TYNTEC2FA_FALLBACK_AFTER = 20
    fake.plan_delivery("silent")
    password_login(browser, alice)
    clock.advance(10)
    assert poll(browser)["channel"] == "SMS"
    assert calls(fake) == 0
    clock.advance(11)
    assert poll(browser)["voice_fallback"] is True
    assert calls(fake) == 1


def test_a_get_never_places_the_call_p5(
    browser: Client, alice: Any, fake: FakeTyntec, clock: Clock
) -> None:
    fake.plan_delivery("failed")
    password_login(browser, alice)
    clock.advance(1)
    for _ in range(3):
        assert browser.get(POLL).json()["suggest_call"] is True
        assert browser.get("/2fa/challenge/").status_code == 200
    assert calls(fake) == 0


def test_without_the_setting_the_call_is_only_offered(
    browser: Client, alice: Any, fake: FakeTyntec, clock: Clock, settings: Any
) -> None:
    settings.TYNTEC2FA_AUTO_VOICE_FALLBACK = False
    fake.plan_delivery("failed")
    password_login(browser, alice)
    clock.advance(1)
    assert poll(browser)["suggest_call"] is True
    assert calls(fake) == 0


def test_the_call_keeps_the_voice_rate_limit_and_is_tried_once(
    browser: Client, alice: Any, fake: FakeTyntec, clock: Clock, settings: Any
) -> None:
    settings.TYNTEC2FA_RATELIMIT_ENABLE = True
    settings.TYNTEC2FA_SEND_RATE_NUMBER_VOICE = "0/h"
    fake.plan_delivery("failed")
    password_login(browser, alice)
    clock.advance(1)
    for _ in range(3):
        answer = poll(browser)
        assert (answer["channel"], answer["voice_fallback"]) == ("SMS", False)
    assert calls(fake) == 0
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.RATE_LIMITED).count() == 1
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.VOICE_FALLBACK).exists()


def test_the_call_keeps_the_voice_country_list(
    browser: Client, alice: Any, fake: FakeTyntec, clock: Clock, settings: Any
) -> None:
    settings.TYNTEC2FA_VOICE_COUNTRIES = ["FR"]
    fake.plan_delivery("failed")
    password_login(browser, alice)
    clock.advance(1)
    assert poll(browser)["voice_fallback"] is False
    assert calls(fake) == 0
