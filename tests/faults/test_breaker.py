"""The circuit breaker around tyntec (providers/tyntec/breaker.py, R1): it opens on timeouts,
connection failures, 429 and 5xx only, then every call fails at once without a network
call, with ``Retry-After``; after the cool-off one call probes; opening and closing are
audited, signalled and logged. Run against the real client and the fake tyntec."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from django_tyntec2fa import signals
from django_tyntec2fa.exceptions import CircuitOpen, ProviderError, ProviderUnavailable
from django_tyntec2fa.models import AuditEvent, Challenge
from django_tyntec2fa.providers import get_provider
from django_tyntec2fa.providers.tyntec import breaker
from django_tyntec2fa.testing.fake_tyntec import FakeTyntec, Fault

from ..api.conftest import API_HANDLER
from ..api.helpers import password, post
from ..people import ALICE_PRIMARY, PASSWORD
from ..steps import PasswordLogin, wrong_code
from .helpers import NEXT, code_for, live

pytestmark = pytest.mark.django_db

FAILURES = 3
COOL_OFF = 30
UNWELL = {
    "500": Fault("status", status=500),
    "503": Fault("status", status=503),
    "429": Fault("status", status=429),
    "hang": Fault("hang"),
    "reset": Fault("reset"),
}
Kind = AuditEvent.Kind


@pytest.fixture(autouse=True)
def _breaker_on(settings: Any) -> None:
    settings.TYNTEC2FA_BREAKER_FAILURES = FAILURES
    settings.TYNTEC2FA_BREAKER_COOL_OFF = COOL_OFF
    settings.TYNTEC2FA_BREAKER_WINDOW = 60


@pytest.fixture
def events() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """The breaker's signals, in order: ("opened" | "closed", keyword arguments)."""
    seen: list[tuple[str, dict[str, Any]]] = []

    def opened(**kwargs: Any) -> None:
        seen.append(("opened", kwargs))

    def closed(**kwargs: Any) -> None:
        seen.append(("closed", kwargs))

    signals.provider_circuit_opened.connect(opened, weak=False)
    signals.provider_circuit_closed.connect(closed, weak=False)
    yield seen
    signals.provider_circuit_opened.disconnect(opened)
    signals.provider_circuit_closed.disconnect(closed)


def failing_sends(fake: FakeTyntec, fault: Fault, times: int) -> None:
    """``times`` sends that each meet ``fault``."""
    for _index in range(times):
        fake.inject(dataclasses.replace(fault, operation="send"))
        with pytest.raises(ProviderUnavailable):
            get_provider().send(ALICE_PRIMARY)


def audited(kind: str) -> int:
    return AuditEvent.objects.filter(kind=kind).count()


