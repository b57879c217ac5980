"""Rate limits: the client IP (P6), number variants in one bucket (U2), per-IP verify
limits across accounts (L9), send limits per user and number (P3)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model

from django_tyntec2fa import flows
from django_tyntec2fa.abuse import ratelimits
from django_tyntec2fa.exceptions import InvalidCode, RateLimited
from django_tyntec2fa.models import AuditEvent, Challenge

from ..steps import wrong_code
from .conftest import NUMBER, add_device
from .helpers import count_calls

LOGIN = Challenge.Purpose.LOGIN


# --- P6: the client IP ----------------------------------------------------------------------


def test_x_forwarded_for_is_ignored_by_default_p6(make_request, settings) -> None:
    request = make_request(ip="192.0.2.10", xff="203.0.113.5, 198.51.100.1")
    assert ratelimits.client_ip(request) == "192.0.2.10"


@pytest.mark.parametrize(
    ("proxies", "xff", "expected"),
    [
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # the left entry is the client's lie
        (2, "6.6.6.6, 203.0.113.5, 198.51.100.1", "203.0.113.5"),
        (1, "2001:db8::1", "2001:db8::1"),
        (2, "203.0.113.5", "192.0.2.10"),  # fewer entries than proxies: REMOTE_ADDR
        (1, "not-an-ip", "192.0.2.10"),
        (1, "", "192.0.2.10"),
        (1, None, "192.0.2.10"),
    ],
)
def test_trusted_proxy_count_picks_the_entry_the_proxy_appended_p6(
    make_request, settings, proxies: int, xff: str | None, expected: str
) -> None:
    settings.TYNTEC2FA_TRUSTED_PROXY_COUNT = proxies
    assert ratelimits.client_ip(make_request(ip="192.0.2.10", xff=xff)) == expected


def test_client_ip_without_a_request() -> None:
    assert ratelimits.client_ip(None) == ""


def test_spoofed_forwarded_for_values_share_one_ip_bucket_p6(limits_on, make_request) -> None:
    """P6: with default settings, requests with ever new X-Forwarded-For values fall
    into one IP bucket and trip the per-IP send limit."""
    limits_on.TYNTEC2FA_SEND_RATE_IP = "3/h"
    for n in range(3):
        request = make_request(xff=f"10.0.0.{n}")
        ratelimits.check_send(request, SimpleNamespace(pk=n), f"+4915123456{n:03d}")
    with pytest.raises(RateLimited) as refused:
        ratelimits.check_send(make_request(xff="10.9.9.9"), SimpleNamespace(pk=99), NUMBER)
    assert refused.value.retry_after >= 1
    assert "tyntec2fa.send.ip" in refused.value.detail


# --- U2: one number, one bucket ------------------------------------------------------------


def test_number_variants_share_one_bucket_u2(limits_on, make_request) -> None:
    """U2: "+49 151 ...", "0049151..." and "+49151..." are one number for the limits."""
    limits_on.TYNTEC2FA_SEND_RATE_NUMBER = "2/h"
    variants = ["+49 151 2345 6789", "0049151 23456789", "+4915123456789"]
    ratelimits.check_send(make_request(ip="192.0.2.1"), SimpleNamespace(pk=1), variants[0])
    ratelimits.check_send(make_request(ip="192.0.2.2"), SimpleNamespace(pk=2), variants[1])
    with pytest.raises(RateLimited) as refused:
        ratelimits.check_send(make_request(ip="192.0.2.3"), SimpleNamespace(pk=3), variants[2])
    assert "tyntec2fa.send.number" in refused.value.detail


@pytest.mark.django_db
def test_enrolling_number_variants_shares_one_bucket_u2(limits_on, make_request, outbox) -> None:
    """U2 end to end: three accounts enroll the same number in three spellings from
    three IPs; the third is refused before anything is sent."""
    limits_on.TYNTEC2FA_SEND_RATE_NUMBER = "2/10m"
    limits_on.TYNTEC2FA_RESEND_COOLDOWN = 0  # the number's cooldown is not the point here
    variants = ["+49 151 2345 6789", "0049151 23456789", "+4915123456789"]
    users = [get_user_model().objects.create_user(f"u{n}") for n in range(3)]
    for n in range(2):
        flows.enroll(make_request(ip=f"192.0.2.{n}"), users[n], number=variants[n])
    with pytest.raises(RateLimited):
        flows.enroll(make_request(ip="192.0.2.9"), users[2], number=variants[2])
    assert len(outbox) == 2
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.RATE_LIMITED).count() == 1


# --- P3: sends per user -------------------------------------------------------------------------


@pytest.mark.django_db
def test_sends_per_user_p3(limits_on, user, device, make_request, outbox) -> None:
    limits_on.TYNTEC2FA_SEND_RATE_USER = "2/10m"
    for n in range(2):
        flows.start(make_request(ip=f"192.0.2.{n}"), user, purpose=LOGIN)
    with pytest.raises(RateLimited):
        flows.start(make_request(ip="192.0.2.9"), user, purpose=LOGIN)
    assert len(outbox) == 2


@pytest.mark.django_db
def test_the_sixth_send_to_one_number_within_ten_minutes_is_refused_p3(
    limits_on, make_request
) -> None:
    """P3 (a), with the default number rate: six sends to one number, each from its
    own IP and session (one account: a confirmed number has one owner, issue 23.8;
    its own limit raised); the sixth within ten minutes is refused by the number's
    limit before the provider is called, which saw five."""
    limits_on.TYNTEC2FA_SEND_RATE_USER = "100/h"
    user = get_user_model().objects.create_user("sharer")
    add_device(user, NUMBER)
    with count_calls("send") as sends:
        for n in range(5):
            flows.start(make_request(ip=f"192.0.2.{n}"), user, purpose=LOGIN)
        with pytest.raises(RateLimited) as refused:
            flows.start(make_request(ip="192.0.2.9"), user, purpose=LOGIN)
    assert refused.value.detail == "rate limit tyntec2fa.send.number"
    assert sends.calls == 5


# --- L9: verify attempts per IP, across accounts ----------------------------------------------


@pytest.mark.django_db
def test_one_ip_cannot_spray_codes_over_many_accounts_l9(
    limits_on, make_request, last_code
) -> None:
    """L9: one IP, several accounts with 2 wrong codes each: blocked at the IP limit
    although no account reached its own limit; another IP still gets through."""
    limits_on.TYNTEC2FA_VERIFY_RATE_IP = "5/m"
    refused_at = None
    for n in range(5):  # bounded: 5 accounts x 2 attempts > the limit of 5
        victim = get_user_model().objects.create_user(f"victim{n}")
        add_device(victim, f"+4915123456{n:03d}")
        flows.start(make_request(ip="198.51.100.66"), victim, purpose=LOGIN)
        for attempt in range(2):
            try:
                flows.verify(make_request(ip="198.51.100.66"), victim, purpose=LOGIN, code="000000")
            except InvalidCode:
                continue
            except RateLimited as error:
                refused_at = (n, attempt, error.retry_after)
                break
        if refused_at:
            break
    assert refused_at is not None and refused_at[:2] == (2, 1)  # the 6th attempt
    assert refused_at[2] >= 1
    # Another IP is not affected, and the refusal did not charge the account.
    with pytest.raises(InvalidCode):
        flows.verify(
            make_request(ip="198.51.100.77"), victim, purpose=LOGIN, code=wrong_code(last_code())
        )


def test_limits_off_means_off(settings, make_request) -> None:
    settings.TYNTEC2FA_RATELIMIT_ENABLE = False
    settings.TYNTEC2FA_SEND_RATE_USER = "1/h"
    for _attempt in range(3):
        ratelimits.check_send(make_request(), SimpleNamespace(pk=1), NUMBER)
        ratelimits.check_verify(make_request(), SimpleNamespace(pk=1))


def test_rates_are_read_per_call(limits_on, make_request) -> None:
    limits_on.TYNTEC2FA_VERIFY_RATE_USER = "1/m"
    ratelimits.check_verify(make_request(ip="192.0.2.1"), SimpleNamespace(pk=7))
    with pytest.raises(RateLimited):
        ratelimits.check_verify(make_request(ip="192.0.2.2"), SimpleNamespace(pk=7))
    limits_on.TYNTEC2FA_VERIFY_RATE_USER = "100/m"
    ratelimits.check_verify(make_request(ip="192.0.2.3"), SimpleNamespace(pk=7))


# --- P8: voice calls have their own, lower limit per number ----------------------------------


@pytest.mark.django_db
def test_voice_calls_per_number_have_a_lower_limit_p8(
    limits_on, user, device, make_request, outbox
) -> None:
    """P8: calls to a number stop at SEND_RATE_NUMBER_VOICE while text messages to it
    still go out up to SEND_RATE_NUMBER; the refused call reaches no provider."""
    limits_on.TYNTEC2FA_SEND_RATE_NUMBER_VOICE = "2/h"
    limits_on.TYNTEC2FA_SEND_RATE_NUMBER = "5/h"
    limits_on.TYNTEC2FA_SEND_RATE_USER = "100/h"
    limits_on.TYNTEC2FA_SEND_RATE_SESSION = "100/h"
    LOGIN = Challenge.Purpose.LOGIN
    for n in range(2):
        flows.start(make_request(ip=f"192.0.2.{n}"), user, purpose=LOGIN, channel="VOICE")
    with pytest.raises(RateLimited) as refused:
        flows.start(make_request(ip="192.0.2.7"), user, purpose=LOGIN, channel="VOICE")
    assert "tyntec2fa.send.voice" in refused.value.detail
    assert [message.channel for message in outbox] == ["VOICE", "VOICE"]
    flows.start(make_request(ip="192.0.2.8"), user, purpose=LOGIN, channel="SMS")
    assert [message.channel for message in outbox][-1] == "SMS"


def test_text_messages_do_not_count_against_the_voice_limit_p8(limits_on, make_request) -> None:
    limits_on.TYNTEC2FA_SEND_RATE_NUMBER_VOICE = "1/h"
    for n in range(3):
        ratelimits.check_send(make_request(ip=f"192.0.2.{n}"), SimpleNamespace(pk=n), NUMBER, "SMS")
    ratelimits.check_send(make_request(ip="192.0.2.5"), SimpleNamespace(pk=5), NUMBER, "VOICE")
    with pytest.raises(RateLimited):
        ratelimits.check_send(make_request(ip="192.0.2.6"), SimpleNamespace(pk=6), NUMBER, "VOICE")
