"""The load driver of ``bench_load``, run in its own process: ``concurrency`` virtual
browsers (httpx, asyncio), each with its own user and cookies, repeat one phase's
requests until the time or the request budget is used up. Prints one JSON object:
latencies (ms) and statuses per request label, transport errors, elapsed seconds.

Phases: ``baseline`` (GET the login page), ``send`` (POST the challenge's send form:
a new code each time) and ``login`` (POST the password, which sends a code, then POST
that code to the challenge page).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

LOGIN = "/accounts/login/"
CHALLENGE = "/2fa/challenge/"
SEND = "/2fa/challenge/send/"


@dataclass
class Results:
    """What every virtual browser adds to."""

    budget: int
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    errors: int = 0

    def take(self, requests: int = 1) -> bool:
        """``requests`` more requests may go out (the budget bounds the run)."""
        if self.budget < requests:
            return False
        self.budget -= requests
        return True


def form(http: httpx.AsyncClient, **fields: str) -> dict[str, str]:
    """Form fields plus the CSRF token (Django accepts the cookie's secret as is)."""
    return {"csrfmiddlewaretoken": http.cookies.get("csrftoken", ""), **fields}


async def timed(
    http: httpx.AsyncClient, results: Results, label: str, method: str, url: str, data: object
) -> None:
    """One request; its latency and status (or a transport error) are recorded."""
    started = time.perf_counter()
    try:
        response = await http.request(method, url, data=data)  # type: ignore[arg-type]
    except httpx.HTTPError:
        results.errors += 1
        return
    results.latencies.setdefault(label, []).append((time.perf_counter() - started) * 1000)
    results.statuses.setdefault(label, Counter())[response.status_code] += 1


async def browser(args: argparse.Namespace, index: int, results: Results, deadline: float) -> None:
    """One virtual browser with its own user, session and cookies."""
    user = {"username": f"{args.user_prefix}{index}", "password": args.password}
    async with httpx.AsyncClient(base_url=args.url, timeout=30.0) as http:
        await http.get(LOGIN)  # the CSRF cookie
        if args.phase == "send":
            await http.post(LOGIN, data=form(http, **user))  # a pending login, first code
        while time.monotonic() < deadline:
            if args.phase == "baseline":
                if not results.take():
                    return
                await timed(http, results, "GET login page", "GET", LOGIN, None)
            elif args.phase == "send":
                if not results.take():
                    return
                await timed(http, results, "POST send", "POST", SEND, form(http, channel=""))
            else:
                if not results.take(2):
                    return
                await timed(http, results, "POST password", "POST", LOGIN, form(http, **user))
                data = form(http, code=args.code)
                await timed(http, results, "POST verify", "POST", CHALLENGE, data)


async def run(args: argparse.Namespace) -> dict[str, object]:
    """All browsers of one phase; the summary as a JSON-able dict."""
    results = Results(budget=args.max_requests)
    started = time.monotonic()
    deadline = started + args.duration
    await asyncio.gather(*(browser(args, i, results, deadline) for i in range(args.concurrency)))
    return {
        "phase": args.phase,
        "elapsed": time.monotonic() - started,
        "latencies": results.latencies,
        "statuses": {k: dict(v) for k, v in results.statuses.items()},
        "errors": results.errors,
    }


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run the phase, print its JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--phase", choices=("baseline", "send", "login"), required=True)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--max-requests", type=int, default=20000)
    parser.add_argument("--user-prefix", default="load")
    parser.add_argument("--password", default="")
    parser.add_argument("--code", default="")
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(run(args))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
