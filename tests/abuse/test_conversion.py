"""Conversion monitoring (P4): many codes and few verifications to a country or prefix
block new sends there for a while, longer each time; the safe list overrides it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from django_tyntec2fa import flows
from django_tyntec2fa.abuse import conversion
from django_tyntec2fa.abuse.counters import counter_cache
from django_tyntec2fa.exceptions import DestinationBlocked
from django_tyntec2fa.models import (
    AuditEvent,
    Challenge,
    DestinationBlock,
    SafeListEntry,
    Scope,
)

from ..flows.conftest import add_device

pytestmark = pytest.mark.django_db
LOGIN = Challenge.Purpose.LOGIN
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
#: Country "Z" of the requirement: Latvia, a country the app's users do not live in.
#: Each number in a prefix of its own, so these tests see the country's block.
Z_NUMBERS = [f"+3712{n:03d}{n:04d}" for n in range(100)]
Z_USER_NUMBER = "+37129876543"


@pytest.fixture(autouse=True)
def _small_country(settings) -> None:
    """A country floor of 50 codes (500 by default), so a hundred sends can block Z."""
    settings.TYNTEC2FA_CONVERSION_COUNTRY_MIN_SENDS = 50


def pump(numbers: list[str]) -> None:
    for number in numbers:
        conversion.record_send(number)


@pytest.fixture
def z_user(user):
    """A user whose confirmed phone is in country Z."""
    add_device(user, Z_USER_NUMBER)
    return user


def test_a_hundred_unverified_sends_block_the_country_until_the_block_ends_p4(
    z_user, make_request, outbox, refusals
) -> None:
    """P4: 100 sends with 0 verifications to country Z -> the next send to Z is
    blocked (audited, signalled, nothing sent) and goes through once the block ended."""
    with time_machine.travel(T0, tick=False):
        pump(Z_NUMBERS)
        with pytest.raises(DestinationBlocked) as refused:
            flows.start(make_request(), z_user, purpose=LOGIN)
    assert refused.value.code == "destination_blocked"
    assert refused.value.retry_after == 3600
    assert outbox == []
    block = DestinationBlock.objects.get(scope=Scope.COUNTRY)
    assert (block.value, block.level, block.until) == ("LV", 1, T0 + dt.timedelta(hours=1))
    assert block.sends == 50  # the block started when the threshold was reached
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CONVERSION_BLOCK).exists()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.DESTINATION_BLOCKED).count() == 1
    assert [signal["reason"] for signal in refusals] == ["destination_blocked"]
    with time_machine.travel(T0 + dt.timedelta(seconds=3599), tick=False):
        with pytest.raises(DestinationBlocked):
            flows.start(make_request(), z_user, purpose=LOGIN)
    with time_machine.travel(T0 + dt.timedelta(seconds=3601), tick=False):
        flows.start(make_request(), z_user, purpose=LOGIN)
    assert len(outbox) == 1


def test_a_repeated_block_lasts_twice_as_long_p4(z_user, make_request) -> None:
    """P4 escalation: the next block of the same country within a day doubles, and the
    one after that doubles again."""
    with time_machine.travel(T0, tick=False):
        pump(Z_NUMBERS[:50])
    for level, start in [(2, T0 + dt.timedelta(hours=2)), (3, T0 + dt.timedelta(hours=5))]:
        with time_machine.travel(start, tick=False):
            pump(Z_NUMBERS[:50])
            with pytest.raises(DestinationBlocked) as refused:
                flows.start(make_request(), z_user, purpose=LOGIN)
        block = DestinationBlock.objects.filter(scope=Scope.COUNTRY).order_by("-until").first()
        assert block.level == level
        assert block.until - start == dt.timedelta(seconds=3600 * 2 ** (level - 1))
        assert refused.value.retry_after == 3600 * 2 ** (level - 1)


def test_escalation_is_forgotten_after_a_quiet_day_p4() -> None:
    with time_machine.travel(T0, tick=False):
        pump(Z_NUMBERS[:50])
    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):
        pump(Z_NUMBERS[:50])
    levels = list(
        DestinationBlock.objects.filter(scope=Scope.COUNTRY).values_list("level", flat=True)
    )
    assert sorted(levels) == [1, 1]


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (SafeListEntry.Kind.NUMBER, "+371 2987 6543"),
        (SafeListEntry.Kind.PREFIX, "+37129"),
        (SafeListEntry.Kind.COUNTRY, "lv"),
    ],
)
def test_the_safe_list_overrides_a_block_p4(
    z_user, make_request, outbox, kind: str, value: str
) -> None:
    """P4: a number on the safe list (itself, a prefix of it, or its country) still gets
    its code while its country is blocked; the entry is normalised when saved."""
    entry = SafeListEntry(kind=kind, value=value, note="support ticket 42")
    entry.full_clean()
    entry.save()
    with time_machine.travel(T0, tick=False):
        pump(Z_NUMBERS)
        flows.start(make_request(), z_user, purpose=LOGIN)
    assert len(outbox) == 1
    assert DestinationBlock.objects.filter(value="LV").exists()


def test_another_number_is_not_saved_by_a_safe_listed_one_p4(user, make_request) -> None:
    SafeListEntry.objects.create(kind=SafeListEntry.Kind.NUMBER, value="+37120000001")
    add_device(user, Z_USER_NUMBER)
    with time_machine.travel(T0, tick=False):
        pump(Z_NUMBERS)
        with pytest.raises(DestinationBlocked):
            flows.start(make_request(), user, purpose=LOGIN)


def test_codes_that_are_used_keep_a_country_open_p4(z_user, make_request, outbox) -> None:
    """A destination whose codes are entered (conversion >= 20 %) is never blocked."""
    with time_machine.travel(T0, tick=False):
        for n, number in enumerate(Z_NUMBERS):
            conversion.record_send(number)
            if n % 4 == 0:
                conversion.record_verification(number)
        flows.start(make_request(), z_user, purpose=LOGIN)
    assert not DestinationBlock.objects.exists()
    assert len(outbox) == 1


def test_a_prefix_block_leaves_the_rest_of_the_country_open_p4(
    make_user, make_request, outbox, settings
) -> None:
    """P4 per prefix: pumping one German number block blocks that prefix only, while
    the country as a whole converts well."""
    settings.TYNTEC2FA_CONVERSION_MIN_SENDS = 10
    with time_machine.travel(T0, tick=False):
        for n in range(40):
            conversion.record_send(f"+49176123450{n:02d}")
            conversion.record_verification(f"+49176123450{n:02d}")
        pump([f"+49151234500{n:02d}" for n in range(10)])
        for name, number in [("in", "+4915123450077"), ("out", "+4915198765432")]:
            user = make_user(name)
            add_device(user, number)
            try:
                flows.start(make_request(), user, purpose=LOGIN)
            except DestinationBlocked as error:
                assert name == "in", error
    assert [delivery.number for delivery in outbox] == ["+4915198765432"]
    block = DestinationBlock.objects.get()
    assert (block.scope, block.value) == (Scope.PREFIX, "+491512345")


def test_the_flows_feed_the_counters_through_the_signals_p4(
    user, make_request, outbox, settings
) -> None:
    """R4/P4: every code sent and every code verified is counted per country and prefix;
    once the phone has verified a code it is trusted, and its codes no longer count."""
    add_device(user, "+4915123456789")
    with time_machine.travel(T0, tick=False):
        flows.start(make_request(), user, purpose=LOGIN)
        flows.verify(make_request(), user, purpose=LOGIN, code=outbox[-1].code)
        flows.start(make_request(), user, purpose=LOGIN)
        counts = conversion.counts("+4915123456789")
    assert counts == {(Scope.COUNTRY, "DE"): (1, 1), (Scope.PREFIX, "+491512345"): (1, 1)}


def test_real_sends_without_verification_trip_the_block_p4(
    make_user, make_request, outbox, settings
) -> None:
    settings.TYNTEC2FA_CONVERSION_COUNTRY_MIN_SENDS = 3
    settings.TYNTEC2FA_RATELIMIT_ENABLE = False
    with time_machine.travel(T0, tick=False):
        for n in range(4):
            user = make_user(f"z{n}")
            add_device(user, Z_NUMBERS[n])
            if n < 3:
                flows.start(make_request(), user, purpose=LOGIN)
            else:
                with pytest.raises(DestinationBlocked):
                    flows.start(make_request(), user, purpose=LOGIN)
    assert len(outbox) == 3


def test_monitoring_can_be_switched_off(settings) -> None:
    settings.TYNTEC2FA_CONVERSION_MIN_SENDS = 0
    with time_machine.travel(T0, tick=False):
        pump(Z_NUMBERS)
        counts = conversion.counts(Z_NUMBERS[0])
    assert not DestinationBlock.objects.exists()
    assert counts[(Scope.COUNTRY, "LV")] == (100, 0)  # still counted, never judged


def test_prune_drops_blocks_too_old_to_escalate(settings) -> None:
    with time_machine.travel(T0, tick=False):
        pump(Z_NUMBERS[:50])
    blocks = DestinationBlock.objects.count()
    assert blocks > 0
    with time_machine.travel(T0 + dt.timedelta(hours=23), tick=False):
        assert conversion.prune() == 0  # ended, but still counts for escalation
    with time_machine.travel(T0 + dt.timedelta(days=3), tick=False):
        assert conversion.prune() == blocks
    assert not DestinationBlock.objects.exists()


def test_counts_cover_the_window_and_then_expire_p4(settings) -> None:
    """Codes count for TYNTEC2FA_CONVERSION_WINDOW seconds (in buckets of a twelfth of
    it), then drop out of the sums and out of the cache. A LocMem cache here, whose
    clock time_machine moves (Redis keeps its own)."""
    settings.CACHES = {
        **settings.CACHES,
        "conversion-expiry": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "conversion-expiry",
        },
    }
    settings.RATELIMIT_USE_CACHE = "conversion-expiry"
    settings.TYNTEC2FA_CONVERSION_WINDOW = 3600
    number = Z_NUMBERS[0]
    with time_machine.travel(T0, tick=False):
        pump([number] * 3)
    with time_machine.travel(T0 + dt.timedelta(minutes=30), tick=False):
        conversion.record_verification(number)
        assert conversion.counts(number)[(Scope.COUNTRY, "LV")] == (3, 1)
    with time_machine.travel(T0 + dt.timedelta(minutes=61), tick=False):
        assert conversion.counts(number)[(Scope.COUNTRY, "LV")] == (0, 1)
    with time_machine.travel(T0 + dt.timedelta(minutes=95), tick=False):
        assert conversion.counts(number)[(Scope.COUNTRY, "LV")] == (0, 0)
        key = conversion._key("sent", Scope.COUNTRY, "LV", conversion._bucket(T0))
        assert counter_cache().get(key) is None  # expired, nothing to prune
