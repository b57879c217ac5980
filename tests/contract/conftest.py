"""One harness per provider: the same scenarios run against both (R5).

``local``  - ``LocalProvider`` on the test database, clock frozen with time-machine.
``tyntec`` - ``TyntecProvider`` over real HTTP to ``FakeTyntec`` on 127.0.0.1, whose
             clock the harness moves. Every request the client sends and every answer
             the fake gives is recorded and, after the test, validated against tyntec's
             OpenAPI file (``tests/openapi/recorder.py``): the test fails otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine

from django_tyntec2fa.providers import Provider, sinks
from django_tyntec2fa.providers.local import LocalProvider
from django_tyntec2fa.providers.tyntec.client import TyntecProvider
from django_tyntec2fa.testing.fake_tyntec import FakeTyntec

from ..openapi.recorder import ExchangeRecorder


@dataclass(frozen=True)
class Message:
    """A delivered message, in the same terms for both providers."""

    number: str
    channel: str
    text: str
    code: str


@dataclass
class Harness:
    name: str
    provider: Provider
    messages: Callable[[], list[Message]]
    advance: Callable[[float], None]
    #: ``plan_delivery(outcome, delay, channel=None)``: how the next deliveries are
    #: reported (the fake's plan; the local provider's TYNTEC2FA_LOCAL_DELIVERY).
    plan_delivery: Callable[..., None]

    def delivered_code(self) -> str:
        """The code of the newest message this provider delivered (the fake server's
        outbox for tyntec, the local outbox for the local provider)."""
        return self.messages()[-1].code


def _local_plan(settings: Any) -> Callable[..., None]:
    """The local provider's delivery reports, by its two settings."""

    def plan(outcome: str, delay: float = 0.0, channel: str | None = None) -> None:
        current = getattr(settings, "TYNTEC2FA_LOCAL_DELIVERY", None) if channel else None
        by_channel = dict(current) if isinstance(current, dict) else {}
        settings.TYNTEC2FA_LOCAL_DELIVERY = {**by_channel, channel: outcome} if channel else outcome
        settings.TYNTEC2FA_LOCAL_DELIVERY_DELAY = delay

    return plan


@pytest.fixture(params=["local", "tyntec"])
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    if request.param == "local":
        request.getfixturevalue("db")
        with time_machine.travel(
            dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC), tick=False
        ) as clock:
            yield Harness(
                name="local",
                provider=LocalProvider(),
                messages=lambda: [
                    Message(d.number, str(d.channel), d.text, d.code) for d in sinks.outbox
                ],
                advance=clock.shift,
                plan_delivery=_local_plan(request.getfixturevalue("settings")),
            )
        return
    with FakeTyntec(api_key="contract-key") as fake:
        provider = TyntecProvider(api_key=fake.api_key, base_url=fake.url, timeout=(2, 5))
        recorder = ExchangeRecorder.attach(provider.session)
        try:
            yield Harness(
                name="tyntec",
                provider=provider,
                messages=lambda: [
                    Message(m.number, str(m.channel), m.text, m.code) for m in fake.outbox
                ],
                advance=fake.advance,
                plan_delivery=lambda outcome, delay=0.0, channel=None: fake.plan_delivery(
                    outcome, delay, channel=channel
                ),
            )
        finally:
            provider.close()
        recorder.assert_valid()  # every exchange of the test, whatever it called
