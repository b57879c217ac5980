"""L4 through the flows, on PostgreSQL (SQLite ignores ``select_for_update``).

Real threads, each with its own database connection (closed at the end), released
together by a barrier, as in django-otp's ``ConcurrencyTestCase``. Run with
``.venv/bin/python -m pytest -m postgres --ds=tests.settings_postgres tests/flows``.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from django_tyntec2fa import flows
from django_tyntec2fa.core import session
from django_tyntec2fa.exceptions import (
    ChallengeExpired,
    InvalidCode,
    TooManyAttempts,
    Tyntec2FAError,
)
from django_tyntec2fa.models import Challenge, FailureCounter, LocalOtp

from ..steps import wrong_code
from .conftest import password_step
from .helpers import count_calls

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20
MAX_ATTEMPTS = 5
JOIN_TIMEOUT = 60.0  # seconds; a hung thread fails the test instead of hanging the suite
LOGIN = Challenge.Purpose.LOGIN


@pytest.fixture(autouse=True)
def _race_settings(settings: Any) -> None:
    assert connection.vendor == "postgresql", "row-lock races need --ds=tests.settings_postgres"
    settings.TYNTEC2FA_MAX_ATTEMPTS = MAX_ATTEMPTS
    # Neither a wait nor the lock may refuse a thread before the row lock: this test
    # is about the counting, so every one of the 20 attempts must reach evaluation.
    settings.TYNTEC2FA_LOCKOUT_THRESHOLD = 100
    settings.TYNTEC2FA_BACKOFF_AFTER = 100


def run_together(codes: list[str], attempt: Callable[[Any, str], Any]) -> Counter[str]:
    """Run ``attempt(request, code)`` once per code, all released at once; returns how
    many threads ended with each outcome ("verified" or the exception class name)."""
    barrier = threading.Barrier(len(codes), timeout=JOIN_TIMEOUT)
    outcomes: list[str] = []
    unexpected: list[BaseException] = []
    lock = threading.Lock()

    def worker(code: str) -> None:
        try:
            barrier.wait()
            attempt(code)
            outcome = "verified"
        except Tyntec2FAError as error:
            outcome = type(error).__name__
        except Exception as error:  # reported by the main thread below
            with lock:
                unexpected.append(error)
            return
        finally:
            connection.close()  # each thread has its own connection; don't leak it
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=worker, args=(code,)) for code in codes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a verifying thread hung"
    assert unexpected == []
    return Counter(outcomes)


def test_parallel_wrong_codes_count_exactly_and_reach_the_provider_at_most_the_limit_l4(
    user, device, make_request, last_code
) -> None:
    """L4 (a): 20 parallel wrong codes: the account counter rises by exactly 20 (every
    submitted attempt counts, see lockout.py), the provider's check runs at most
    MAX_ATTEMPTS times."""
    assert connection.vendor == "postgresql"
    flows.start(make_request(), user, purpose=LOGIN)
    bad = wrong_code(last_code())
    with count_calls("check") as checks:
        outcomes = run_together(
            [bad] * THREADS,
            lambda code: flows.verify(make_request(), user, purpose=LOGIN, code=code),
        )
    assert FailureCounter.objects.get(user=user).failures == THREADS
    assert checks.calls <= MAX_ATTEMPTS
    assert checks.calls == LocalOtp.objects.get().attempt_count
    assert outcomes == Counter(
        {
            InvalidCode.__name__: MAX_ATTEMPTS - 1,
            TooManyAttempts.__name__: 1,
            ChallengeExpired.__name__: THREADS - MAX_ATTEMPTS,
        }
    )
    challenge = Challenge.objects.get()
    assert (challenge.status, challenge.attempts) == (Challenge.Status.FAILED, MAX_ATTEMPTS)


def test_parallel_right_codes_verify_exactly_once_l4(user, device, make_request, last_code) -> None:
    """L4 (b): 20 parallel right codes: exactly one verify succeeds; the other 19 meet
    a used challenge (ChallengeExpired) and count as failures after the reset."""
    assert connection.vendor == "postgresql"
    flows.start(make_request(), user, purpose=LOGIN)
    code = last_code()
    with count_calls("check") as checks:
        outcomes = run_together(
            [code] * THREADS,
            lambda code: flows.verify(make_request(), user, purpose=LOGIN, code=code),
        )
    assert outcomes == Counter({"verified": 1, ChallengeExpired.__name__: THREADS - 1})
    assert checks.calls == 1
    assert Challenge.objects.get().status == Challenge.Status.VERIFIED
    assert FailureCounter.objects.get(user=user).failures == THREADS - 1


def test_parallel_logins_complete_exactly_one_session_l4(
    user, device, make_request, last_code
) -> None:
    """L4 (b) at the session level: 20 pending sessions of one user submit the one
    live code at once; exactly one session ends up verified."""
    assert connection.vendor == "postgresql"
    requests = [make_request() for _index in range(THREADS)]
    for request in requests:
        password_step(request, user)  # each password step replaces the live challenge
    code = last_code()
    by_code = iter(requests)
    lock = threading.Lock()

    def login(code: str) -> None:
        with lock:
            request = next(by_code)
        flows.verify_login(request, code)

    outcomes = run_together([code] * THREADS, login)
    assert outcomes["verified"] == 1
    assert sum(session.is_verified(request) for request in requests) == 1


def test_parallel_starts_of_one_user_each_replace_the_last_and_one_code_stays_live_g7(
    user, device, make_request
) -> None:
    """Twenty sends at once for a user who has a live code (a script, or "send" pressed
    in many tabs): every one succeeds, each cancelling the code before it, and one code
    is live at the end (G7). Before the starts queued on the user's row, a start could
    lose to another's INSERT three times and raise the constraint's IntegrityError (a
    500 on the password step)."""
    flows.start(make_request(), user, purpose=LOGIN)

    def start(_unused: str) -> None:
        flows.start(make_request(), user, purpose=LOGIN)

    outcomes = run_together([""] * THREADS, start)
    assert outcomes == Counter({"verified": THREADS})  # run_together's name for "returned"
    mine = Challenge.objects.filter(user=user, purpose=LOGIN)
    assert mine.filter(status=Challenge.Status.PENDING).count() == 1
    assert mine.filter(status=Challenge.Status.CANCELLED).count() == THREADS
    live = mine.get(status=Challenge.Status.PENDING)
    # The provider knows one active code: every replaced one was deleted there.
    assert LocalOtp.objects.filter(status=LocalOtp.Status.ACTIVE).count() == 1
    assert str(LocalOtp.objects.get(status=LocalOtp.Status.ACTIVE).otp_id) == live.provider_otp_id
