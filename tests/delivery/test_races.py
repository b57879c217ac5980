"""Concurrent polls, on PostgreSQL and Redis (issue 13): real threads, each with its own
database connection, released together. Of 20 polls that all find the automatic call
due, exactly one places it; 50 simultaneous polls ask tyntec for the events once.

Run with ``REDIS_URL=redis://127.0.0.1:6379/<db> .venv/bin/python -m pytest -m postgres
--ds=tests.settings_postgres tests/delivery``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection

from django_tyntec2fa import flows
from django_tyntec2fa.flows import delivery
from django_tyntec2fa.flows.fallback import delivery_status
from django_tyntec2fa.models import AuditEvent, Challenge
from django_tyntec2fa.testing.fake_tyntec import FakeTyntec

from .conftest import Clock

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

JOIN_TIMEOUT = 60.0
LOGIN = Challenge.Purpose.LOGIN


@pytest.fixture(autouse=True)
def _real_services(settings: Any) -> None:
    assert connection.vendor == "postgresql", "races need --ds=tests.settings_postgres"
    assert "redis" in settings.CACHES["default"]["BACKEND"].lower(), "and a shared cache"
    settings.TYNTEC2FA_AUTO_VOICE_FALLBACK = True
    settings.TYNTEC2FA_RESEND_COOLDOWN = 0


def together(count: int, work: Callable[[], Any]) -> list[Any]:
    """Run ``work`` in ``count`` threads released at once; its results (or errors)."""
    barrier = threading.Barrier(count, timeout=JOIN_TIMEOUT)
    results: list[Any] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            barrier.wait()
            result: Any = work()
        except Exception as error:  # reported by the assertions of the test
            result = error
        finally:
            connection.close()
        with lock:
            results.append(result)

    threads = [threading.Thread(target=worker) for _index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a poll hung"
    return results


def test_concurrent_polls_place_exactly_one_call(
    alice: Any, fake: FakeTyntec, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery, "INTERVAL", 0)  # every poll may learn the failure
    fake.plan_delivery("failed", channel="SMS")
    fake.plan_delivery("silent", channel="VOICE")
    pk = flows.start(None, alice, purpose=LOGIN).pk
    clock.advance(1)
    results = together(
        20,
        lambda: delivery_status(
            None, alice, Challenge.objects.select_related("device").get(pk=pk), place_call=True
        ),
    )
    assert not [result for result in results if isinstance(result, Exception)], results
    assert sum(1 for message in fake.outbox if message.channel == "VOICE") == 1
    assert fake.counters["resend"] == 1
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.VOICE_FALLBACK).count() == 1
    challenge = Challenge.objects.get(pk=pk)
    assert (challenge.channel, challenge.resend_count) == ("VOICE", 1)
    assert challenge.voice_fallback_at is not None


def test_fifty_simultaneous_polls_ask_tyntec_once(
    alice: Any, fake: FakeTyntec, clock: Clock
) -> None:
    fake.plan_delivery("silent")
    pk = flows.start(None, alice, purpose=LOGIN).pk
    clock.advance(3.5)
    results = together(50, lambda: delivery.known(Challenge.objects.get(pk=pk)).state)
    assert results == ["sent"] * 50
    assert fake.counters["events"] == 1
    cache.clear()
