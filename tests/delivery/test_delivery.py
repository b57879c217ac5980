"""The delivery status of a code (issue 13): the code page and ``GET /api/challenge/``
report sent -> delivered and sent -> failed from tyntec's events (through the fake
tyntec server); the events are asked at most once per challenge per 3 seconds, never
right after a send and never while the circuit breaker is open; a provider error keeps
the last known state."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from django_tyntec2fa.abuse.counters import counter_cache
from django_tyntec2fa.flows.delivery import DeliveryState, state_of
from django_tyntec2fa.providers import OtpEvent
from django_tyntec2fa.providers.tyntec import breaker
from django_tyntec2fa.testing.fake_tyntec import FakeTyntec, Fault

from ..api.helpers import get
from ..steps import password_login
from .conftest import Clock

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)
PAGE = "/2fa/challenge/"
POLL = "/2fa/challenge/delivery/"


def event(seconds: float, status: str | None, kind: str = "DELIVER_OTP_RES") -> OtpEvent:
    return OtpEvent(created=T0 + dt.timedelta(seconds=seconds), type=kind, status=status)


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ([], DeliveryState.SENT),
        ([event(1, None, "DELIVER_OTP_REQ")], DeliveryState.SENT),  # a null status
        ([event(1, "queued", "SOMETHING_NEW")], DeliveryState.SENT),  # unknown: no decision
        ([event(1, "success")], DeliveryState.DELIVERED),
        ([event(1, "failed", "DELIVER_OTP_RES_FAIL")], DeliveryState.FAILED),
        ([event(1, "failed"), event(2, "success")], DeliveryState.DELIVERED),  # newest wins
        ([event(1, "success"), event(2, None)], DeliveryState.DELIVERED),
    ],
)
def test_the_state_comes_from_the_status_only(events: list[OtpEvent], expected: str) -> None:
    assert state_of(events)[0] == expected


def test_events_before_a_resend_are_about_the_earlier_message() -> None:
    events = [event(0, "success"), event(30, None)]
    assert state_of(events, since=T0 + dt.timedelta(seconds=29))[0] == DeliveryState.SENT
    assert state_of(events)[0] == DeliveryState.DELIVERED


def status_words(client: Client) -> str:
    response = client.get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    start = page.index('id="tyntec2fa-delivery"')
    return page[start : page.index("</div>", start)]


def api_delivery(client: Client) -> dict[str, Any]:
    response = get(client, "challenge")
    assert response.status_code == 200, response.content
    return response.json()["delivery"]


def test_the_page_after_a_send_reads_sent_without_asking_tyntec(
    browser: Client, alice: Any, fake: FakeTyntec
) -> None:
    password_login(browser, alice)
    assert "Code status: sent." in status_words(browser)
    assert fake.counters["events"] == 0


@pytest.mark.usefixtures("every_poll_asks")
def test_page_and_api_report_sent_then_delivered(
    browser: Client, alice: Any, fake: FakeTyntec, clock: Clock
) -> None:
    fake.plan_delivery("delivered", delay=4)
    password_login(browser, alice)
    assert "Code status: sent." in status_words(browser)
    assert api_delivery(browser)["state"] == "sent"
    clock.advance(5)
    assert "Code status: delivered." in status_words(browser)
    found = api_delivery(browser)
    assert (found["state"], found["channel"], found["suggest_call"]) == ("delivered", "SMS", False)
    assert fake.counters["events"] >= 2


@pytest.mark.usefixtures("every_poll_asks")
def test_page_and_api_report_sent_then_failed_and_offer_the_call_first(
    browser: Client, alice: Any, fake: FakeTyntec, clock: Clock
) -> None:
    fake.plan_delivery("failed", delay=2)
    password_login(browser, alice)
    words = status_words(browser)
    assert "Code status: sent." in words
    page = browser.get(PAGE).content.decode()
    assert page.index('data-tyntec2fa-send="SMS"') < page.index('data-tyntec2fa-send="VOICE"')
    clock.advance(3)
    assert "Code status: could not be delivered." in status_words(browser)
    page = browser.get(PAGE).content.decode()
    # "Call me instead" comes first, in the page's (and so the keyboard's) order.
    assert page.index('data-tyntec2fa-send="VOICE"') < page.index('data-tyntec2fa-send="SMS"')
    found = api_delivery(browser)
    assert (found["state"], found["suggest_call"], found["voice_fallback"]) == (
        "failed",
        True,
        False,
    )


def test_no_report_within_fallback_after_offers_the_call_first(
    browser: Client, alice: Any, fake: FakeTyntec, clock: Clock, settings: Any
) -> None:
    settings.TYNTEC2FA_FALLBACK_AFTER = 20
    fake.plan_delivery("silent")
    password_login(browser, alice)
    assert api_delivery(browser)["suggest_call"] is False
    clock.advance(21)
    found = api_delivery(browser)
    assert (found["state"], found["suggest_call"]) == ("sent", True)
    assert "No delivery has been reported yet." in status_words(browser)


def test_fifty_polls_in_a_second_ask_tyntec_at_most_once(
    browser: Client, alice: Any, fake: FakeTyntec, clock: Clock
) -> None:
    fake.plan_delivery("silent")
    password_login(browser, alice)
    clock.advance(3.5)  # past the send's own 3 seconds: the provider may be asked
    answers = [browser.get(POLL) for _ in range(50)]
    assert {answer.status_code for answer in answers} == {200}
    assert {answer.json()["state"] for answer in answers} == {"sent"}
    assert fake.counters["events"] == 1


def test_no_events_call_while_the_breaker_is_open(
    browser: Client, alice: Any, fake: FakeTyntec, clock: Clock, settings: Any
) -> None:
    settings.TYNTEC2FA_BREAKER_FAILURES = 3
    fake.plan_delivery("delivered")
    password_login(browser, alice)
    counter_cache().set(breaker.OPEN_KEY, clock.time() + 3600, timeout=3600)
    try:
        clock.advance(10)
        answers = [browser.get(POLL) for _ in range(5)]
        assert {answer.json()["state"] for answer in answers} == {"sent"}
        assert api_delivery(browser)["state"] == "sent"
        assert fake.counters["events"] == 0
    finally:
        breaker.reset()


@pytest.mark.usefixtures("every_poll_asks")
def test_a_provider_error_keeps_the_last_known_state(
    browser: Client, alice: Any, fake: FakeTyntec, clock: Clock
) -> None:
    fake.plan_delivery("failed")
    password_login(browser, alice)
    clock.advance(1)
    assert browser.get(POLL).json()["state"] == "failed"
    fake.inject(Fault("status", operation="events", status=500, times=3))
    fake.inject(Fault("malformed", operation="events"))
    for _ in range(4):
        answer = browser.get(POLL)
        assert answer.status_code == 200
        assert answer.json()["state"] == "failed"
    assert api_delivery(browser)["state"] == "failed"


def test_the_poll_is_only_for_the_sessions_own_code(
    browser: Client, assert_never_cached: Any
) -> None:
    answer = browser.get(POLL)
    assert answer.status_code == 200
    assert answer.json() == {"state": None}
    assert_never_cached(answer)


def test_the_poll_is_reachable_by_a_pending_login_and_never_cached(
    browser: Client, alice: Any, assert_never_cached: Any
) -> None:
    password_login(browser, alice)
    answer = browser.get(reverse("tyntec2fa:challenge-delivery"))
    assert answer.status_code == 200
    assert answer.json()["text"] == "Code status: sent."
    assert_never_cached(answer)


@pytest.mark.parametrize(
    ("language", "words"),
    [("de", "Code-Status: gesendet."), ("fr", "État du code : envoyé.")],
)
def test_the_state_is_worded_in_german_and_french(
    browser: Client, alice: Any, language: str, words: str
) -> None:
    password_login(browser, alice)
    with translation.override(language):
        assert words in status_words(browser)
        assert browser.get(POLL).json()["text"] == words


@pytest.mark.usefixtures("every_poll_asks")
def test_the_step_up_page_reports_its_own_code(
    browser: Client, alice: Any, fake: FakeTyntec, clock: Clock
) -> None:
    password_login(browser, alice)
    code = fake.outbox[-1].code
    assert browser.post(PAGE, {"code": code}).status_code == 302
    fake.plan_delivery("failed")
    assert browser.post("/2fa/step-up/send/", {"channel": "SMS"}).status_code == 302
    clock.advance(1)
    answer = browser.get(POLL).json()
    assert (answer["state"], answer["suggest_call"]) == ("failed", True)
    page = browser.get("/2fa/step-up/").content.decode()
    assert "Code status: could not be delivered." in page


@pytest.mark.usefixtures("every_poll_asks")
@pytest.mark.parametrize("cooldown", [30, 0])
def test_the_call_hint_says_from_when_while_call_me_waits(
    browser: Client, alice: Any, fake: FakeTyntec, clock: Clock, settings: Any, cooldown: int
) -> None:
    """Issue 23.13: "You can get the code by a phone call instead" while "Call me
    instead" is still disabled by the resend cooldown says from when, the same clock
    time as the countdown beside the buttons; once the cooldown is over, it does not."""
    settings.TYNTEC2FA_RESEND_COOLDOWN = cooldown
    fake.plan_delivery("failed", delay=2)
    password_login(browser, alice)
    clock.advance(3)
    page = browser.get(PAGE).content.decode()  # one answer: the hint and the countdown
    words = page[page.index('id="tyntec2fa-delivery"') :]
    poll = browser.post(POLL).json()["hint"]
    plain = "You can get the code by a phone call instead."
    if cooldown:
        countdown = "You can request a new code at "
        start = page.index(countdown) + len(countdown)
        when = page[start : page.index(".", start)]
        assert f"You can get the code by a phone call instead from {when}." in words
        assert plain not in words
        assert poll.startswith("You can get the code by a phone call instead from ")
    else:
        assert plain in words
        assert poll == plain
