"""L4: parallel checks of one OTP on PostgreSQL, where ``select_for_update`` locks rows.

Modelled on django-otp's ``ConcurrencyTestCase``: real threads, each with its own
database connection (closed at the end), released together by a barrier. SQLite
ignores row locks, so these run only with ``--ds=tests.settings_postgres``.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import override_settings
from django.utils.crypto import constant_time_compare

from django_tyntec2fa.models import LocalOtp
from django_tyntec2fa.providers import local
from django_tyntec2fa.providers.base import CheckOutcome
from django_tyntec2fa.providers.local import LocalProvider

from ..steps import wrong_code
from .conftest import SendFn

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20
LIMIT = 5
JOIN_TIMEOUT = 60.0  # seconds; a hung thread fails the test instead of hanging the suite


class Comparisons:
    """Counts calls of ``constant_time_compare``: attempts evaluated against the code."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, left: str, right: str) -> bool:
        with self._lock:
            self.count += 1
        return constant_time_compare(left, right)


def run_together(provider: LocalProvider, otp_id: str, codes: list[str]) -> Counter[CheckOutcome]:
    """Check one code per thread, all released at once; returns the outcomes."""
    barrier = threading.Barrier(len(codes), timeout=JOIN_TIMEOUT)
    outcomes: list[CheckOutcome] = []
    errors: list[Exception] = []
    lock = threading.Lock()

    def worker(code: str) -> None:
        try:
            barrier.wait()
            outcome = provider.check(otp_id, code).outcome
            with lock:
                outcomes.append(outcome)
        except Exception as error:  # reported by the main thread below
            with lock:
                errors.append(error)
        finally:
            connection.close()  # each thread has its own connection; don't leak it

    threads = [threading.Thread(target=worker, args=(code,)) for code in codes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a checking thread hung"
    assert errors == []
    return Counter(outcomes)


@pytest.fixture
def race(
    provider: LocalProvider, send: SendFn
) -> Callable[..., tuple[Counter[CheckOutcome], Comparisons, LocalOtp]]:
    assert connection.vendor == "postgresql", "row-lock races need --ds=tests.settings_postgres"

    def _race(
        make_codes: Callable[[str], list[str]], attempts_before: int = 0
    ) -> tuple[Counter[CheckOutcome], Comparisons, LocalOtp]:
        with override_settings(TYNTEC2FA_MAX_ATTEMPTS=LIMIT):
            status, code = send()
        LocalOtp.objects.filter(otp_id=status.otp_id).update(attempt_count=attempts_before)
        comparisons = Comparisons()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(local, "constant_time_compare", comparisons)
            outcomes = run_together(provider, status.otp_id, make_codes(code))
        return outcomes, comparisons, LocalOtp.objects.get(otp_id=status.otp_id)

    return _race


def test_parallel_wrong_codes_evaluate_exactly_the_limit_l4(race) -> None:
    """L4 (a): 20 parallel wrong codes, limit 5: 5 evaluated, no lost update."""
    outcomes, comparisons, otp = race(lambda code: [wrong_code(code)] * THREADS)
    assert connection.vendor == "postgresql"
    assert otp.attempt_count == LIMIT
    assert otp.status == LocalOtp.Status.TOO_MANY_ATTEMPTS
    assert comparisons.count == LIMIT
    assert outcomes == Counter(
        {
            CheckOutcome.WRONG_CODE: LIMIT - 1,
            CheckOutcome.EXHAUSTED: 1,
            CheckOutcome.ALREADY_FINAL: THREADS - LIMIT,
        }
    )


def test_parallel_right_codes_are_compared_once_and_verify_once_at_the_provider_l4(race) -> None:
    """L4 (b): 20 parallel right codes: exactly one VERIFIED."""
    outcomes, comparisons, otp = race(lambda code: [code] * THREADS)
    assert connection.vendor == "postgresql"
    assert outcomes == Counter({CheckOutcome.VERIFIED: 1, CheckOutcome.ALREADY_FINAL: THREADS - 1})
    assert comparisons.count == 1
    assert (otp.status, otp.attempt_count) == (LocalOtp.Status.VERIFIED, 1)


def test_last_attempt_is_evaluated_exactly_once_l4(race) -> None:
    """L4 (c): counter at limit-1, 1 right + 19 wrong in parallel: exactly one evaluated."""
    outcomes, comparisons, otp = race(
        lambda code: [code] + [wrong_code(code)] * (THREADS - 1), attempts_before=LIMIT - 1
    )
    assert connection.vendor == "postgresql"
    assert comparisons.count == 1
    assert otp.attempt_count == LIMIT
    assert outcomes[CheckOutcome.ALREADY_FINAL] == THREADS - 1
    evaluated = outcomes[CheckOutcome.VERIFIED] + outcomes[CheckOutcome.EXHAUSTED]
    assert evaluated == 1
    assert otp.status in {LocalOtp.Status.VERIFIED, LocalOtp.Status.TOO_MANY_ATTEMPTS}
