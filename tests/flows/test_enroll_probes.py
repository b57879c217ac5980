"""Enrollment is no oracle and no SMS cannon (issue 23.1, 23.2, 23.8).

23.1 (U1): enrolling a number another account has confirmed answers like any other
number (a stored phone and a pending challenge, the same limits counted) but sends
nothing, and no code confirms it. 23.2 (P3): an enrollment send to a number waits for
the number's cooldown, whoever sent the last one. 23.8 (E1): a confirmed number has
one account.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from django_tyntec2fa import flows
from django_tyntec2fa.exceptions import (
    DeviceError,
    InvalidCode,
    RateLimited,
    ResendNotAllowed,
    TooManyAttempts,
)
from django_tyntec2fa.models import AuditEvent, Challenge, PhoneDevice

from .conftest import NUMBER, OTHER_NUMBER, add_device
from .helpers import count_calls

pytestmark = pytest.mark.django_db
ENROLL = Challenge.Purpose.ENROLL
FREE = "+4915799999999"


@pytest.fixture
def owner(other_user: Any) -> Any:
    """Bob, who confirmed OTHER_NUMBER."""
    add_device(other_user, OTHER_NUMBER)
    return other_user


def test_someone_elses_number_gets_the_answer_of_a_free_one_without_a_text_u1(
    user, owner, make_request, outbox
) -> None:
    stranger = get_user_model().objects.create_user("carol")
    with count_calls("send") as sends:
        probe = flows.enroll(make_request(user), user, number=OTHER_NUMBER)
        free = flows.enroll(make_request(stranger), stranger, number=FREE)
    assert sends.calls == 1  # only the free number's code went out
    assert [delivery.number for delivery in outbox] == [FREE]
    shape = ("status", "purpose", "channel", "attempts", "max_attempts", "resend_count")
    assert [getattr(probe, f) for f in shape] == [getattr(free, f) for f in shape]
    assert probe.expires_at - probe.created_at == free.expires_at - free.created_at
    assert PhoneDevice.objects.get(user=user).number == OTHER_NUMBER  # stored, like any
    assert probe.is_phantom and not free.is_phantom
    # Operators see what happened; the owner's phone was not touched.
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.DESTINATION_REFUSED, user=user, detail__contains="another account"
    ).exists()
    assert PhoneDevice.objects.get(user=owner).confirmed


def test_no_code_confirms_a_phantom_challenge_e1(user, owner, make_request, settings) -> None:
    settings.TYNTEC2FA_MAX_ATTEMPTS = 3
    flows.enroll(make_request(user), user, number=OTHER_NUMBER)
    with count_calls("check") as checks:
        for code in ("123456", "000000"):
            with pytest.raises(InvalidCode):
                flows.confirm(make_request(user), user, code=code)
        with pytest.raises(TooManyAttempts):
            flows.confirm(make_request(user), user, code="654321")
    assert checks.calls == 0  # the provider has no such code to ask about
    assert not PhoneDevice.objects.get(user=user).confirmed
    assert Challenge.objects.get(user=user).attempts == 3


def test_phantom_resends_send_nothing(user, owner, make_request, settings, outbox) -> None:
    settings.TYNTEC2FA_RESEND_COOLDOWN = 0
    flows.enroll(make_request(user), user, number=OTHER_NUMBER)
    with count_calls("resend") as resends:
        challenge = flows.resend(make_request(user), user, purpose=ENROLL)
    assert (resends.calls, challenge.resend_count, outbox) == (0, 1, [])


def test_probes_count_against_the_send_limits_like_free_numbers_u1_p3(
    user, owner, limits_on, make_request
) -> None:
    """Two probes use up a limit of two enrollment sends; the third, to a free number
    or a registered one, is refused the same way."""
    limits_on.TYNTEC2FA_SEND_RATE_USER = "2/10m"
    add_device(owner, "+4917600000001", is_primary=False)
    add_device(owner, "+4917600000002", is_primary=False)
    flows.enroll(make_request(user), user, number=OTHER_NUMBER)
    flows.enroll(make_request(user), user, number="+4917600000001")
    for number in (FREE, "+4917600000002"):
        with pytest.raises(RateLimited) as refused:
            flows.enroll(make_request(user), user, number=number)
        assert "tyntec2fa.send.user" in refused.value.detail


def test_re_posting_a_number_waits_for_its_cooldown_whoever_asks_p3(
    user, other_user, make_request, settings, outbox
) -> None:
    """The cooldown lives in the rate-limit cache (Redis in the PostgreSQL run, whose
    clock time_machine does not move): one second, really waited."""
    settings.TYNTEC2FA_RESEND_COOLDOWN = 1
    flows.enroll(make_request(user), user, number=NUMBER)
    for who, spelling in ((user, NUMBER), (user, "0049 151 23456789"), (other_user, NUMBER)):
        with pytest.raises(ResendNotAllowed) as refused:
            flows.enroll(make_request(who), who, number=spelling)
        assert refused.value.retry_after == 1
    assert len(outbox) == 1
    time.sleep(1.1)
    flows.enroll(make_request(other_user), other_user, number=NUMBER)
    assert len(outbox) == 2


def test_a_registered_number_has_the_same_cooldown_u1(user, owner, make_request) -> None:
    flows.enroll(make_request(user), user, number=OTHER_NUMBER)
    with pytest.raises(ResendNotAllowed):
        flows.enroll(make_request(user), user, number=OTHER_NUMBER)


def test_a_refused_send_leaves_no_cooldown(user, limits_on, make_request, outbox) -> None:
    limits_on.TYNTEC2FA_SEND_RATE_USER = "1/10m"
    flows.enroll(make_request(user), user, number=FREE)
    with pytest.raises(RateLimited):
        flows.enroll(make_request(user), user, number=NUMBER)
    other = get_user_model().objects.create_user("dave")
    flows.enroll(make_request(other), other, number=NUMBER)  # no cooldown was spent
    assert [delivery.number for delivery in outbox] == [FREE, NUMBER]


def test_the_second_account_cannot_confirm_a_number_the_first_confirmed_e1(
    user, other_user, make_request, settings, last_code
) -> None:
    """Issue 23.8: both enrolled the number before either confirmed it."""
    settings.TYNTEC2FA_RESEND_COOLDOWN = 0
    flows.enroll(make_request(user), user, number=NUMBER)
    first = last_code(NUMBER)
    flows.enroll(make_request(other_user), other_user, number=NUMBER)
    second = last_code(NUMBER)
    flows.confirm(make_request(other_user), other_user, code=second)
    with pytest.raises(DeviceError) as refused:
        flows.confirm(make_request(user), user, code=first)
    assert refused.value.detail == "number confirmed by another account"
    assert list(PhoneDevice.objects.filter(number=NUMBER, confirmed=True)) == [
        PhoneDevice.objects.get(user=other_user)
    ]
