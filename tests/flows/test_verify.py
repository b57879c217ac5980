"""verify(): single use and binding (G5), attempts per challenge (L1), the L4 counting
rule, provider errors (R1) and the signals. G6 and L7: test_verify_clock.py."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest

from django_tyntec2fa import flows, signals
from django_tyntec2fa.exceptions import (
    ChallengeExpired,
    InvalidCode,
    ProviderUnavailable,
    TooManyAttempts,
)
from django_tyntec2fa.models import AuditEvent, Challenge, FailureCounter, LocalOtp
from django_tyntec2fa.providers import get_provider

from ..steps import wrong_code
from .conftest import OTHER_NUMBER, add_device
from .helpers import count_calls, received

pytestmark = pytest.mark.django_db
LOGIN = Challenge.Purpose.LOGIN
ENROLL = Challenge.Purpose.ENROLL
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def failures(user: Any) -> int:
    counter = FailureCounter.objects.filter(user=user).first()
    return counter.failures if counter else 0


# --- G5: single use, own user, own purpose, own device -----------------------------------


def test_a_used_code_is_refused_again_g5(user, device, make_request, last_code) -> None:
    """G5 (a): the same code a second time, in the same or a new session: refused."""
    request = make_request()
    flows.start(request, user, purpose=LOGIN)
    code = last_code()
    flows.verify(request, user, purpose=LOGIN, code=code)
    with pytest.raises(ChallengeExpired):
        flows.verify(request, user, purpose=LOGIN, code=code)
    with pytest.raises(ChallengeExpired):
        flows.verify(make_request(), user, purpose=LOGIN, code=code)


def test_a_code_answers_only_for_its_purpose_g5(user, device, make_request, last_code) -> None:
    """G5 (b): an enrollment code cannot complete a login, and the reverse."""
    request = make_request()
    new_phone = add_device(user, OTHER_NUMBER, confirmed=False, is_primary=False)
    flows.start(request, user, purpose=ENROLL, device=new_phone)
    enroll_code = last_code()
    flows.start(request, user, purpose=LOGIN)
    login_code = last_code()
    assert enroll_code != login_code  # 1 in a million: the purposes would be untestable
    with pytest.raises(InvalidCode):
        flows.verify(request, user, purpose=LOGIN, code=enroll_code)
    with pytest.raises(InvalidCode):
        flows.verify(request, user, purpose=ENROLL, code=login_code)
    # Each challenge still answers to its own code.
    assert flows.verify(request, user, purpose=LOGIN, code=login_code).device == device
    assert flows.verify(request, user, purpose=ENROLL, code=enroll_code).device == new_phone


def test_a_code_answers_only_for_its_user_g5(
    user, other_user, device, make_request, last_code
) -> None:
    """G5 (c): A's code submitted for B's pending login is refused; A's stays live."""
    add_device(other_user, OTHER_NUMBER)
    request = make_request()
    flows.start(request, user, purpose=LOGIN)
    alice_code = last_code()
    flows.start(request, other_user, purpose=LOGIN)
    assert last_code() != alice_code
    with pytest.raises(InvalidCode):
        flows.verify(request, other_user, purpose=LOGIN, code=alice_code)
    assert flows.verify(request, user, purpose=LOGIN, code=alice_code).user_id == user.pk


def test_a_code_answers_only_while_its_device_is_confirmed_g5_e1(
    user, device, make_request, last_code
) -> None:
    """G5/E1: the challenge is bound to its device; an unconfirmed device kills it."""
    request = make_request()
    flows.start(request, user, purpose=LOGIN)
    device.confirmed = False
    device.save()
    with count_calls("check") as checks, pytest.raises(ChallengeExpired):
        flows.verify(request, user, purpose=LOGIN, code=last_code())
    assert checks.calls == 0


# --- L1: attempts per challenge -----------------------------------------------------------


