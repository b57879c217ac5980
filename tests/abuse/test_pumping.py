"""Conversion blocks are no button that switches codes off for a country (P4, P3).

The black-box finding: about 50 codes to German numbers, 6 of them verified, blocked
every +49 number for an hour, the demo user's long-confirmed phone included. Now a
trusted phone (confirmed, verified a code before) is never blocked and its codes do not
count; an account, session or IP counts with its first ``ACTOR_SHARE`` codes only; a
prefix is blocked before its country, and a country only past a floor that rises with
its normal traffic. The operator sees the prefixes, accounts and IPs behind a block.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from django_tyntec2fa import flows
from django_tyntec2fa.abuse import conversion
from django_tyntec2fa.exceptions import DestinationBlocked, RateLimited, SendRefused
from django_tyntec2fa.models import Challenge, DestinationBlock, Scope

from ..flows.conftest import add_device

pytestmark = pytest.mark.django_db
LOGIN = Challenge.Purpose.LOGIN
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
#: The attacked prefixes: +49 151 2345 xxxx and +49 151 2346 xxxx.
ATTACKED = ("+491512345", "+491512346")


def trusted_user(make_user: Any, name: str, number: str) -> Any:
    """A user whose confirmed phone has verified a code before."""
    user = make_user(name)
    add_device(user, number, last_used_at=timezone.now() - dt.timedelta(days=30))
    return user


def enroll_or_refusal(request: Any, user: Any, number: str) -> Exception | None:
    try:
        flows.enroll(request, user, number=number)
    except (RateLimited, SendRefused) as error:
        return error
    return None


def test_pumping_500_fresh_numbers_cuts_off_the_attacker_not_the_country_p4(
    make_user, make_request, outbox
) -> None:
    """P4/P3: an attacker with ten accounts, each on its own session, from five IPs,
    tries 500 enrollments of fresh numbers in two German prefixes. Only a handful of
    codes go out; afterwards the attacker's account, session, IP and prefixes are cut
    off, while users with trusted phones (in the attacked prefix too) and a new user
    with a fresh number elsewhere in Germany still get their codes. No country block."""
    accounts = [make_user(f"attacker{n}") for n in range(10)]
    with time_machine.travel(T0, tick=False):
        sessions = [
            make_request(user, ip=f"203.0.113.{n // 2 + 1}") for n, user in enumerate(accounts)
        ]
        refusals = []
        for attempt in range(500):
            n = attempt % 10
            number = f"{ATTACKED[attempt % 2]}{attempt:04d}"
            refusals.append(enroll_or_refusal(sessions[n], accounts[n], number))
        sent = len(outbox)
        assert sent == refusals.count(None) <= 30
        assert not DestinationBlock.objects.filter(scope=Scope.COUNTRY).exists()

        attacker, session = accounts[0], sessions[0]
        # The account, from a fresh session and IP, to a fresh number elsewhere:
        error = enroll_or_refusal(
            make_request(attacker, ip="192.0.2.1"), attacker, "+4917611112222"
        )
        assert isinstance(error, RateLimited) and "send.user" in error.detail
        # The session, with another account:
        stranger = make_user("stranger")
        session.user = stranger
        error = enroll_or_refusal(session, stranger, "+4917611113333")
        assert isinstance(error, RateLimited) and "send.session" in error.detail
        # The IP, with a fresh account and session:
        fresh = make_user("fresh-on-attacker-ip")
        error = enroll_or_refusal(make_request(fresh, ip="203.0.113.1"), fresh, "+4917611114444")
        assert isinstance(error, RateLimited) and "send.ip" in error.detail
        # The prefixes, from anyone new:
        for n, prefix in enumerate(ATTACKED):
            newcomer = make_user(f"newcomer{n}")
            request = make_request(newcomer, ip=f"192.0.2.{10 + n}")
            assert enroll_or_refusal(request, newcomer, f"{prefix}9999") is not None

        # Trusted phones get their codes, inside the attacked prefix too; so does a new
        # user with a fresh German number under another prefix.
        before = len(outbox)
        for n, number in enumerate(["+4915123459876", "+4915198765432", "+4917655556666"]):
            user = trusted_user(make_user, f"regular{n}", number)
            flows.start(make_request(user, ip=f"198.51.100.{n + 1}"), user, purpose=LOGIN)
        newcomer = make_user("newcomer-elsewhere")
        assert (
            enroll_or_refusal(make_request(newcomer, ip="192.0.2.50"), newcomer, "+4916012345678")
            is None
        )
    assert len(outbox) == before + 4


def test_the_finding_fifty_codes_no_longer_block_a_country_p4(
    make_user, make_request, outbox
) -> None:
    """P4, the black-box finding: 60 codes to German numbers from 60 fresh accounts,
    sessions and IPs, 6 verified, each number under its own prefix. Before: +49 blocked
    for an hour. Now the country floor (500 by default) is far away; a fresh account on
    a fresh IP and the demo user's confirmed phone both get codes."""
    with time_machine.travel(T0, tick=False):
        for n in range(60):
            user = make_user(f"visitor{n}")
            request = make_request(user, ip=f"203.0.113.{n + 1}")
            flows.enroll(request, user, number=f"+49151{n:02d}000000")
            if n % 10 == 0:
                flows.confirm(request, user, code=outbox[-1].code)
        demo = trusted_user(make_user, "demo", "+4915111111111")
        flows.start(make_request(demo, ip="198.51.100.1"), demo, purpose=LOGIN)
        fresh = make_user("fresh")
        flows.enroll(make_request(fresh, ip="192.0.2.7"), fresh, number="+4916098765432")
    assert not DestinationBlock.objects.exists()
    assert len(outbox) == 62


