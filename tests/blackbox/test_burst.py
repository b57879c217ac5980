"""L4 black-box: a burst of concurrent code submissions against gunicorn with four
workers on PostgreSQL, the real tyntec client and the fake tyntec server. Assertions
are on the database and the fake's counters, not on the HTTP answers alone.

Run with ``.venv/bin/python -m pytest --ds=tests.settings_postgres tests/blackbox``.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest

from ..steps import wrong_code
from .browser import Browser, burst
from .harness import BlackBoxSite

pytestmark = pytest.mark.postgres

K = 20
MAX_ATTEMPTS = 3  # TYNTEC2FA_MAX_ATTEMPTS in site_settings.py
PASSWORD = "blackbox-password"
NEXT = "/protected/"


def seed_one(site: BlackBoxSite, username: str, number: str) -> int:
    site.seed([{"username": username, "password": PASSWORD, "number": number}])
    return site.user_id(username)


def code_of(site: BlackBoxSite, user_id: int) -> str:
    """The code the phone received for the user's pending challenge."""
    ((otp_id,),) = site.query(
        "SELECT provider_otp_id FROM tyntec2fa_challenge WHERE user_id = %s AND status = %s",
        user_id,
        "pending",
    )
    codes = [message["code"] for message in site.outbox() if message["otpId"] == otp_id]
    assert codes, "the fake delivered no code for the pending challenge"
    return codes[-1]


async def pending_burst(
    site: BlackBoxSite, username: str, code_for: object
) -> tuple[list[httpx.Response], str]:
    """Sign in (password), then K concurrent POSTs of the code at the challenge page."""
    async with Browser(site.url) as browser:
        page = await browser.sign_in(username, PASSWORD)
        assert page.status_code == 200 and 'action="/2fa/challenge/"' in page.text
        code = code_for()  # type: ignore[operator]
        cookie, key = browser.cookie_header(), browser.session_key
        responses = await burst(
            site.url, "/2fa/challenge/", [{"code": code}] * K, cookie, browser.csrf
        )
    assert key
    return responses, key


def test_parallel_wrong_codes_count_exactly_k_and_reach_the_provider_at_most_max_l4(
    site: BlackBoxSite,
) -> None:
    """L4 (a): K concurrent wrong codes in one pending session, spread over the
    workers: the account counter rises by exactly K, the provider's check runs at most
    MAX_ATTEMPTS times, and the challenge is used up."""
    user_id = seed_one(site, "burst-wrong", "+4915123450001")
    mark = site.log_mark()

    responses, _key = asyncio.run(
        pending_burst(site, "burst-wrong", lambda: wrong_code(code_of(site, user_id)))
    )

    # Each refused: the redirect back to the code page (post/redirect/get).
    answers = Counter((r.status_code, r.headers.get("location")) for r in responses)
    assert answers == {(302, "/2fa/challenge/"): K}, answers
    (failures,) = site.query(
        "SELECT failures FROM tyntec2fa_failurecounter WHERE user_id = %s", user_id
    )
    assert failures == (K,)
    ((status, attempts),) = site.query(
        "SELECT status, attempts FROM tyntec2fa_challenge WHERE user_id = %s", user_id
    )
    checks = site.counters()["check"]
    assert checks <= MAX_ATTEMPTS
    assert (status, attempts, checks) == ("failed", MAX_ATTEMPTS, MAX_ATTEMPTS)
    assert len(site.worker_pids("/2fa/challenge/", since=mark)) >= 2, "one worker took all"


def test_parallel_right_codes_verify_exactly_one_session_l4(site: BlackBoxSite) -> None:
    """L4 (b): K concurrent POSTs of the right code in one pending session: exactly one
    answer signs in (302 to ``next`` with a new session key, S3), the challenge is
    verified once, and the provider saw one check."""
    user_id = seed_one(site, "burst-right", "+4915123450002")
    mark = site.log_mark()

    responses, old_key = asyncio.run(
        pending_burst(site, "burst-right", lambda: code_of(site, user_id))
    )

    assert all(response.status_code < 500 for response in responses)
    winners = [
        response
        for response in responses
        if response.status_code == 302 and response.headers["location"] == NEXT
    ]
    assert len(winners) == 1, Counter((r.status_code, r.headers.get("location")) for r in responses)
    new_key = winners[0].cookies.get("sessionid")
    assert new_key and new_key != old_key
    # The losers met a used challenge (refused: 302 back to the code page), or the old
    # session had already cycled away (302 to the login page, or Django's 400 when it
    # went while the request ran); none of them is signed in.
    losers = Counter(
        response.headers["location"] if response.status_code == 302 else response.status_code
        for response in responses
        if response is not winners[0]
    )
    assert set(losers) <= {"/2fa/challenge/", "/accounts/login/", 400}, losers
    statuses = site.query(
        "SELECT status, count(*) FROM tyntec2fa_challenge WHERE user_id = %s GROUP BY status",
        user_id,
    )
    assert statuses == [("verified", 1)]
    assert site.counters()["check"] == 1
    assert asyncio.run(protected_status(site, new_key)) == 200
    assert asyncio.run(protected_status(site, old_key)) == 302
    assert len(site.worker_pids("/2fa/challenge/", since=mark)) >= 2, "one worker took all"


async def protected_status(site: BlackBoxSite, session_key: str) -> int:
    headers = {"cookie": f"sessionid={session_key}", "accept": "text/html"}
    async with httpx.AsyncClient(base_url=site.url, headers=headers, timeout=10) as client:
        return (await client.get(NEXT)).status_code
