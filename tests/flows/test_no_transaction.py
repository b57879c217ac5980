"""No transaction (so no row lock) is open while the provider is asked (issue 12): a
hanging tyntec must not hold a database lock per request. Each provider call the flows
make records whether Django was inside ``atomic()`` at that moment. Transactional tests,
so the test itself opens no transaction around the flows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.db import connection

from django_tyntec2fa import flows
from django_tyntec2fa.exceptions import InvalidCode, ProviderUnavailable
from django_tyntec2fa.models import Challenge
from django_tyntec2fa.providers import get_provider

from ..steps import wrong_code

pytestmark = pytest.mark.django_db(transaction=True)

LOGIN = Challenge.Purpose.LOGIN


@contextmanager
def atomic_during(*names: str) -> Iterator[list[tuple[str, bool]]]:
    """(method, inside atomic) for every call of the provider's ``names``."""
    provider = get_provider()
    seen: list[tuple[str, bool]] = []

    def spy(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            seen.append((name, connection.in_atomic_block))
            return method(*args, **kwargs)

        return call

    patches = [mock.patch.object(provider, n, spy(n, getattr(provider, n))) for n in names]
    for patch in patches:
        patch.start()
    try:
        yield seen
    finally:
        for patch in patches:
            patch.stop()


def test_send_resend_and_check_run_outside_any_transaction(
    user: Any, device: Any, make_request: Any, last_code: Any, settings: Any
) -> None:
    settings.TYNTEC2FA_RESEND_COOLDOWN = 0
    with atomic_during("send", "resend", "check") as seen:
        flows.start(make_request(), user, purpose=LOGIN)
        flows.resend(make_request(), user, purpose=LOGIN)
        code = last_code()
        with pytest.raises(InvalidCode):
            flows.verify(make_request(), user, purpose=LOGIN, code=wrong_code(code))
        flows.verify(make_request(), user, purpose=LOGIN, code=code)

    assert seen == [("send", False), ("resend", False), ("check", False), ("check", False)]
    challenge = Challenge.objects.get()
    assert (challenge.status, challenge.attempts, challenge.resend_count) == (
        Challenge.Status.VERIFIED,
        2,
        1,
    )
    assert challenge.checking_until is None


def test_a_failed_resend_gives_the_resend_back(
    user: Any, device: Any, make_request: Any, settings: Any
) -> None:
    settings.TYNTEC2FA_RESEND_COOLDOWN = 0
    challenge = flows.start(make_request(), user, purpose=LOGIN)
    provider = get_provider()

    def down(*args: Any, **kwargs: Any) -> Any:
        raise ProviderUnavailable("resend: ReadTimeout after 1 attempt(s)")

    with mock.patch.object(provider, "resend", down), pytest.raises(ProviderUnavailable):
        flows.resend(make_request(), user, purpose=LOGIN)

    fresh = Challenge.objects.get()
    assert (fresh.resend_count, fresh.last_sent_at, fresh.channel) == (
        0,
        challenge.last_sent_at,
        challenge.channel,
    )
