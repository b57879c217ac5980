"""P7, P6, U2 black-box: the send limits hold across four gunicorn workers because
their counters live in Redis, a client-chosen ``X-Forwarded-For`` opens no new bucket,
and one number written three ways is one bucket. What counts is what reached the
provider: the fake's ``send`` counter.

The limits are set in ``site_settings.py``: 5 sends per user and per number in 10
minutes, 8 per client IP an hour.
"""

from __future__ import annotations

import asyncio
import secrets
from collections import Counter

import httpx
import pytest

from .browser import Browser, gather_all
from .harness import BlackBoxSite

pytestmark = pytest.mark.postgres

PASSWORD = "blackbox-password"
SEND_RATE_USER = 5
SEND_RATE_NUMBER = 5
SEND_RATE_IP = 8


def rate_limited(site: BlackBoxSite, usernames: list[str]) -> int:
    ((count,),) = site.query(
        "SELECT count(*) FROM tyntec2fa_auditevent e JOIN auth_user u ON u.id = e.user_id "
        "WHERE e.kind = 'rate_limited' AND u.username = ANY(%s)",
        usernames,
    )
    return int(count)


async def password_steps(
    site: BlackBoxSite, usernames: list[str], headers: list[dict[str, str]]
) -> list[httpx.Response]:
    """One browser per username opens the login page; then all send the password at
    once. Each password step of a user with a phone sends the login code (a POST)."""
    browsers = [Browser(site.url, header) for header in headers]
    try:
        await gather_all(*(browser.open_login() for browser in browsers))
        return await gather_all(
            *(
                browser.post_password(username, PASSWORD)
                for browser, username in zip(browsers, usernames, strict=True)
            )
        )
    finally:
        await gather_all(*(browser.client.aclose() for browser in browsers))


def test_sends_for_one_user_across_workers_stop_at_the_limit_p3_p7(site: BlackBoxSite) -> None:
    """Ten concurrent sign-ins of one user, each sending a login code, spread over four
    workers: exactly SEND_RATE_USER codes reach the provider. A per-worker (LocMem)
    counter would let up to four times as many through (P7)."""
    site.seed([{"username": "sender", "password": PASSWORD, "number": "+4915123450003"}])
    mark = site.log_mark()

    responses = asyncio.run(password_steps(site, ["sender"] * 10, [{}] * 10))

    # The password step always succeeds (a redirect to the challenge page, which offers
    # a refused send again).
    assert Counter(response.status_code for response in responses) == {302: 10}
    assert site.counters()["send"] == SEND_RATE_USER
    assert rate_limited(site, ["sender"]) == 10 - SEND_RATE_USER
    assert len(site.worker_pids("/accounts/login/", since=mark)) >= 2, "one worker took all"


def test_random_forwarded_for_headers_share_one_ip_bucket_p6(site: BlackBoxSite) -> None:
    """Twelve users (different numbers and prefixes) sign in from one client that sends
    a random X-Forwarded-For each time: under default settings the header is ignored,
    so the per-IP limit trips at SEND_RATE_IP and every audit row shows 127.0.0.1."""
    users = [f"xff-{index}" for index in range(12)]
    site.seed(
        [
            {"username": name, "password": PASSWORD, "number": f"+49151{10 + index}345678"}
            for index, name in enumerate(users)
        ]
    )
    headers = [{"x-forwarded-for": random_ip()} for _name in users]

    responses = asyncio.run(password_steps(site, users, headers))

    assert Counter(response.status_code for response in responses) == {302: len(users)}
    assert site.counters()["send"] == SEND_RATE_IP
    assert rate_limited(site, users) == len(users) - SEND_RATE_IP
    ips = site.query(
        "SELECT DISTINCT host(e.ip) FROM tyntec2fa_auditevent e JOIN auth_user u "
        "ON u.id = e.user_id WHERE u.username = ANY(%s)",
        users,
    )
    assert ips == [("127.0.0.1",)]


def random_ip() -> str:
    return ".".join(str(secrets.randbelow(223) + 1) for _part in range(4))


def test_one_number_written_three_ways_is_one_bucket_u2(site: BlackBoxSite) -> None:
    """Eight users without a phone enrol the same number at once, written three ways:
    one number, one key. Since issue 23.2 the number's enrollment cooldown is the first
    to hold (its key is the normalised number, like the per-number limit's bucket), so
    exactly one enrollment code goes out and the rest are refused with 429; three keys
    would let three out. The per-number limit across spellings alone:
    tests/flows/test_ratelimits.py::test_enrolling_number_variants_shares_one_bucket_u2."""
    users = [f"enrol-{index}" for index in range(8)]
    site.seed([{"username": name, "password": PASSWORD} for name in users])
    spellings = ["+49 151 23450004", "0049 151 23450004", "+4915123450004"]

    statuses = asyncio.run(enrol_all(site, users, spellings))

    assert Counter(statuses) == {302: 1, 429: len(users) - 1}
    assert site.counters()["send"] == 1
    assert {message["number"] for message in site.outbox()} == {"+4915123450004"}


async def enrol_all(site: BlackBoxSite, users: list[str], spellings: list[str]) -> list[int]:
    browsers = [Browser(site.url) for _user in users]
    try:
        # No phone, no second factor: the password alone signs these users in.
        pages = await gather_all(
            *(
                browser.sign_in(name, PASSWORD)
                for browser, name in zip(browsers, users, strict=True)
            )
        )
        assert all(page.status_code == 200 for page in pages)
        responses = await gather_all(
            *(
                browser.post("/2fa/enroll/", {"number": spellings[index % 3], "channel": "SMS"})
                for index, browser in enumerate(browsers)
            )
        )
        return [response.status_code for response in responses]
    finally:
        await gather_all(*(browser.client.aclose() for browser in browsers))
