"""``python -m django_tyntec2fa.testing.fake_tyntec``: serve the fake until Ctrl-C or SIGTERM.

The first line on stdout is ``fake tyntec listening on <base URL>``, so a parent
process (a black-box test) can wait for it and read the port when ``--port 0``.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from .outcomes import OUTCOMES, DeliveryPlan
from .server import FakeTyntec

API_KEY_ENV = "FAKE_TYNTEC_API_KEY"


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback IP addresses."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # another host name: could resolve anywhere


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(
        prog="python -m django_tyntec2fa.testing.fake_tyntec",
        description="A fake tyntec 2FA v1 API for tests and local development.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (loopback only)")
    parser.add_argument("--port", type=int, default=8765, help="port; 0 picks a free one")
    parser.add_argument(
        "--api-key",
        default=os.environ.get(API_KEY_ENV),
        help=f"the API key clients must send (default: ${API_KEY_ENV})",
    )
    parser.add_argument("--account-id", default="fake-account")
    parser.add_argument(
        "--allow-non-loopback",
        action="store_true",
        help="allow binding a non-loopback address (the fake has no real security)",
    )
    parser.add_argument(
        "--delivery",
        choices=OUTCOMES,
        default="delivered",
        help="how every message's delivery is reported (docs/fake_tyntec.md); "
        "POST /_fake/delivery changes it later",
    )
    parser.add_argument(
        "--delivery-delay",
        type=float,
        default=0.0,
        help="seconds after a send before its delivery report appears",
    )
    parser.add_argument("--verbose", action="store_true", help="log each request to stderr")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the fake until SIGINT or SIGTERM; the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.api_key:
        parser.error(f"--api-key (or ${API_KEY_ENV}) is required")
    if not is_loopback(args.host) and not args.allow_non_loopback:
        parser.error(
            f"refusing to bind non-loopback host {args.host!r} without --allow-non-loopback"
        )
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    fake = FakeTyntec(
        api_key=args.api_key, host=args.host, port=args.port, account_id=args.account_id
    )
    try:
        plan = DeliveryPlan(args.delivery, args.delivery_delay)
    except ValueError as error:
        parser.error(str(error))
    fake.start()
    fake.state.deliveries.set(plan)
    try:
        print(f"fake tyntec listening on {fake.url}", flush=True)
        stop.wait()
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
