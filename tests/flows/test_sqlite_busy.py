"""Parallel checks of one code on SQLite, which has no row locks: a request that meets
the database locked by another waits and tries again, and one that cannot answers
``ChallengeBusy`` ("try again in a moment", HTTP 429): never a 500 (issue 15's double
click on the demo). The counting guarantees themselves are proven on PostgreSQL
(test_races.py)."""

from __future__ import annotations

import importlib
import threading
from typing import Any

import pytest
from django.db import OperationalError, connection

from django_tyntec2fa import flows
from django_tyntec2fa.exceptions import (
    ChallengeBusy,
    ChallengeExpired,
    InvalidCode,
    Tyntec2FAError,
)
from django_tyntec2fa.models import AuditEvent, Challenge, FailureCounter

from ..steps import wrong_code

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.sqlite]

THREADS = 8
LOGIN = Challenge.Purpose.LOGIN
#: The module, not the function ``flows.verify`` that shadows its name.
verify_module = importlib.import_module("django_tyntec2fa.flows.verify")


@pytest.fixture(autouse=True)
def _no_wait_or_lock(settings: Any) -> None:
    """This test is about the database lock: no account wait may refuse a thread first."""
    settings.TYNTEC2FA_LOCKOUT_THRESHOLD = 100
    settings.TYNTEC2FA_BACKOFF_AFTER = 100


def parallel_verifies(user: Any, make_request: Any, code: str) -> tuple[list[str], list[Any]]:
    barrier = threading.Barrier(THREADS, timeout=30)
    outcomes: list[str] = []
    unexpected: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            barrier.wait()
            flows.verify(make_request(), user, purpose=LOGIN, code=code)
            outcome = "verified"
        except Tyntec2FAError as error:
            outcome = type(error).__name__
        except Exception as error:  # reported by the test
            with lock:
                unexpected.append(error)
            return
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=worker) for _index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes, unexpected


def test_parallel_right_codes_on_sqlite_sign_in_once_and_never_fail_with_a_500(
    user: Any, device: Any, make_request: Any, last_code: Any
) -> None:
    assert connection.vendor == "sqlite"
    flows.start(make_request(), user, purpose=LOGIN)

    outcomes, unexpected = parallel_verifies(user, make_request, last_code())

    assert unexpected == []
    assert outcomes.count("verified") == 1
    assert set(outcomes) <= {"verified", ChallengeExpired.__name__, ChallengeBusy.__name__}
    assert Challenge.objects.get().status == Challenge.Status.VERIFIED


def test_a_database_that_stays_locked_answers_busy_with_retry_after(
    user: Any, device: Any, make_request: Any, last_code: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reservation keeps meeting "database is locked": after its bounded waits the
    answer is ``ChallengeBusy`` (429, Retry-After 1) and nothing was counted."""
    flows.start(make_request(), user, purpose=LOGIN)

    def locked(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("database is locked")

    monkeypatch.setattr(verify_module, "_decide", locked)
    monkeypatch.setattr(verify_module, "_LONGEST_WAIT", 0.001)
    monkeypatch.setattr(verify_module, "_WAIT_TRIES", 5)
    with pytest.raises(ChallengeBusy) as busy:
        flows.verify(make_request(), user, purpose=LOGIN, code=last_code())

    assert (busy.value.http_status, busy.value.retry_after) == (429, 1)
    assert Challenge.objects.get().attempts == 0


@pytest.mark.parametrize("right", [True, False])
def test_a_lock_after_the_outcome_was_stored_keeps_the_outcome_l4(
    user: Any,
    device: Any,
    make_request: Any,
    last_code: Any,
    monkeypatch: pytest.MonkeyPatch,
    right: bool,
) -> None:
    """The outcome's UPDATE went through, then the audit row met "database is locked":
    the audit is written again, the outcome is not claimed a second time. (Trying the
    whole step again once found the challenge no longer pending and turned the right
    code into "expired", the parallel test's rare failure.)"""
    flows.start(make_request(), user, purpose=LOGIN)
    code = last_code() if right else wrong_code(last_code())
    real = verify_module.audit.record
    calls: list[Any] = []

    def locked_once(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[0])
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return real(*args, **kwargs)

    monkeypatch.setattr(verify_module.audit, "record", locked_once)
    if right:
        verified = flows.verify(make_request(), user, purpose=LOGIN, code=code)
        assert verified.status == Challenge.Status.VERIFIED
    else:
        with pytest.raises(InvalidCode):
            flows.verify(make_request(), user, purpose=LOGIN, code=code)
    challenge = Challenge.objects.get()
    assert challenge.status == (Challenge.Status.VERIFIED if right else Challenge.Status.PENDING)
    assert challenge.attempts == 1 and challenge.checking_until is None
    kind = AuditEvent.Kind.VERIFIED if right else AuditEvent.Kind.FAILED
    assert AuditEvent.objects.filter(kind=kind).count() == 1
    failures = FailureCounter.objects.filter(user=user).values_list("failures", flat=True)
    assert list(failures) == ([] if right else [1])
