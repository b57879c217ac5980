"""Every 503 the app sends says when to try again (issue 23.6): a provider failure
while the circuit breaker is still closed (a single tyntec 503, 500 or an unexpected
answer) carries ``Retry-After`` on the pages and in the API, and the password step's
``send_error.retry_after`` is a number, never null. The HTML pages' send, resend and
check are walked by ``test_fault_table.py`` (every 503 cell asserts the header); this
module walks the API's endpoints and the code page the password step leads to."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from django_tyntec2fa.providers.tyntec import breaker
from django_tyntec2fa.testing.fake_tyntec import FakeTyntec

from ..api.conftest import API_HANDLER
from ..api.helpers import get, post
from ..people import PASSWORD
from ..steps import LOGIN
from . import table
from .helpers import code_for, live

#: The longest wait a 503 asks for while the breaker is closed (docs/faults.md; the
#: default ``TYNTEC2FA_BREAKER_COOL_OFF``, capped by ``exceptions.UNAVAILABLE_RETRY_AFTER``).
UNAVAILABLE_RETRY_AFTER = 30
#: Faults that leave the breaker closed and answer 503 (a timeout would too, slower).
FAULTS = ("503", "500", "429", "malformed")
#: API endpoint -> the provider operation it reaches.
ENDPOINTS = {
    "challenge-send": "send",
    "challenge-resend": "resend",
    "challenge-verify": "check",
}


@pytest.fixture(autouse=True)
def _api(settings: Any, _site: None) -> None:
    """The API's URLconf (it also routes the pages and Django's login) and handler; the
    circuit breaker on, so one failure leaves it closed."""
    settings.TYNTEC2FA_BREAKER_FAILURES = 3
    settings.ROOT_URLCONF = "tests.api.urls"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "EXCEPTION_HANDLER": API_HANDLER}


def inject(fake: FakeTyntec, fault: str, operation: str) -> None:
    fake.inject(dataclasses.replace(table.FAULTS[fault], operation=operation))


def assert_retry_after(response: Any) -> int:
    """A 503 whose ``Retry-After`` is a whole number of seconds, 1 to 30 (the breaker
    is closed: ``exceptions.unavailable_retry_after``)."""
    assert response.status_code == 503, response.content
    wait = int(response["Retry-After"])
    assert 1 <= wait <= UNAVAILABLE_RETRY_AFTER
    return wait


def api_password(client: Client, user: Any) -> Any:
    return post(client, "login", {"username": user.get_username(), "password": PASSWORD})


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_every_api_503_carries_retry_after_while_the_breaker_is_closed(
    endpoint: str, fault: str, client: Client, alice: Any, fake: FakeTyntec
) -> None:
    assert api_password(client, alice).status_code == 200
    data = {"code": code_for(fake, live(alice))} if endpoint == "challenge-verify" else {}
    inject(fake, fault, ENDPOINTS[endpoint])

    response = post(client, endpoint, data)

    assert_retry_after(response)
    assert breaker.state().name == "closed"


@pytest.mark.parametrize("fault", ["503", "500", "429"])
def test_the_api_password_step_503_has_retry_after_and_a_numeric_send_error_wait(
    fault: str, client: Client, alice: Any, fake: FakeTyntec
) -> None:
    """The complaint of issue 23.6: ``send_error.retry_after`` was null."""
    inject(fake, fault, "send")

    response = api_password(client, alice)

    wait = assert_retry_after(response)
    body = response.json()
    assert body["code"] == "provider_unavailable"
    assert body["send_error"]["retry_after"] == wait
    state = get(client, "challenge").json()
    assert isinstance(state["send_error"]["retry_after"], int)


def test_the_code_page_after_a_failed_first_send_is_a_503_with_retry_after(
    client: Client, alice: Any, fake: FakeTyntec
) -> None:
    """Also once the remembered wait is over: the page still answers 503 (no code went
    out), and still says when to try again."""
    inject(fake, "503", "send")
    credentials = {"username": alice.get_username(), "password": PASSWORD}
    assert client.post(LOGIN, credentials).status_code == 302

    page = client.get(reverse("tyntec2fa:challenge"))
    assert_retry_after(page)
    assert "The verification service is unavailable right now." in page.content.decode()

    with time_machine.travel(time.time() + 10 * UNAVAILABLE_RETRY_AFTER):
        later = client.get(reverse("tyntec2fa:challenge"))
        assert int(later["Retry-After"]) >= 1 and later.status_code == 503
        assert get(client, "challenge").json()["send_error"]["retry_after"] >= 1
