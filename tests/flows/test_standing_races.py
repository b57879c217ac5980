"""The account's wait under concurrency, on PostgreSQL (L2, L4; issue 23.7, 23.8): the
wait starts at exactly ``BACKOFF_AFTER`` failures however many codes arrive at once,
for recovery codes and phone codes, and a right code that follows a wrong one leaves
the counter at zero. Real threads released together (``test_races.run_together``).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

import pytest
from django.db import connection

from django_tyntec2fa import flows
from django_tyntec2fa.core import lockout
from django_tyntec2fa.exceptions import AccountLocked, InvalidCode, Tyntec2FAError
from django_tyntec2fa.flows import recovery
from django_tyntec2fa.models import Challenge, FailureCounter

from ..steps import wrong_code
from .helpers import count_calls
from .test_races import JOIN_TIMEOUT, run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

K = 40
BACKOFF_AFTER = 5
LOGIN = Challenge.Purpose.LOGIN


@pytest.fixture(autouse=True)
def _ladder(settings: Any) -> None:
    assert connection.vendor == "postgresql", "races need --ds=tests.settings_postgres"
    settings.TYNTEC2FA_BACKOFF_AFTER = BACKOFF_AFTER
    settings.TYNTEC2FA_LOCKOUT_THRESHOLD = 20
    settings.TYNTEC2FA_RATELIMIT_ENABLE = False  # the ladder alone refuses here


def test_parallel_wrong_recovery_codes_wait_at_exactly_backoff_after_l4(
    user: Any, device: Any, settings: Any
) -> None:
    """Issue 23.7: 40 parallel wrong recovery codes on an account with no failures:
    exactly 5 are evaluated and counted, the others meet the wait."""
    settings.TYNTEC2FA_RECOVERY_CODES = 10
    recovery.RecoveryCode.objects.create(user=user, digest="0" * 64)  # a set exists
    outcomes = run_together(["0000-0000-0000"] * K, lambda code: recovery.redeem(None, user, code))
    assert outcomes == Counter({InvalidCode.__name__: BACKOFF_AFTER, AccountLocked.__name__: K - 5})
    counter = FailureCounter.objects.get(user=user)
    assert counter.failures == BACKOFF_AFTER and counter.blocked_until is not None


def test_parallel_wrong_phone_codes_wait_at_exactly_backoff_after_l4(
    user: Any, device: Any, make_request: Any, last_code: Any, settings: Any
) -> None:
    """The same for phone codes: with more tries per code than before the wait, the
    provider checks exactly 5 codes and the counter stops at 5."""
    settings.TYNTEC2FA_MAX_ATTEMPTS = 10
    flows.start(make_request(), user, purpose=LOGIN)
    bad = wrong_code(last_code())
    with count_calls("check") as checks:
        outcomes = run_together(
            [bad] * K, lambda code: flows.verify(make_request(), user, purpose=LOGIN, code=code)
        )
    assert checks.calls == BACKOFF_AFTER
    assert outcomes == Counter({InvalidCode.__name__: BACKOFF_AFTER, AccountLocked.__name__: K - 5})
    assert FailureCounter.objects.get(user=user).failures == BACKOFF_AFTER


def test_a_right_code_after_a_wrong_one_leaves_no_failure_l3(
    user: Any, device: Any, make_request: Any, last_code: Any, monkeypatch: Any
) -> None:
    """Issue 23.8: a wrong code, then the right one while the wrong one's failure is
    still being written: the success comes last, so the counter ends at zero (it
    stayed at one when the wrong code released its challenge before counting)."""
    flows.start(make_request(), user, purpose=LOGIN)
    right = last_code()
    real = lockout.record_failure

    def slow_failure(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.4)  # the failure's write is slow: the right code comes meanwhile
        return real(*args, **kwargs)

    monkeypatch.setattr(lockout, "record_failure", slow_failure)
    outcomes: dict[str, str] = {}

    def attempt(name: str, code: str) -> None:
        try:
            flows.verify(make_request(), user, purpose=LOGIN, code=code)
            outcomes[name] = "verified"
        except Tyntec2FAError as error:
            outcomes[name] = type(error).__name__
        finally:
            connection.close()

    wrong = threading.Thread(target=attempt, args=("wrong", wrong_code(right)))
    wrong.start()
    time.sleep(0.15)  # the wrong code is checked and its failure is being written
    good = threading.Thread(target=attempt, args=("right", right))
    good.start()
    for thread in (wrong, good):
        thread.join(JOIN_TIMEOUT)
    assert outcomes == {"wrong": InvalidCode.__name__, "right": "verified"}
    assert FailureCounter.objects.get(user=user).failures == 0
