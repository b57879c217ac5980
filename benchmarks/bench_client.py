"""The provider client: ``TyntecProvider.send`` / ``check`` against the fake tyntec on
loopback, next to bare ``requests.Session`` calls with the same URL, query parameters
and headers to the same server. Figures: the client's overhead per call (µs and
ratio) and TCP connections per 1 000 calls (target: one, i.e. keep-alive works).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import django
import requests
from django.conf import settings

from . import common
from .common import Figure

API_KEY = "bench-key"
NUMBER = "+4915123456789"
TIMEOUT = (3.05, 10.0)


def configure() -> None:
    """The few settings ``TyntecProvider`` reads; no app, no database."""
    settings.configure(
        SECRET_KEY="benchmarks-only",  # noqa: S106
        INSTALLED_APPS=[],
        TYNTEC2FA_PROVIDER="django_tyntec2fa.providers.tyntec.TyntecProvider",
    )
    django.setup()


class Bare:
    """What the provider does on the wire, with nothing else: the baseline."""

    def __init__(self, base: str, send_params: dict[str, str], headers: dict[str, str]) -> None:
        self.base = base
        self.send_params = send_params
        self.session = requests.Session()
        self.session.headers.update(headers)

    def send(self) -> str:
        """POST /otp; the new OTP's id."""
        response = self.session.post(
            self.base + "/otp", params=self.send_params, timeout=TIMEOUT, allow_redirects=False
        )
        response.raise_for_status()
        return str(response.json()["otpId"])

    def check(self, otp_id: str, code: str) -> bool:
        """POST /otp/{id}/check; True when accepted."""
        response = self.session.post(
            f"{self.base}/otp/{otp_id}/check",
            params={"otpCode": code},
            timeout=TIMEOUT,
            allow_redirects=False,
        )
        return response.status_code == 202


class Ours:
    """``TyntecProvider`` behind the same two calls as ``Bare``."""

    def __init__(self, base_url: str) -> None:
        from django_tyntec2fa.providers.tyntec.client import TyntecProvider

        self.provider = TyntecProvider(api_key=API_KEY, base_url=base_url, timeout=TIMEOUT)

    def send(self) -> str:
        """``provider.send`` as the flows call it; the new OTP's id."""
        return self.provider.send(NUMBER, via="SMS", language="en", pin_length=6).otp_id

    def check(self, otp_id: str, code: str) -> bool:
        """``provider.check``; True when accepted."""
        return self.provider.check(otp_id, code).verified


def bare_like(ours: Ours) -> Bare:
    """A ``Bare`` client that sends exactly what ``ours`` sent: URL, query, headers."""
    seen: list[requests.PreparedRequest] = []
    hooks = ours.provider.session.hooks["response"]
    hooks.append(lambda response, **_: seen.append(response.request))
    ours.send()
    hooks.clear()
    url = urlsplit(seen[-1].url or "")
    wanted = ("apiKey", "Accept", "User-Agent")
    headers = {key: value for key, value in seen[-1].headers.items() if key in wanted}
    base = f"{url.scheme}://{url.netloc}{url.path.removesuffix('/otp')}"
    return Bare(base, dict(parse_qsl(url.query)), headers)


def run_round(client: Ours | Bare, outbox: list[Any], count: int) -> tuple[float, float]:
    """``count`` sends, each followed by a check of its code; median µs of each."""
    clock = time.perf_counter_ns
    sends, checks = [], []
    for _ in range(count):
        started = clock()
        otp_id = client.send()
        sent = clock()
        code = outbox[-1].code
        checking = clock()
        assert client.check(otp_id, code)
        sends.append((sent - started) / 1000)
        checks.append((clock() - checking) / 1000)
    return common.median(sends), common.median(checks)


def connections_per(make: Callable[[], Ours | Bare], fake: Any, calls: int) -> int:
    """TCP connections the fake accepted for ``calls`` calls of one new client."""
    client = make()  # a Bare is made from a provider's first request: not counted
    fake.reset()
    for _ in range(calls // 2):
        client.check(client.send(), fake.outbox[-1].code)
    return int(fake.connections)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; the exit status is 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--count", type=int, default=300, help="send+check pairs per round")
    args = parser.parse_args(argv)
    common.header("bench_client: TyntecProvider vs bare requests")
    configure()
    from django_tyntec2fa.testing.fake_tyntec import FakeTyntec

    with FakeTyntec(api_key=API_KEY) as fake:
        ours = Ours(fake.url)
        clients: dict[str, Ours | Bare] = {"ours": ours, "bare": bare_like(ours)}
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in clients}
        for client in clients.values():  # warm-up
            run_round(client, fake.outbox, 50)
        names = list(clients)
        for index in range(args.rounds):
            fake.reset()  # keeps the fake's tables small; connections stay open
            for name in names if index % 2 == 0 else reversed(names):
                results[name].append(run_round(clients[name], fake.outbox, args.count))
        conns = {
            "ours": connections_per(lambda: Ours(fake.url), fake, 1000),
            "bare": connections_per(lambda: bare_like(Ours(fake.url)), fake, 1000),
        }

    med = {
        f"{name} {op}": common.median([pair[i] for pair in pairs])
        for name, pairs in results.items()
        for i, op in enumerate(("send", "check"))
    }
    figures = [
        Figure("send: ours", med["ours send"], med["bare send"], "µs", "bare requests"),
        Figure("check: ours", med["ours check"], med["bare check"], "µs", "bare requests"),
        Figure("send: overhead per call", med["ours send"] - med["bare send"], None, "µs"),
        Figure("check: overhead per call", med["ours check"] - med["bare check"], None, "µs"),
        Figure(
            "TCP connections per 1000 calls: ours",
            conns["ours"],
            conns["bare"],
            "",
            "bare requests",
            "1",
            conns["ours"] == 1,
        ),
    ]
    common.print_table("bench_client (median of per-round medians)", figures)
    print(f"rounds: {args.rounds} x {args.count} send+check pairs per client, interleaved")
    return common.verdict(figures)


if __name__ == "__main__":
    sys.exit(main())
