"""A range block started by a few fresh accounts refuses them, not the established
accounts with a number in the range (issue 23.3, P4).

The attack of the issue: five new accounts, each from five IPs, send enrollment codes
to fresh numbers of one prefix and never enter them; the prefix is blocked. An account
that existed before the block's window and sent nothing there still enrolls a number in
the range; the attackers, an account made during the block and an older account that
took part stay refused (``conversion.is_established``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from django_tyntec2fa import flows
from django_tyntec2fa.exceptions import DestinationBlocked
from django_tyntec2fa.models import DestinationBlock, Scope

pytestmark = pytest.mark.django_db
PREFIX = "+49160123"


def new_account(name: str, *, days_old: float = 0) -> Any:
    user = get_user_model().objects.create_user(name, password="pw-for-tests")
    if days_old:
        user.date_joined = timezone.now() - dt.timedelta(days=days_old)
        user.save(update_fields=["date_joined"])
    return user


def attack(make_request: Any, attackers: list[Any]) -> int:
    """Each attacker enrolls fresh numbers of PREFIX from five IPs until the prefix
    is blocked; returns the codes that went out (bounded: 5 x 5 tries)."""
    sent = 0
    for index, attacker in enumerate(attackers):
        for ip in range(5):
            number = f"{PREFIX}{index}{ip:03d}"
            try:
                flows.enroll(
                    make_request(attacker, ip=f"192.0.2.{index * 5 + ip}"), attacker, number=number
                )
            except DestinationBlocked:
                return sent
            sent += 1
    return sent


@pytest.fixture
def blocked(make_request: Any, outbox: Any) -> list[Any]:
    """The attack ran: the prefix is blocked; returns the five attacker accounts."""
    attackers = [new_account(f"pumper{n}") for n in range(5)]
    assert attack(make_request, attackers) == len(outbox) > 0
    assert DestinationBlock.objects.filter(scope=Scope.PREFIX, value=PREFIX).exists()
    return attackers


def test_an_established_account_still_enrolls_in_a_blocked_range_p4(
    blocked, make_request, outbox
) -> None:
    veteran = new_account("veteran", days_old=30)
    flows.enroll(make_request(veteran, ip="198.51.100.1"), veteran, number=f"{PREFIX}9999")
    assert outbox[-1].number == f"{PREFIX}9999"


def test_the_attackers_and_new_accounts_stay_refused_p4(blocked, make_request, outbox) -> None:
    sent = len(outbox)
    newcomer = new_account("newcomer")
    for who, number in ((blocked[0], f"{PREFIX}8888"), (newcomer, f"{PREFIX}7777")):
        with pytest.raises(DestinationBlocked):
            flows.enroll(make_request(who, ip="198.51.100.2"), who, number=number)
    assert len(outbox) == sent


def test_an_older_account_that_took_part_stays_refused_p4(make_request, outbox) -> None:
    sleeper = new_account("sleeper", days_old=30)
    attackers = [sleeper, *(new_account(f"pumper{n}") for n in range(4))]
    attack(make_request, attackers)
    assert DestinationBlock.objects.filter(scope=Scope.PREFIX, value=PREFIX).exists()
    with pytest.raises(DestinationBlocked):
        flows.enroll(make_request(sleeper, ip="198.51.100.3"), sleeper, number=f"{PREFIX}6666")
