"""Issue 23.1, 23.2, 23.3 black-box: the probes and the attack of the review, over HTTP
against gunicorn (four workers), PostgreSQL, Redis and the fake tyntec. What counts is
what reached the provider (the fake's outbox and ``send`` counter).

* 23.1 (U1): enrolling someone's confirmed number answers like a free number, on the
  page and in the API; the owner gets nothing; probes use up the same send limit.
* 23.2 (P3): parallel re-posts of one number send one text; the cooldown holds for
  another account and the API too.
* 23.3 (P4): five new accounts, each from five addresses, pump one prefix until it is
  blocked; an established account still enrolls a number there, the attackers and a
  new account do not.

A site of its own: the clients sit behind one trusted proxy (X-Forwarded-For), so the
attack's five addresses per account are told apart; every request goes to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from .browser import Browser, burst, gather_all
from .harness import BlackBoxSite, serve

pytestmark = pytest.mark.postgres

PASSWORD = "enroll-probe-password"
SEND_RATE_USER = 5  # site_settings.py
CONFIRM_PAGE = "/2fa/enroll/confirm/"
JSON = {"accept": "application/json"}


@pytest.fixture(scope="module")
def probe_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BlackBoxSite]:
    directory = tmp_path_factory.mktemp("enroll_probes")
    env = {"BLACKBOX_TRUSTED_PROXY_COUNT": "1"}
    with serve(directory, name="enrollprobes", extra_env=env) as site:
        yield site


@pytest.fixture
def site(probe_site: BlackBoxSite) -> BlackBoxSite:
    probe_site.reset()
    return probe_site


def from_ip(ip: str) -> dict[str, str]:
    return {"x-forwarded-for": ip}


async def signed_in(site: BlackBoxSite, username: str, ip: str = "192.0.2.1") -> Browser:
    browser = Browser(site.url, from_ip(ip))
    response = await browser.sign_in(username, PASSWORD)
    assert response.status_code == 200, response.status_code
    return browser


async def enroll_page(browser: Browser, number: str, ip: str | None = None) -> httpx.Response:
    data = {"number": number, "label": "", "channel": "SMS", "csrfmiddlewaretoken": browser.csrf}
    headers = from_ip(ip) if ip else None
    return await browser.client.post("/2fa/enroll/", data=data, headers=headers)


async def enroll_api(browser: Browser, number: str) -> httpx.Response:
    headers = {**JSON, "x-csrftoken": browser.csrf}
    return await browser.client.post("/api/devices/add/", json={"number": number}, headers=headers)


def sent_to(site: BlackBoxSite) -> list[str]:
    return [message["number"] for message in site.outbox()]


def shape(value: Any) -> Any:
    """The JSON's keys and value types, without the values (ids, times)."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    return type(value).__name__


def test_probes_of_registered_numbers_get_the_answer_of_free_ones_u1(site: BlackBoxSite) -> None:
    owners = [f"+49151234600{n:02d}" for n in range(7)]
    site.seed(
        [
            {"username": f"owner{n}", "password": PASSWORD, "number": number}
            for n, number in enumerate(owners)
        ]
        + [{"username": name, "password": PASSWORD} for name in ("prober", "apiprober", "honest")]
    )

    async def run() -> dict[str, Any]:
        prober, api, honest = await gather_all(
            signed_in(site, "prober"), signed_in(site, "apiprober"), signed_in(site, "honest")
        )
        try:
            answers: dict[str, Any] = {
                "page_probe": await enroll_page(prober, owners[0]),
                "page_free": await enroll_page(honest, "+4915123469999"),
                "api_probe": await enroll_api(api, owners[1]),
                "api_free": await enroll_api(honest, "+4915123469998"),
            }
            # The phantom's confirmation page, and a code for it: refused like a wrong one.
            answers["confirm_page"] = await prober.client.get(CONFIRM_PAGE)
            answers["confirm"] = await prober.post(CONFIRM_PAGE, {"code": "123456"})
            # Four more probes use up the API prober's send limit; then a free number
            # and a registered one are refused alike.
            answers["more"] = [await enroll_api(api, number) for number in owners[2:6]]
            answers["limit_free"] = await enroll_api(api, "+4915123469997")
            answers["limit_probe"] = await enroll_api(api, owners[6])
            return answers
        finally:
            await gather_all(*(b.client.aclose() for b in (prober, api, honest)))

    answers = asyncio.run(run())
    page_probe, page_free = answers["page_probe"], answers["page_free"]
    assert (page_probe.status_code, page_probe.headers["location"]) == (302, CONFIRM_PAGE)
    assert (page_free.status_code, page_free.headers["location"]) == (302, CONFIRM_PAGE)
    api_probe, api_free = answers["api_probe"], answers["api_free"]
    assert (api_probe.status_code, api_free.status_code) == (200, 200), api_probe.text
    assert shape(api_probe.json()) == shape(api_free.json())
    assert answers["confirm_page"].status_code == 200
    assert answers["confirm"].status_code == 302  # a refused code: back to the page
    assert [answer.status_code for answer in answers["more"]] == [200] * (SEND_RATE_USER - 1)
    for refused in (answers["limit_free"], answers["limit_probe"]):
        assert refused.status_code == 429, refused.text
        assert refused.json()["code"] == "rate_limited"
        assert int(refused.headers["retry-after"]) > 0
    # Only the free numbers got a text; no owner did.
    assert sorted(sent_to(site)) == ["+4915123469998", "+4915123469999"]
    assert site.counters()["send"] == 2
    ((confirmed,),) = site.query(
        "SELECT count(*) FROM tyntec2fa_phonedevice WHERE number = ANY(%s) AND confirmed",
        owners,
    )
    assert confirmed == len(owners)  # the owners' phones only: no prober bound one


