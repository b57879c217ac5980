"""The gate on every request: the same page for a signed-in, verified user behind
plain Django ``login_required`` (the floor), our ``SecondFactorMiddleware`` +
``second_factor_required``, and django-otp's ``OTPMiddleware`` + ``otp_required``.

Microseconds per request, in-process (Django's test client), through gunicorn
(one worker, keep-alive) and through Django's ASGI handler (``asgi_gate.py``), and
SQL queries per request; also an anonymous and a pending request of ours. Targets:
ours within 5 % of the floor in-process and under ASGI, and no extra query. Writes
the chart ``docs/benchmarks-gate.png``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

if __name__ == "__main__":
    # A database file, not :memory:, so the gunicorn process shares it. Set before
    # ``peers`` loads the settings; importing this module (for ``chart``) makes none.
    WORKDIR = Path(tempfile.mkdtemp(prefix="bench-gate-"))
    os.environ["BENCH_SQLITE"] = str(WORKDIR / "db.sqlite3")

import django_otp
import requests
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext

from django_tyntec2fa.testing import force_second_factor

from . import asgi_gate, common, peers
from .common import Figure

CHART = common.ROOT / "docs" / "benchmarks-gate.png"
LIMIT = 1.05  # ours / floor, in-process median


def verified_clients() -> dict[str, tuple[Client, str]]:
    """A signed-in, verified user per variant, and the URL of the page it sees."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    floor_user, ours_user, otp_user = (peers.make_user(n) for n in ("floor", "ours", "otp"))
    peers.our_device(ours_user)
    device = TOTPDevice.objects.create(user=otp_user, name="default", confirmed=True)

    floor = peers.client("floor")
    with peers.without_our_receivers():
        floor.force_login(floor_user)
    ours = peers.client("ours")
    force_second_factor(ours, ours_user)
    otp = peers.client("otp")
    with peers.without_our_receivers():
        otp.force_login(otp_user)
    request = HttpRequest()
    request.user, request.session = otp_user, otp.session
    django_otp.login(request, device)  # what an OTP-verified login leaves in the session
    request.session.save()
    return {"floor": (floor, "/floor/"), "ours": (ours, "/ours/"), "otp": (otp, "/otp/")}


def other_clients() -> dict[str, tuple[Client, str]]:
    """Anonymous (no cookie) and pending requests of ours, with their floor baselines."""
    pending_user = peers.make_user("pending")
    peers.our_device(pending_user, "+4915123456780")
    pending = peers.client("ours")
    pending.force_login(pending_user)  # our receiver turns it into a pending login
    with_session = peers.client("floor")
    store = with_session.session  # an anonymous visitor who has a session cookie
    store["seen"] = True
    store.save()
    return {
        "anon-floor": (peers.client("floor"), "/floor/"),
        "anon-ours": (peers.client("ours"), "/ours/"),
        "session-floor": (with_session, "/floor/"),
        "pending-ours": (pending, "/ours/"),
    }


def expect(browser: Client, url: str, status: int, location: str = "") -> None:
    """One request must give ``status`` (and a redirect to ``location``)."""
    response = browser.get(url)
    assert response.status_code == status, (url, response.status_code)
    if location:
        assert response["Location"].startswith(location), response["Location"]


def queries(browser: Client, url: str) -> int:
    """SQL queries of one (warm) request."""
    with CaptureQueriesContext(connection) as captured:
        browser.get(url)
    return len(captured.captured_queries)


def calls(clients: dict[str, tuple[Client, str]]) -> dict[str, Callable[[], object]]:
    """One request per call, for ``common.interleaved``."""
    return {name: (lambda b=b, u=u: b.get(u)) for name, (b, u) in clients.items()}