def test_a_trusted_phone_gets_its_code_through_a_country_block_p4(
    make_user, make_request, outbox, settings
) -> None:
    """P4: while Germany is blocked, a phone that has verified a code before still gets
    one; a confirmed phone that never verified a code does not."""
    settings.TYNTEC2FA_CONVERSION_COUNTRY_MIN_SENDS = 50
    with time_machine.travel(T0, tick=False):
        for n in range(50):
            conversion.record_send(f"+49151{n:02d}000000", actors=[f"bot:{n}"])
        assert DestinationBlock.objects.get().scope == Scope.COUNTRY
        trusted = trusted_user(make_user, "trusted", "+4915111111111")
        flows.start(make_request(trusted), trusted, purpose=LOGIN)
        untried = make_user("untried")
        add_device(untried, "+4915122222222")
        with pytest.raises(DestinationBlocked):
            flows.start(make_request(untried), untried, purpose=LOGIN)
    assert [delivery.number for delivery in outbox] == ["+4915111111111"]


def test_codes_to_trusted_phones_do_not_count_p4(make_user, make_request, outbox) -> None:
    """P4: a trusted phone's codes count toward its country's normal traffic only."""
    user = trusted_user(make_user, "trusted", "+4915111111111")
    with time_machine.travel(T0, tick=False):
        flows.start(make_request(user), user, purpose=LOGIN)
        assert conversion.counts("+4915111111111")[(Scope.COUNTRY, "DE")] == (0, 0)


def test_one_actor_counts_with_its_first_codes_only_p4(settings) -> None:
    """P4: 60 codes from one account (or session, or IP) to numbers of 60 prefixes
    count as ACTOR_SHARE: that actor is the velocity limits' business, not a reason to
    block the country. (60, not more: the tests' LocMem cache keeps 300 keys.)"""
    settings.TYNTEC2FA_CONVERSION_COUNTRY_MIN_SENDS = 50
    with time_machine.travel(T0, tick=False):
        for n in range(60):
            conversion.record_send(f"+49151{n:04d}0000", actors=["user:1", f"ip:198.51.100.{n}"])
        for n in range(60):
            conversion.record_send(f"+49152{n:04d}0000", actors=[f"session:{n}", "ip:192.0.2.1"])
        counts = conversion.counts("+4915100000000")
    assert counts[(Scope.COUNTRY, "DE")] == (2 * conversion.ACTOR_SHARE, 0)
    assert not DestinationBlock.objects.exists()


