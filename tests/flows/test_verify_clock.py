"""verify(): the server clock decides expiry (G6), and every dead challenge gets one
answer (L7)."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.utils import timezone

from django_tyntec2fa import flows
from django_tyntec2fa.exceptions import ChallengeExpired
from django_tyntec2fa.models import Challenge
from django_tyntec2fa.providers import CheckOutcome, CheckResult, get_provider

from ..steps import wrong_code

pytestmark = pytest.mark.django_db
LOGIN = Challenge.Purpose.LOGIN
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


# --- G6: the server clock decides ---------------------------------------------------------


def verified_answer(challenge: Challenge) -> CheckResult:
    """What a provider says that still considers the code right."""
    return CheckResult(CheckOutcome.VERIFIED, get_provider().status(challenge.provider_otp_id))


@pytest.mark.parametrize(("offset", "accepted"), [(-1, True), (0, False), (60, False)])
def test_the_server_clock_decides_expiry_g6(
    user, device, make_request, settings, offset: int, accepted: bool
) -> None:
    """G6: accepted at TTL-1 s; refused at TTL and later even though the provider
    (mocked) would still answer VERIFIED, and then the provider is not even asked."""
    ttl = settings.TYNTEC2FA_OTP_TTL = 120
    request = make_request()
    with time_machine.travel(T0, tick=False):
        challenge = flows.start(request, user, purpose=LOGIN)
        answer = verified_answer(challenge)
    check = mock.Mock(return_value=answer)
    with (
        time_machine.travel(T0 + dt.timedelta(seconds=ttl + offset), tick=False),
        mock.patch.object(get_provider(), "check", check),
    ):
        if accepted:
            assert flows.verify(request, user, purpose=LOGIN, code="000000").pk == challenge.pk
        else:
            with pytest.raises(ChallengeExpired):
                flows.verify(request, user, purpose=LOGIN, code="000000")
    assert check.call_count == (1 if accepted else 0)
    challenge.refresh_from_db()
    expected = Challenge.Status.VERIFIED if accepted else Challenge.Status.EXPIRED
    assert challenge.status == expected


def test_real_code_at_ttl_minus_one_second_g6(user, device, make_request, last_code) -> None:
    """G6 with the local provider itself: the real code works until TTL-1 s."""
    request = make_request()
    with time_machine.travel(T0, tick=False):
        challenge = flows.start(request, user, purpose=LOGIN)
    assert challenge.expires_at == T0 + dt.timedelta(seconds=300)
    with time_machine.travel(challenge.expires_at - dt.timedelta(seconds=1), tick=False):
        flows.verify(request, user, purpose=LOGIN, code=last_code())


# --- L7: one answer for every dead challenge ----------------------------------------------


def dead_answer(request, user, code) -> tuple[type, str, str]:
    with pytest.raises(ChallengeExpired) as caught:
        flows.verify(request, user, purpose=LOGIN, code=code)
    return type(caught.value), caught.value.code, str(caught.value.message)


def test_expired_used_cancelled_and_missing_give_one_answer_l7(
    user, device, make_request, last_code
) -> None:
    """L7: expired, used, cancelled or no challenge: the same class, code and message,
    whether the submitted code was right or wrong. Wrong codes on a live challenge are
    InvalidCode; the views render both with the same status and template."""
    request = make_request()
    answers = {"missing": dead_answer(request, user, "123456")}
    flows.start(request, user, purpose=LOGIN)
    code = last_code()
    flows.verify(request, user, purpose=LOGIN, code=code)
    answers["used"] = dead_answer(request, user, code)
    flows.start(request, user, purpose=LOGIN)
    flows.cancel(request, user, purpose=LOGIN)
    answers["cancelled"] = dead_answer(request, user, last_code())
    flows.start(request, user, purpose=LOGIN)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=301)):
        answers["expired right"] = dead_answer(request, user, last_code())
        answers["expired wrong"] = dead_answer(request, user, wrong_code(last_code()))
    assert len(set(answers.values())) == 1, answers
    (cls, code_, message) = answers["used"]
    assert code_ == "challenge_expired"
    assert "expired" not in message and "used" not in message