@pytest.mark.parametrize("fault", list(UNWELL))
def test_failures_in_a_row_open_the_breaker_and_calls_then_fail_fast_r1(
    fault: str, fake: FakeTyntec, events: list[Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="django_tyntec2fa")
    failing_sends(fake, UNWELL[fault], FAILURES - 1)
    assert breaker.state().name == "closed"
    failing_sends(fake, UNWELL[fault], 1)
    reached = sum(fake.counters.values())

    with pytest.raises(CircuitOpen) as refused:
        get_provider().send(ALICE_PRIMARY)

    assert sum(fake.counters.values()) == reached  # no network call
    assert refused.value.retry_after is not None and 0 < refused.value.retry_after <= COOL_OFF
    assert breaker.state().name == "open"
    assert audited(Kind.BREAKER_OPENED) == 1
    assert [name for name, _kwargs in events] == ["opened"]
    assert events[0][1]["failures"] == FAILURES
    assert "circuit breaker opened" in caplog.text


def test_answers_about_a_code_or_a_number_never_open_it(fake: FakeTyntec) -> None:
    """401/403/410 of a check, 404 of an unknown OTP, 400 of a bad number: tyntec is
    well, so none of them counts, however many."""
    provider = get_provider()
    otp = provider.send(ALICE_PRIMARY)
    code = fake.outbox[-1].code
    for _index in range(FAILURES + 2):  # 401 wrong code, then 403, then 410
        provider.check(otp.otp_id, wrong_code(code))
    for _index in range(FAILURES):
        with pytest.raises(ProviderError):
            provider.status("0" * 8 + "-0000-0000-0000-" + "0" * 12)  # 404
        with pytest.raises(ProviderError):
            provider.send("+1")  # 400, not a number

    assert breaker.state() == breaker.State("closed", 0)
    assert audited(Kind.BREAKER_OPENED) == 0


def test_a_success_starts_the_count_again(fake: FakeTyntec) -> None:
    failing_sends(fake, UNWELL["503"], FAILURES - 1)
    get_provider().send(ALICE_PRIMARY)
    failing_sends(fake, UNWELL["503"], FAILURES - 1)

    assert breaker.state() == breaker.State("closed", FAILURES - 1)


def test_after_the_cool_off_one_probe_goes_out_and_its_success_closes_it(
    fake: FakeTyntec, events: list[Any]
) -> None:
    failing_sends(fake, UNWELL["503"], FAILURES)
    later = timezone.now() + dt.timedelta(seconds=COOL_OFF + 1)
    with time_machine.travel(later, tick=False):
        assert breaker.state().name == "half-open"
        probe = breaker.admit()
        with pytest.raises(CircuitOpen):  # every other worker waits for the probe
            breaker.admit()
        breaker.neutral(probe)  # give the turn to the real call below

        get_provider().send(ALICE_PRIMARY)

        assert breaker.state() == breaker.State("closed", 0)
    assert [name for name, _kwargs in events] == ["opened", "closed"]
    assert audited(Kind.BREAKER_CLOSED) == 1


def test_a_failed_probe_opens_it_for_another_cool_off(fake: FakeTyntec, events: list[Any]) -> None:
    failing_sends(fake, UNWELL["503"], FAILURES)
    later = timezone.now() + dt.timedelta(seconds=COOL_OFF + 1)
    with time_machine.travel(later, tick=False):
        failing_sends(fake, UNWELL["503"], 1)  # the probe
        state = breaker.state()
    assert state.name == "open" and state.retry_after == COOL_OFF
    assert [name for name, _kwargs in events] == ["opened"]  # one opening, not two


def test_the_page_says_what_to_do_with_503_and_retry_after_r1(
    client: Client, alice: Any, fake: FakeTyntec, password_login: PasswordLogin
) -> None:
    """While open, "send a new code" is a 503 page with the provider-unavailable message
    and ``Retry-After``; tyntec is not asked."""
    password_login(client, alice, next_url=NEXT)
    failing_sends(fake, UNWELL["503"], FAILURES)
    sends = fake.counters.get("resend", 0)

    response = client.post(reverse("tyntec2fa:challenge-send"), {"channel": "SMS"})

    assert response.status_code == 503
    assert 0 < int(response["Retry-After"]) <= COOL_OFF
    page = response.content.decode()
    # One sentence about when: the time, not also "in a few minutes".
    assert "The verification service is unavailable right now." in page
    assert "Please try again at" in page and "in a few minutes" not in page
    assert fake.counters.get("resend", 0) == sends


def test_the_api_answers_503_with_retry_after_r1(
    settings: Any, alice: Any, fake: FakeTyntec
) -> None:
    settings.ROOT_URLCONF = "tests.api.urls"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "EXCEPTION_HANDLER": API_HANDLER}
    client = Client()
    password(client, alice)
    failing_sends(fake, UNWELL["503"], FAILURES)

    response = post(client, "challenge-resend", {})

    assert response.status_code == 503
    assert response.json()["code"] == "provider_unavailable"
    assert 0 < int(response["Retry-After"]) <= COOL_OFF


