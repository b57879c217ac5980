"""A whole 2FA login, as a browser does it, ours against django-two-factor-auth.

Ours: GET the login page (``django_tyntec2fa.views.LoginView``), POST the password
(the local provider sends the code to its in-memory outbox; the answer redirects
to the challenge page), GET the challenge page, POST the code, land on the protected page. django-two-factor-auth: GET its login wizard, POST the password
step (its fake gateway "sends" the token; we read it from the gateway's log), POST the
token, land on the ``otp_required`` page. Same process, same database, same password
hasher. Figures: server time per complete login (in-process test client, median of
per-round medians) and SQL queries per login. Target: ours cheaper on both.

Many short rounds (31 of 10 logins each, the variants in turn, the order alternating
from round to round) rather than a few long ones: the machine's speed drifts by more
than the two logins differ (on a quiet machine one round of 40 logins took 19 ms per
login and the next 35 ms), and short rounds spread that drift over both sides.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from . import common, peers
from .common import Figure


class TokenLog(logging.Handler):
    """Keeps the last token django-two-factor-auth's fake gateway logged."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.token = ""

    def emit(self, record: logging.LogRecord) -> None:
        # Fake.send_sms logs ('Fake SMS to %s: "Your token is: %s"', number, token).
        self.token = str(record.args[1]) if isinstance(record.args, tuple) else ""


def status(response: object, expected: int, location: str = "") -> None:
    """A step of the login must answer as a browser expects."""
    code = getattr(response, "status_code", None)
    assert code == expected, (expected, code)
    if location:
        assert response["Location"].startswith(location), response["Location"]  # type: ignore[index]


Step = tuple[str, Callable[[], None]]


def ours_steps(browser: Client, username: str) -> list[Step]:
    """One complete login through our LoginView and challenge page."""
    from django_tyntec2fa.providers.sinks import outbox

    form = {"username": username, "password": peers.PASSWORD, "next": "/ours/"}

    def login_page() -> None:
        browser.cookies.clear()  # a new browser each time
        status(browser.get("/accounts/login/?next=/ours/"), 200)

    return [
        ("login page", login_page),
        ("password", lambda: status(browser.post("/accounts/login/", form), 302, "/2fa/")),
        # Post/redirect/get: the browser follows to the code page (docs/urls.md).
        ("code page", lambda: status(browser.get("/2fa/challenge/"), 200)),
        (
            "code",
            lambda: status(
                browser.post("/2fa/challenge/", {"code": outbox[-1].code}), 302, "/ours/"
            ),
        ),
        ("landing", lambda: status(browser.get("/ours/"), 200)),
    ]


def two_factor_steps(browser: Client, username: str, tokens: TokenLog) -> list[Step]:
    """One complete login through django-two-factor-auth's LoginView wizard."""
    url = "/account/login/?next=/otp/"
    auth = {"auth-username": username, "auth-password": peers.PASSWORD}
    auth["login_view-current_step"] = "auth"

    def login_page() -> None:
        browser.cookies.clear()
        status(browser.get(url), 200)

    def token() -> None:
        step = {"token-otp_token": tokens.token, "login_view-current_step": "token"}
        status(browser.post(url, step), 302, "/otp/")

    return [
        ("login page", login_page),
        ("password", lambda: status(browser.post(url, auth), 200)),
        ("code", token),
        ("landing", lambda: status(browser.get("/otp/"), 200)),
    ]


def run(steps: list[Step], record: dict[str, list[float]] | None = None) -> None:
    """One complete login; with ``record``, the ms of each step go into it."""
    clock = time.perf_counter_ns
    for label, step in steps:
        started = clock()
        step()
        if record is not None:
            record.setdefault(label, []).append((clock() - started) / 1e6)


def setup() -> tuple[list[Step], list[Step]]:
    """The two users (each with a phone of their library) and their login functions."""
    from two_factor.plugins.phonenumber.models import PhoneDevice as TwoFactorPhone

    ours_user = peers.make_user("ours")
    peers.our_device(ours_user)
    theirs = peers.make_user("theirs")
    TwoFactorPhone.objects.create(
        user=theirs, name="default", number="+4915123456781", method="sms", confirmed=True
    )
    tokens = TokenLog()
    gateway_log = logging.getLogger("two_factor.gateways.fake")
    gateway_log.addHandler(tokens)
    gateway_log.setLevel(logging.INFO)
    gateway_log.propagate = False
    ours = ours_steps(peers.client("ours"), "ours")
    return ours, two_factor_steps(peers.client("otp"), "theirs", tokens)


def count_queries(login: Callable[[], None]) -> int:
    """SQL queries of one complete login."""
    with CaptureQueriesContext(connection) as captured:
        login()
    return len(captured.captured_queries)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; the exit status is 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=31)
    parser.add_argument("--count", type=int, default=10, help="logins per round and variant")
    args = parser.parse_args(argv)
    common.header("bench_login: a whole 2FA login")
    peers.migrate()
    ours, theirs = setup()

    def theirs_alone(record: dict[str, list[float]] | None = None) -> None:
        # Our receivers off: the peer's login pays nothing for our app.
        with peers.without_our_receivers():
            run(theirs, record)

    variants: dict[str, Callable[[], None]] = {
        "ours": lambda: run(ours),
        "two-factor-auth": theirs_alone,
    }
    common.interleaved(variants, rounds=1, count=max(1, args.count // 4))  # warm-up
    # Counted after the warm-up: a login as every later one is, not the first ever.
    queries = {name: count_queries(login) for name, login in variants.items()}
    medians = common.interleaved(variants, rounds=args.rounds, count=args.count)
    ms = {name: common.median(values) / 1000 for name, values in medians.items()}
    steps: dict[str, dict[str, list[float]]] = {"ours": {}, "two-factor-auth": {}}
    for _ in range(args.count):
        run(ours, steps["ours"])
        theirs_alone(steps["two-factor-auth"])
    ratios = [o / t for o, t in zip(medians["ours"], medians["two-factor-auth"], strict=True)]
    figures = [
        Figure(
            "time per login: ours",
            ms["ours"],
            ms["two-factor-auth"],
            "ms",
            "two-factor-auth",
            "< 1",
            ms["ours"] < ms["two-factor-auth"],
        ),
        Figure(
            "queries per login: ours",
            queries["ours"],
            queries["two-factor-auth"],
            "",
            "two-factor-auth",
            "< 1",
            queries["ours"] < queries["two-factor-auth"],
        ),
    ]
    common.print_table("bench_login (median of per-round medians)", figures)
    print(
        f"per-round ratio ours/two-factor-auth: median {common.median(ratios):.3f}, "
        f"range {min(ratios):.3f}-{max(ratios):.3f}"
    )
    print("median ms per step (a separate pass of the same logins):")
    for name, by_step in steps.items():
        parts = ", ".join(f"{label} {common.median(v):.2f}" for label, v in by_step.items())
        print(f"  {name} ({len(by_step)} requests): {parts}")
    print(f"rounds: {args.rounds} x {args.count} logins per variant")
    return common.verdict(figures)


if __name__ == "__main__":
    sys.exit(main())