def test_a_prefix_is_blocked_before_its_country_p4(settings) -> None:
    """P4, narrowest first: the send that reaches both floors blocks the prefix only."""
    settings.TYNTEC2FA_CONVERSION_MIN_SENDS = 10
    settings.TYNTEC2FA_CONVERSION_COUNTRY_MIN_SENDS = 10
    with time_machine.travel(T0, tick=False):
        for n in range(10):
            conversion.record_send(f"+491512345{n:04d}", actors=[f"bot:{n}"])
    block = DestinationBlock.objects.get()
    assert (block.scope, block.value) == (Scope.PREFIX, "+491512345")


def test_the_country_floor_rises_with_its_normal_traffic_p4(settings) -> None:
    """P4: with 100 codes an hour to Germany over the day before, a country block needs
    100 counted codes within the hour, not the configured 50."""
    settings.TYNTEC2FA_CONVERSION_COUNTRY_MIN_SENDS = 50
    for hour in range(1, 25):
        with time_machine.travel(T0 - dt.timedelta(hours=hour), tick=False):
            for _n in range(100):
                conversion.record_send("+4915111111111", trusted=True)
    with time_machine.travel(T0, tick=False):
        assert conversion.country_floor("DE") == 100
        assert conversion.country_floor("FR") == 50
        for n in range(99):
            conversion.record_send(f"+49151{n:04d}0000", actors=[f"bot:{n}"])
        assert not DestinationBlock.objects.exists()
        conversion.record_send("+4917600000000", actors=["bot:last"])
    assert DestinationBlock.objects.get().scope == Scope.COUNTRY


def test_the_operator_sees_why_a_block_exists_and_lifts_it_p4(
    make_user, make_request, outbox, staff: Client
) -> None:
    """P4: ten sign-ups from five IPs pump one prefix; the block's admin page and
    ``tyntec2fa_status --blocks`` name the prefix, the accounts and the IPs behind it
    (never a number), and lifting it in the admin lets codes through again."""
    with time_machine.travel(T0, tick=False):
        for n in range(10):
            user = make_user(f"pump{n}")
            flows.enroll(
                make_request(user, ip=f"203.0.113.{n // 2 + 1}"), user, number=f"+491512345{n:04d}"
            )
        block = DestinationBlock.objects.get()
        assert (block.scope, block.value) == (Scope.PREFIX, "+491512345")
        page = staff.get(reverse("admin:tyntec2fa_destinationblock_change", args=[block.pk]))
        text = page.content.decode()
        assert "top prefixes: +491512345 (10)" in text
        assert "top accounts: pump" in text and "(id " in text
        ips = ", ".join(f"203.0.113.{n} (2)" for n in range(1, 6))
        assert f"top ips: {ips}" in text
        assert "+4915123450001" not in text
        out = StringIO()
        call_command("tyntec2fa_status", "--blocks", stdout=out)
        assert "prefix +491512345, level 1" in out.getvalue()
        assert "top prefixes: +491512345 (10)" in out.getvalue()
        assert "top ips: 203.0.113.1 (2)" in out.getvalue()

        later = make_user("later")
        with pytest.raises(DestinationBlocked):
            flows.enroll(make_request(later, ip="192.0.2.1"), later, number="+4915123459999")
        response = staff.post(
            reverse("admin:tyntec2fa_destinationblock_changelist"),
            {"action": "lift_blocks", "_selected_action": [block.pk]},
        )
        assert response.status_code == 302
        flows.enroll(make_request(later, ip="192.0.2.1"), later, number="+4915123459999")
    assert outbox[-1].number == "+4915123459999"