def test_the_api_password_step_is_a_503_and_the_login_goes_on_once_tyntec_is_back_r1(
    settings: Any, alice: Any, fake: FakeTyntec
) -> None:
    """While open, the API's password step answers 503 with ``Retry-After`` (the rest
    of the cool-off) and keeps the login pending; the same cookie jar sends a code
    once tyntec is back and signs in, without the password again."""
    settings.ROOT_URLCONF = "tests.api.urls"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "EXCEPTION_HANDLER": API_HANDLER}
    failing_sends(fake, UNWELL["503"], FAILURES)
    client = Client()

    refused = post(client, "login", {"username": alice.get_username(), "password": PASSWORD})

    assert refused.status_code == 503, refused.content
    assert 0 < int(refused["Retry-After"]) <= COOL_OFF
    assert refused.json()["code"] == "provider_unavailable"
    assert refused.json()["status"] == "second_factor_required"
    breaker.reset()  # tyntec answers again
    sent = post(client, "challenge-send", {})
    assert sent.status_code == 200, sent.content
    code = code_for(fake, live(alice))
    verified = post(client, "challenge-verify", {"code": code})
    assert verified.status_code == 200 and verified.json()["status"] == "authenticated"


def test_a_check_the_open_breaker_refuses_costs_no_attempt_l1(
    client: Client, alice: Any, fake: FakeTyntec, password_login: PasswordLogin
) -> None:
    """The code never reached tyntec: the attempt is given back and the account is not
    charged; once tyntec is back the same code signs in."""
    password_login(client, alice, next_url=NEXT)
    challenge = live(alice)
    code = code_for(fake, challenge)
    failing_sends(fake, UNWELL["503"], FAILURES)

    refused = client.post(reverse("tyntec2fa:challenge"), {"code": code})

    assert refused.status_code == 503
    challenge.refresh_from_db()
    assert (challenge.status, challenge.attempts) == (Challenge.Status.PENDING, 0)
    assert challenge.checking_until is None
    assert fake.counters.get("check", 0) == 0
    breaker.reset()
    accepted = client.post(reverse("tyntec2fa:challenge"), {"code": code})
    assert accepted.status_code == 302 and accepted["Location"] == NEXT


def test_an_unreachable_cache_leaves_the_breaker_closed(settings: Any, fake: FakeTyntec) -> None:
    """The breaker never turns a cache outage into an error of its own; the rate limits
    refuse sends and checks then (tests/abuse/test_cache_outage.py)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing listens
        }
    }
    assert breaker.state().name == "unknown"
    get_provider().send(ALICE_PRIMARY)
    failing_sends(fake, UNWELL["503"], FAILURES + 1)  # ProviderUnavailable, never CircuitOpen


def test_the_status_command_shows_the_breaker_and_asks_the_provider(fake: FakeTyntec) -> None:
    from ..commands.conftest import run

    out, _err = run("tyntec2fa_status", provider=True)
    assert "Circuit breaker: closed, 0 failure(s) in a row" in out
    assert "Provider: TyntecProvider answers" in out

    failing_sends(fake, UNWELL["503"], FAILURES)
    with pytest.raises(CommandError, match="circuit open"):
        run("tyntec2fa_status", provider=True)
    assert breaker.state().name == "open"


def test_the_status_command_reports_a_provider_that_does_not_answer(fake: FakeTyntec) -> None:
    from ..commands.conftest import run

    fake.inject(Fault("status", status=500))
    with pytest.raises(CommandError, match="ProviderUnavailable"):
        run("tyntec2fa_status", provider=True)


def test_a_send_the_open_breaker_refuses_spends_no_rate_limit_p3(
    client: Client, alice: Any, fake: FakeTyntec, settings: Any, password_login: PasswordLogin
) -> None:
    """The breaker is asked before the limits: users who try again during an outage
    still have their limits when tyntec is back."""
    settings.TYNTEC2FA_RATELIMIT_ENABLE = True
    settings.TYNTEC2FA_SEND_RATE_USER = "2/10m"
    password_login(client, alice, next_url=NEXT)  # the first of the two sends
    failing_sends(fake, UNWELL["503"], FAILURES)
    send = reverse("tyntec2fa:challenge-send")
    for _index in range(3):
        assert client.post(send, {"channel": "SMS"}).status_code == 503

    breaker.reset()
    assert client.post(send, {"channel": "SMS"}).status_code == 302  # the second send
