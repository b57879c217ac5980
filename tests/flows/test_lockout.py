"""The account's failure counter: the backoff ladder and the lock (L2), what resets it
(L3), the cap of the threshold (L2), the account_locked signal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from django_tyntec2fa import flows, signals
from django_tyntec2fa.core import lockout
from django_tyntec2fa.exceptions import AccountLocked, InvalidCode, TooManyAttempts
from django_tyntec2fa.models import AuditEvent, Challenge, FailureCounter

from ..steps import wrong_code
from .helpers import received

LOGIN = Challenge.Purpose.LOGIN
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def failures(user: Any) -> int:
    counter = FailureCounter.objects.filter(user=user).first()
    return counter.failures if counter else 0


@pytest.fixture
def ladder(settings: Any) -> Any:
    settings.TYNTEC2FA_BACKOFF_AFTER = 3
    settings.TYNTEC2FA_BACKOFF_BASE = 30
    settings.TYNTEC2FA_BACKOFF_MAX = 100
    settings.TYNTEC2FA_LOCKOUT_THRESHOLD = 6
    return settings


def test_wait_doubles_from_backoff_after_up_to_the_max_l2(ladder: Any) -> None:
    assert [lockout.wait_seconds(n) for n in range(1, 8)] == [0, 0, 30, 60, 100, 100, 100]


def test_default_ladder_l2() -> None:
    """The defaults: 5 failures -> 30 s, doubling, at most one hour; lock at 20."""
    waits = [lockout.wait_seconds(n) for n in (4, 5, 6, 7, 12, 13, 19, 200)]
    assert waits == [0, 30, 60, 120, 3600, 3600, 3600, 3600]
    assert lockout.threshold() == 20


@pytest.mark.django_db
def test_backoff_ladder_then_lock_at_the_threshold_l2_l8(
    user: Any, ladder: Any, make_request
) -> None:
    """L2: no wait below BACKOFF_AFTER, then growing waits, then the lock; the audit
    trail and the account_locked signal record each step."""
    request = make_request()
    seen = []
    with time_machine.travel(T0, tick=False), received(signals.account_locked) as locked:
        for n in range(1, 7):
            counter = lockout.record_failure(request, user)
            assert counter.failures == n
            try:
                lockout.ensure_not_locked(user)
                seen.append(0)
            except AccountLocked as error:
                seen.append(error.retry_after)
    assert seen == [0, 0, 30, 60, 100, None]  # None: locked until an operator unlocks
    assert FailureCounter.objects.get(user=user).locked
    assert [(call["failures"], call["until"]) for call in locked] == [
        (3, T0 + dt.timedelta(seconds=30)),
        (4, T0 + dt.timedelta(seconds=60)),
        (5, T0 + dt.timedelta(seconds=100)),
        (6, None),
    ]
    assert all(call["user"] == user and call["request"] is request for call in locked)
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCOUNT_LOCKED).count() == 4
    # Locked means locked, however long one waits.
    with time_machine.travel(T0 + dt.timedelta(days=30)), pytest.raises(AccountLocked):
        lockout.ensure_not_locked(user)
    lockout.unlock(user)
    lockout.ensure_not_locked(user)
    assert failures(user) == 0


@pytest.mark.django_db
def test_wrong_codes_from_rotating_ips_lock_the_account_l2(
    user: Any, device: Any, ladder: Any, make_request, last_code
) -> None:
    """L2: the counter belongs to the account: wrong codes over several challenges,
    each from another IP and browser, lock it at the threshold; then neither sending
    nor checking is possible."""
    moment = T0
    outcomes = []
    for attempt in range(6):  # bounded: exactly the threshold
        ip = f"203.0.113.{attempt + 1}"
        with time_machine.travel(moment, tick=False):
            request = make_request(ip=ip)
            if flows.live_challenge(user, LOGIN) is None:
                flows.start(request, user, purpose=LOGIN)
            with pytest.raises((InvalidCode, TooManyAttempts, AccountLocked)) as caught:
                flows.verify(request, user, purpose=LOGIN, code=wrong_code(last_code()))
            outcomes.append(type(caught.value).__name__)
        moment += dt.timedelta(seconds=101)  # past every wait of the ladder
    assert outcomes == ["InvalidCode", "InvalidCode", "TooManyAttempts"] * 2
    assert failures(user) == 6
    with time_machine.travel(moment + dt.timedelta(days=1)):
        with pytest.raises(AccountLocked):
            flows.start(make_request(), user, purpose=LOGIN)
        with pytest.raises(AccountLocked):
            flows.verify(make_request(), user, purpose=LOGIN, code="123456")
    assert failures(user) == 6  # refused before evaluation: not counted


@pytest.mark.django_db
def test_resend_and_new_challenges_do_not_reset_the_count_l3(
    user: Any, device: Any, make_request, last_code, settings: Any
) -> None:
    """L3: fail 4, resend, fail 1 -> the counter is 5 and the backoff applies."""
    settings.TYNTEC2FA_MAX_ATTEMPTS = 10
    request = make_request()
    with time_machine.travel(T0, tick=False):
        flows.start(request, user, purpose=LOGIN)
        for _attempt in range(4):
            with pytest.raises(InvalidCode):
                flows.verify(request, user, purpose=LOGIN, code=wrong_code(last_code()))
    with time_machine.travel(T0 + dt.timedelta(seconds=31), tick=False):
        flows.resend(request, user, purpose=LOGIN)
        with pytest.raises(InvalidCode):
            flows.verify(request, user, purpose=LOGIN, code=wrong_code(last_code()))
        assert failures(user) == 5
        with pytest.raises(AccountLocked) as waiting:
            flows.verify(request, user, purpose=LOGIN, code=last_code())
    assert waiting.value.retry_after == 30
    # A new challenge does not reset it either.
    with time_machine.travel(T0 + dt.timedelta(seconds=62), tick=False):
        flows.start(request, user, purpose=LOGIN)
        assert failures(user) == 5


@pytest.mark.django_db
def test_only_success_resets_the_count_l3(user: Any, device: Any, make_request, last_code) -> None:
    """L3: fail 4, then succeed -> the counter is 0."""
    request = make_request()
    for _attempt in range(2):  # two challenges of 3 attempts: 2 wrong codes each
        flows.start(request, user, purpose=LOGIN)
        for _wrong in range(2):
            with pytest.raises(InvalidCode):
                flows.verify(request, user, purpose=LOGIN, code=wrong_code(last_code()))
    assert failures(user) == 4
    flows.verify(request, user, purpose=LOGIN, code=last_code())
    assert failures(user) == 0


@pytest.mark.django_db
def test_an_attempt_that_waited_for_the_row_while_the_account_locked_is_refused_uncounted_l4(
    user: Any, device: Any, make_request, last_code, ladder: Any
) -> None:
    """The lock is read again after every wait for a running check of the challenge
    (what a parallel attempt sees when the account locked while it waited): refused,
    not evaluated and not counted, as a sequential attempt (issue 23.7)."""
    request = make_request()
    flows.start(request, user, purpose=LOGIN)
    FailureCounter.objects.create(user=user, failures=6, locked=True)
    # Another check of this challenge is running for a moment.
    running = timezone.now() + dt.timedelta(seconds=0.2)
    Challenge.objects.filter(user=user).update(checking_until=running)
    real_load = lockout.load_counter
    reads: list[Any] = []

    def unlocked_at_first(account: Any) -> Any:
        reads.append(account)
        return None if len(reads) == 1 else real_load(account)  # passed before it locked

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lockout, "load_counter", unlocked_at_first)
        with pytest.raises(AccountLocked):
            flows.verify(request, user, purpose=LOGIN, code=last_code())
    assert len(reads) >= 2
    assert failures(user) == 6
    assert flows.live_challenge(user, LOGIN).attempts == 0


# --- the cap of the threshold (L2); its system check E009 is tested in tests/test_checks.py


@pytest.mark.parametrize(("value", "effective"), [(500, 100), (100, 100), (1, 1), (0, 1)])
def test_threshold_is_capped_at_100_l2(value: int, effective: int) -> None:
    with override_settings(TYNTEC2FA_LOCKOUT_THRESHOLD=value):
        assert lockout.threshold() == effective