def test_n_wrong_codes_kill_the_challenge_even_for_the_right_code_l1(
    user, device, make_request, last_code, settings
) -> None:
    """L1: with N = MAX_ATTEMPTS, N-1 wrong codes give InvalidCode, the Nth
    TooManyAttempts, then the right code is refused with "request a new code"."""
    settings.TYNTEC2FA_MAX_ATTEMPTS = 3
    request = make_request()
    flows.start(request, user, purpose=LOGIN)
    code = last_code()
    for _attempt in range(2):
        with pytest.raises(InvalidCode):
            flows.verify(request, user, purpose=LOGIN, code=wrong_code(code))
    with pytest.raises(TooManyAttempts) as last:
        flows.verify(request, user, purpose=LOGIN, code=wrong_code(code))
    assert "request a new code" in str(last.value.message)
    with count_calls("check") as checks, pytest.raises(ChallengeExpired) as refused:
        flows.verify(request, user, purpose=LOGIN, code=code)
    assert "request a new code" in str(refused.value.message)
    assert checks.calls == 0
    assert LocalOtp.objects.get().attempt_count == 3
    # A new challenge works (and is needed).
    flows.start(request, user, purpose=LOGIN)
    flows.verify(request, user, purpose=LOGIN, code=last_code())


def test_attempts_after_the_challenge_died_count_but_never_reach_the_provider_l4(
    user, device, make_request, last_code, settings
) -> None:
    """The L4 counting rule, sequentially: 5 wrong codes against a 3-attempt challenge
    raise the account counter by 5; the provider is asked 3 times."""
    settings.TYNTEC2FA_MAX_ATTEMPTS = 3
    settings.TYNTEC2FA_BACKOFF_AFTER = 50
    request = make_request()
    flows.start(request, user, purpose=LOGIN)
    code = last_code()
    errors = []
    with count_calls("check") as checks:
        for _attempt in range(5):
            with pytest.raises((InvalidCode, TooManyAttempts, ChallengeExpired)) as caught:
                flows.verify(request, user, purpose=LOGIN, code=wrong_code(code))
            errors.append(type(caught.value))
    assert errors == [InvalidCode, InvalidCode, TooManyAttempts, ChallengeExpired, ChallengeExpired]
    assert checks.calls == 3
    assert failures(user) == 5


# --- R1: provider errors fail closed ---------------------------------------------------


def test_provider_error_keeps_the_attempt_and_propagates_r1(
    user, device, make_request, last_code
) -> None:
    """R1: the provider cannot answer: the error propagates, nothing is verified, the
    challenge keeps the attempt (conservative), the account is not charged."""
    request = make_request()
    challenge = flows.start(request, user, purpose=LOGIN)
    broken = mock.Mock(side_effect=ProviderUnavailable("check: timeout"))
    with mock.patch.object(get_provider(), "check", broken), pytest.raises(ProviderUnavailable):
        flows.verify(request, user, purpose=LOGIN, code=last_code())
    challenge.refresh_from_db()
    assert (challenge.status, challenge.attempts) == (Challenge.Status.PENDING, 1)
    assert failures(user) == 0
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PROVIDER_ERROR).count() == 1


def test_success_marks_the_device_used_and_resets_failures_l3(
    user, device, make_request, last_code
) -> None:
    request = make_request()
    flows.start(request, user, purpose=LOGIN)
    with pytest.raises(InvalidCode):
        flows.verify(request, user, purpose=LOGIN, code=wrong_code(last_code()))
    assert failures(user) == 1
    flows.verify(request, user, purpose=LOGIN, code=last_code())
    device.refresh_from_db()
    assert device.last_used_at is not None
    assert failures(user) == 0


# --- signals -------------------------------------------------------------------------------


def test_verify_signals_carry_the_documented_arguments(
    user, device, make_request, last_code
) -> None:
    request = make_request()
    challenge = flows.start(request, user, purpose=LOGIN)
    with received(signals.second_factor_failed) as failed:
        with pytest.raises(InvalidCode):
            flows.verify(request, user, purpose=LOGIN, code=wrong_code(last_code()))
    with received(signals.second_factor_verified) as verified:
        flows.verify(request, user, purpose=LOGIN, code=last_code())
    with received(signals.second_factor_failed) as replayed:
        with pytest.raises(ChallengeExpired):
            flows.verify(request, user, purpose=LOGIN, code=last_code())
    assert [{**call, "signal": None} for call in failed] == [
        {
            "signal": None,
            "sender": type(user),
            "request": request,
            "user": user,
            "challenge": challenge,
            "reason": "invalid_code",
        }
    ]
    assert len(verified) == 1
    assert (verified[0]["request"], verified[0]["user"]) == (request, user)
    assert verified[0]["challenge"].pk == challenge.pk
    assert verified[0]["challenge"].status == Challenge.Status.VERIFIED
    assert [call["reason"] for call in replayed] == ["challenge_expired"]