def test_re_posting_a_number_sends_one_text_whatever_the_route_p3(site: BlackBoxSite) -> None:
    number = "+4915123470000"
    site.seed([{"username": name, "password": PASSWORD} for name in ("reposter", "other")])

    async def run() -> tuple[list[httpx.Response], httpx.Response, httpx.Response]:
        reposter, other = await gather_all(signed_in(site, "reposter"), signed_in(site, "other"))
        try:
            await reposter.client.get("/2fa/enroll/")
            forms = [{"number": number, "label": "", "channel": "SMS"}] * 5
            page = await burst(
                site.url, "/2fa/enroll/", forms, reposter.cookie_header(), reposter.csrf
            )
            return page, await enroll_api(reposter, number), await enroll_api(other, number)
        finally:
            await gather_all(reposter.client.aclose(), other.client.aclose())

    page, api_same, api_other = asyncio.run(run())
    assert Counter(answer.status_code for answer in page) == {302: 1, 429: 4}
    for refused in (api_same, api_other):
        assert refused.status_code == 429, refused.text
        assert refused.json()["code"] == "resend_not_allowed"
        assert 0 < int(refused.headers["retry-after"]) <= 30
    assert sent_to(site) == [number]
    assert site.counters()["send"] == 1


def test_a_prefix_block_by_five_new_accounts_spares_an_established_one_p4(
    site: BlackBoxSite,
) -> None:
    prefix = "+49160123"
    attackers = [f"pumper{n}" for n in range(5)]
    site.seed(
        [{"username": name, "password": PASSWORD} for name in (*attackers, "newcomer")]
        + [{"username": "veteran", "password": PASSWORD, "days_old": "30"}]
    )

    async def run() -> dict[str, Any]:
        browsers = await gather_all(
            *(signed_in(site, name, f"203.0.113.{n * 5}") for n, name in enumerate(attackers))
        )
        try:
            statuses: list[int] = []
            for n, browser in enumerate(browsers):  # bounded: 5 accounts x 5 addresses
                for ip in range(5):
                    number = f"{prefix}{n}{ip:03d}"
                    answer = await enroll_page(browser, number, f"203.0.113.{n * 5 + ip}")
                    statuses.append(answer.status_code)
            after = {
                "attacker": await enroll_page(browsers[0], f"{prefix}8888", "198.51.100.8"),
            }
        finally:
            await gather_all(*(browser.client.aclose() for browser in browsers))
        for name, number, ip in (
            ("newcomer", f"{prefix}7777", "198.51.100.7"),
            ("veteran", f"{prefix}9999", "198.51.100.9"),
        ):
            browser = await signed_in(site, name, ip)
            try:
                after[name] = await enroll_page(browser, number)
            finally:
                await browser.client.aclose()
        return {"statuses": statuses, **after}

    answers = asyncio.run(run())
    assert 403 in answers["statuses"], answers["statuses"]  # the attack started a block
    assert site.query(
        "SELECT 1 FROM tyntec2fa_destinationblock WHERE scope = 'prefix' AND value = %s", prefix
    )
    assert answers["attacker"].status_code == 403
    assert answers["newcomer"].status_code == 403
    veteran = answers["veteran"]
    assert (veteran.status_code, veteran.headers.get("location")) == (302, CONFIRM_PAGE)
    assert sent_to(site)[-1] == f"{prefix}9999"