def wsgi_medians(
    clients: dict[str, tuple[Client, str]], rounds: int, count: int
) -> dict[str, list[float]]:
    """The verified requests again through gunicorn (one worker, one thread, keep-alive),
    each with its session cookie, from one ``requests.Session`` per variant."""
    port = common.free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.settings_peers"}
    command = [sys.executable, "-m", "gunicorn", "--workers", "1", "--worker-class", "gthread"]
    command += ["--threads", "1", "--bind", f"127.0.0.1:{port}", "benchmarks.wsgi_gate:application"]
    server = subprocess.Popen(command, cwd=common.ROOT, env=env, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        common.wait_for_http(base + "/floor/", server)
        sessions: dict[str, Callable[[], object]] = {}
        for name, (browser, url) in clients.items():
            http = requests.Session()
            http.cookies.update({key: morsel.value for key, morsel in browser.cookies.items()})
            answer = http.get(base + url, allow_redirects=False, timeout=5)
            assert answer.status_code == 200, (name, answer.status_code)
            sessions[name] = lambda h=http, u=base + url: h.get(u, timeout=5)
        common.interleaved(sessions, rounds=1, count=count // 5)  # warm-up
        return common.interleaved(sessions, rounds=rounds, count=count)
    finally:
        common.stop(server)


def asgi_medians(
    clients: dict[str, tuple[Client, str]], rounds: int, count: int
) -> dict[str, list[float]]:
    """The requests again through Django's ASGI handler of each variant's stack (the
    stack is the name's last part: ``anon-ours`` runs through ours)."""
    phase = asgi_gate.Phase()
    try:
        variants: dict[str, Callable[[], object]] = {}
        for name, (browser, url) in clients.items():
            call = phase.call(name.rsplit("-", 1)[-1], browser, url)
            status = call()
            expected = 302 if name.startswith("anon-") else 200
            assert status == expected, (name, status)
            variants[name] = call
        common.interleaved(variants, rounds=1, count=count // 5)  # warm-up
        return common.interleaved(variants, rounds=rounds, count=count)
    finally:
        phase.close()


def spread(ours: list[float], floor: list[float]) -> str:
    """Per-round ratios ours/floor: median and range."""
    ratios = [o / f for o, f in zip(ours, floor, strict=True)]
    return f"median {common.median(ratios):.3f}, range {min(ratios):.3f}-{max(ratios):.3f}"


def chart(inproc: dict[str, float], wsgi: dict[str, float], nq: dict[str, int]) -> None:
    """Bars: µs per request of each variant, in-process and through gunicorn."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = {"floor": "Django login_required", "ours": "django-tyntec2fa", "otp": "django-otp"}
    colours = {"floor": "#9e9e9e", "ours": "#2e7d32", "otp": "#1565c0"}
    figure, axes = plt.subplots(1, 2, figsize=(9, 3.8))
    for ax, (title, values) in zip(
        axes, (("in-process (test client)", inproc), ("gunicorn, keep-alive", wsgi)), strict=True
    ):
        names = list(labels)
        bars = ax.bar(
            [labels[n] for n in names],
            [values[n] for n in names],
            color=[colours[n] for n in names],
        )
        for bar, name in zip(bars, names, strict=True):
            ratio = values[name] / values["floor"]
            text = f"{values[name]:.0f} µs (×{ratio:.2f})\n{nq[name]} queries"
            top = (bar.get_x() + bar.get_width() / 2, bar.get_height())
            ax.annotate(
                text,
                top,
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=8,
            )
        ax.set_title(title)
        ax.set_ylabel("µs per request (median)")
        ax.set_ylim(0, max(values.values()) * 1.35)
        ax.tick_params(axis="x", labelsize=8)
    figure.suptitle("The gate: a verified user's page (lower is better)")
    figure.tight_layout()
    figure.savefig(CHART, dpi=110)
    plt.close(figure)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; the exit status is 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--count", type=int, default=1000, help="requests per round, in-process")
    parser.add_argument("--wsgi-count", type=int, default=200, help="requests per round, WSGI")
    parser.add_argument("--asgi-count", type=int, default=200, help="requests per round, ASGI")
    args = parser.parse_args(argv)
    common.header("bench_gate: the gate on every request")
    peers.migrate()
    verified = verified_clients()
    others = other_clients()
    for browser, url in verified.values():
        expect(browser, url, 200)
    expect(*others["anon-floor"], 302, "/accounts/login/")
    expect(*others["anon-ours"], 302, "/accounts/login/")
    expect(*others["session-floor"], 302, "/accounts/login/")
    expect(*others["pending-ours"], 302, "/2fa/challenge/")
    nq = {name: queries(b, u) for name, (b, u) in {**verified, **others}.items()}

    common.interleaved(calls(verified), rounds=1, count=args.count // 4)  # warm-up
    inproc = common.interleaved(calls(verified), rounds=args.rounds, count=args.count)
    small = max(1, args.count // 4)
    anon = common.interleaved(
        calls({k: others[k] for k in ("anon-floor", "anon-ours")}), rounds=args.rounds, count=small
    )
    pending = common.interleaved(
        calls({k: others[k] for k in ("session-floor", "pending-ours")}),
        rounds=args.rounds,
        count=small,
    )
    wsgi = wsgi_medians(verified, args.rounds, args.wsgi_count)
    anonymous = {k: others[k] for k in ("anon-floor", "anon-ours")}
    asgi = asgi_medians({**verified, **anonymous}, args.rounds, args.asgi_count)
    # The same page as an async view (``request.auser()``), as an ASGI site would write it.
    async_pages = {f"async-{name}": (b, f"/async{u}") for name, (b, u) in verified.items()}
    asgi.update(asgi_medians(async_pages, args.rounds, args.asgi_count))
    amed = {name: common.median(values) for name, values in asgi.items()}
    med = {name: common.median(values) for name, values in {**inproc, **anon, **pending}.items()}
    wmed = {name: common.median(values) for name, values in wsgi.items()}

    figures = [
        Figure(
            "in-process, verified: ours",
            med["ours"],
            med["floor"],
            "µs",
            "floor",
            f"<= {LIMIT}",
            common.ratio_at_most(med["ours"], med["floor"], LIMIT),
        ),
        Figure("in-process, verified: django-otp", med["otp"], med["floor"], "µs", "floor"),
        Figure("gunicorn, verified: ours", wmed["ours"], wmed["floor"], "µs", "floor"),
        Figure("gunicorn, verified: django-otp", wmed["otp"], wmed["floor"], "µs", "floor"),
        Figure(
            "ASGI, verified: ours",
            amed["ours"],
            amed["floor"],
            "µs",
            "floor",
            f"<= {LIMIT}",
            common.ratio_at_most(amed["ours"], amed["floor"], LIMIT),
        ),
        Figure("ASGI, verified: django-otp", amed["otp"], amed["floor"], "µs", "floor"),
        Figure(
            "ASGI, verified, async page: ours",
            amed["async-ours"],
            amed["async-floor"],
            "µs",
            "floor",
            f"<= {LIMIT}",
            common.ratio_at_most(amed["async-ours"], amed["async-floor"], LIMIT),
        ),
        Figure(
            "ASGI, verified, async page: django-otp",
            amed["async-otp"],
            amed["async-floor"],
            "µs",
            "floor",
        ),
        Figure("ASGI, anonymous: ours", amed["anon-ours"], amed["anon-floor"], "µs", "floor"),
        Figure("in-process, anonymous: ours", med["anon-ours"], med["anon-floor"], "µs", "floor"),
        Figure(
            "in-process, pending: ours", med["pending-ours"], med["session-floor"], "µs", "floor*"
        ),
        Figure(
            "queries, verified: ours",
            nq["ours"],
            nq["floor"],
            "",
            "floor",
            "+0",
            nq["ours"] <= nq["floor"],
        ),
        Figure("queries, verified: django-otp", nq["otp"], nq["floor"], "", "floor"),
        Figure(
            "queries, anonymous: ours",
            nq["anon-ours"],
            nq["anon-floor"],
            "",
            "floor",
            "+0",
            nq["anon-ours"] <= nq["anon-floor"],
        ),
        Figure(
            "queries, pending: ours",
            nq["pending-ours"],
            nq["session-floor"],
            "",
            "floor*",
            "+0",
            nq["pending-ours"] <= nq["session-floor"],
        ),
    ]
    common.print_table("bench_gate (median of per-round medians)", figures)
    print("floor* = an anonymous request with a session cookie (the pending login's floor)")
    print(f"per-round ratio in-process ours/floor: {spread(inproc['ours'], inproc['floor'])}")
    print(f"per-round ratio in-process otp/floor:  {spread(inproc['otp'], inproc['floor'])}")
    print(f"per-round ratio gunicorn ours/floor:   {spread(wsgi['ours'], wsgi['floor'])}")
    print(f"per-round ratio ASGI ours/floor:       {spread(asgi['ours'], asgi['floor'])}")
    print(f"per-round ratio ASGI otp/floor:        {spread(asgi['otp'], asgi['floor'])}")
    print(
        "per-round ratio ASGI async page ours/floor: "
        f"{spread(asgi['async-ours'], asgi['async-floor'])}"
    )
    print(
        f"rounds: {args.rounds} x {args.count} requests in-process, x {args.wsgi_count} "
        f"gunicorn, x {args.asgi_count} ASGI"
    )
    chart({k: med[k] for k in verified}, wmed, nq)
    print(f"chart: {CHART.relative_to(common.ROOT)}")
    return common.verdict(figures)


if __name__ == "__main__":
    try:
        status = main()
    finally:
        shutil.rmtree(WORKDIR, ignore_errors=True)
    sys.exit(status)
