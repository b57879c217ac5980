"""Under load: the example project on gunicorn (4 sync workers), PostgreSQL (a throwaway
database), Redis (a flushed db number) and the fake tyntec as provider, driven by
``load_driver`` from a second process at a fixed concurrency for a bounded time.

Phases, one after the other with the same concurrency and duration: the baseline (GET
the login page, no database), ``send`` (POST the challenge's send form: a new code via
the fake) and ``login`` (POST the password, which sends a code, then POST the right
code: a verification). Figures: requests per second and p50/p95/p99 latency next to the
baseline's, and errors (5xx or no answer; target: none).

Then the latency phase (issue 12): the fake answers every call after 150 ms, as a
distant or busy provider would, and the ``login`` phase runs twice, on 4 sync workers and
on 4 threaded workers (``gthread``, ``--threads``), while the home page is requested
every 0.25 s. Figures: logins per second and the p99 of each login request, the home
page's p95 meanwhile; targets: no errors, and threaded workers at least as fast as sync
ones (a worker waiting for tyntec must not hold up its other threads).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from . import common
from .common import Figure
from .fake_fixed import CODE

API_KEY = "bench-load-key"
PASSWORD = "bench-load-pass"  # noqa: S105  (throwaway users of a throwaway database)
USERS = "load"


def environment(database: str, port: int) -> dict[str, str]:
    """The example project's environment for this run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TYNTEC2FA_", "DJANGO_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "benchmarks.settings_load",
            "DJANGO_DEBUG": "0",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
            "REDIS_URL": common.REDIS_URL,
            "TYNTEC2FA_PROVIDER": "tyntec",
            "TYNTEC2FA_API_KEY": API_KEY,
            "PYTHONPATH": f"{common.ROOT}{os.pathsep}{common.ROOT / 'example_project'}",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def prepare(env: dict[str, str], users: int) -> None:
    """Migrate the database and create the users, each with a confirmed phone."""
    script = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "from django.contrib.auth import get_user_model\n"
        "from django_tyntec2fa.models import PhoneDevice\n"
        "call_command('migrate', verbosity=0, interactive=False)\n"
        f"for i in range({users}):\n"
        f"    u = get_user_model().objects.create_user(f'{USERS}{{i}}', password='{PASSWORD}')\n"
        "    PhoneDevice.objects.create(user=u, number=f'+4915112{i:06d}', confirmed=True,"
        " is_primary=True)\n"
    )
    subprocess.run([sys.executable, "-c", script], env=env, cwd=common.ROOT, check=True)


def start_fake() -> tuple[subprocess.Popen[bytes], str]:
    """The fake tyntec (fixed code) in its own process; its base URL."""
    command = [sys.executable, "-m", "benchmarks.fake_fixed", "--port", "0", "--api-key", API_KEY]
    fake = subprocess.Popen(command, cwd=common.ROOT, stdout=subprocess.PIPE)
    assert fake.stdout is not None
    line = fake.stdout.readline().decode()
    if "listening on" not in line:
        common.stop(fake)
        raise RuntimeError(f"the fake did not start: {line!r}")
    return fake, line.rsplit(" ", 1)[1].strip()


def drive(url: str, phase: str, args: argparse.Namespace) -> dict[str, Any]:
    """One phase of load from a second process; its JSON summary."""
    command = [sys.executable, "-m", "benchmarks.load_driver", "--url", url, "--phase", phase]
    command += ["--concurrency", str(args.concurrency), "--duration", str(args.duration)]
    command += ["--max-requests", str(args.max_requests), "--user-prefix", USERS]
    command += ["--password", PASSWORD, "--code", CODE[: args.pin_length]]
    done = subprocess.run(
        command, cwd=common.ROOT, capture_output=True, check=True, timeout=args.duration + 120
    )
    return dict(json.loads(done.stdout))


#: The fake's answer delay in the latency phase, and the home page's sampling period.
PROVIDER_DELAY = 0.15
PAGE_EVERY = 0.25
#: Worker models of the latency phase: name -> gunicorn arguments.
WORKER_MODELS = {
    "sync": ["--workers", "4"],
    "gthread": ["--workers", "4", "--worker-class", "gthread", "--threads", "4"],
}


def serve(env: dict[str, str], port: int, worker_args: list[str]) -> subprocess.Popen[bytes]:
    """gunicorn with ``worker_args``, up and answering."""
    command = [sys.executable, "-m", "gunicorn", *worker_args]
    command += ["--bind", f"127.0.0.1:{port}", "example.wsgi:application"]
    server = subprocess.Popen(command, cwd=common.ROOT, env=env, stderr=subprocess.DEVNULL)
    try:
        common.wait_for_http(f"http://127.0.0.1:{port}/accounts/login/", server)
    except BaseException:
        common.stop(server)
        raise
    return server


def pages_meanwhile(
    url: str, stop: threading.Event, deadline: float, latencies: list[float]
) -> None:
    """GET / every PAGE_EVERY seconds, each on its own, until ``stop``; the latencies in
    ms go to ``latencies`` (a failed request counts as 30 000 ms)."""

    def one() -> None:
        started = time.perf_counter()
        try:
            ok = requests.get(url + "/", timeout=30).status_code == 200
        except requests.RequestException:
            ok = False
        latencies.append((time.perf_counter() - started) * 1000 if ok else 30_000.0)

    with ThreadPoolExecutor(max_workers=16) as pool:
        due = time.monotonic()
        while not stop.is_set() and time.monotonic() < deadline:  # bounded by deadline
            pool.submit(one)
            due += PAGE_EVERY
            stop.wait(max(0.0, due - time.monotonic()))


def latency_phase(
    env: dict[str, str], fake_url: str, args: argparse.Namespace
) -> dict[str, dict[str, Any]]:
    """The login phase with a 150 ms provider, per worker model, and the home page."""
    delay = {"kind": "latency", "delay": PROVIDER_DELAY, "times": 10**7}
    requests.post(
        fake_url + "/_fake/faults", json=delay, headers={"apiKey": API_KEY}, timeout=5
    ).raise_for_status()
    results: dict[str, dict[str, Any]] = {}
    for model, worker_args in WORKER_MODELS.items():
        port = common.free_port()
        server = serve(env, port, worker_args)
        try:
            url = f"http://127.0.0.1:{port}"
            stop = threading.Event()
            pages: list[float] = []
            deadline = time.monotonic() + args.duration + 180
            sampler = threading.Thread(target=pages_meanwhile, args=(url, stop, deadline, pages))
            sampler.start()
            try:
                measured = drive(url, "login", args)
            finally:
                stop.set()
                sampler.join(60)
            results[model] = {**measured, "pages": pages}
        finally:
            common.stop(server)
    return results


def summarise_latency(
    latency: dict[str, dict[str, Any]], results: dict[str, dict[str, Any]]
) -> list[Figure]:
    """Logins/s and p99 per worker model (sync against the login phase without
    latency, gthread against sync), the home page's p95 against the baseline GET's."""
    figures: list[Figure] = []
    base_get = next(iter(results["baseline"]["latencies"].values()))
    no_latency = len(results["login"]["latencies"]["POST verify"]) / results["login"]["elapsed"]
    rates: dict[str, float] = {}
    for model, result in latency.items():
        rates[model] = len(result["latencies"].get("POST verify", [])) / result["elapsed"]
    for model, result in latency.items():
        baseline, name = (
            (no_latency, "login, no delay")
            if model == "sync"
            else (
                rates["sync"],
                "sync",
            )
        )
        target = "" if model == "sync" else ">= sync"
        passed = None if model == "sync" else rates[model] >= rates["sync"]
        figures.append(
            Figure(f"150 ms, {model}: logins/s", rates[model], baseline, "", name, target, passed)
        )
        for label, values in result["latencies"].items():
            figures.append(
                Figure(f"150 ms, {model}: {label} p99", common.percentile(values, 99), None, "ms")
            )
        figures.append(
            Figure(
                f"150 ms, {model}: home page p95",
                common.percentile(result["pages"], 95),
                common.percentile(base_get, 95),
                "ms",
                "GET",
            )
        )
    errors = sum(
        r.get("errors", 0)
        + sum(n for s in r.get("statuses", {}).values() for c, n in s.items() if int(c) >= 500)
        + sum(1 for value in r["pages"] if value >= 30_000.0)
        for r in latency.values()
    )
    figures.append(
        Figure("150 ms: errors (5xx or no answer)", errors, None, "", "", "0", errors == 0)
    )
    return figures


def summarise(results: dict[str, dict[str, Any]]) -> list[Figure]:
    """Throughput and percentiles of each phase next to the baseline's; errors."""
    base = results["baseline"]
    base_rps = sum(len(v) for v in base["latencies"].values()) / base["elapsed"]
    base_lat = next(iter(base["latencies"].values()))
    figures = []
    for phase, result in results.items():
        count = sum(len(v) for v in result["latencies"].values())
        figures.append(
            Figure(f"{phase}: requests/s", count / result["elapsed"], base_rps, "", "GET")
        )
        for label, values in result["latencies"].items():
            for q in (50, 95, 99):
                figures.append(
                    Figure(
                        f"{phase}: {label} p{q}",
                        common.percentile(values, q),
                        common.percentile(base_lat, q),
                        "ms",
                        "GET",
                    )
                )
    errors = sum(
        r["errors"] + sum(n for s in r["statuses"].values() for c, n in s.items() if int(c) >= 500)
        for r in results.values()
    )
    figures.append(Figure("errors (5xx or no answer)", errors, None, "", "", "0", errors == 0))
    return figures


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; the exit status is 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per phase")
    parser.add_argument("--max-requests", type=int, default=30000, help="per phase")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--pin-length", type=int, default=6)
    parser.add_argument(
        "--no-latency", dest="latency", action="store_false", help="skip the 150 ms phase"
    )
    args = parser.parse_args(argv)
    common.header("bench_load: gunicorn + PostgreSQL + Redis + fake tyntec under load")
    import redis

    cache = redis.Redis.from_url(common.REDIS_URL)
    cache.flushdb()
    fake, fake_url = start_fake()
    try:
        with common.postgres_database("tyntec2fa_bench_load") as database:
            port = common.free_port()
            env = environment(database, port) | {"TYNTEC2FA_API_URL": fake_url}
            prepare(env, args.concurrency)
            server = serve(env, port, ["--workers", str(args.workers)])
            try:
                url = f"http://127.0.0.1:{port}"
                results = {p: drive(url, p, args) for p in ("baseline", "send", "login")}
            finally:
                common.stop(server)
            latency = latency_phase(env, fake_url, args) if args.latency else {}
        counters = requests.get(
            fake_url + "/_fake/counters", headers={"apiKey": API_KEY}, timeout=5
        ).json()["counters"]
    finally:
        common.stop(fake)
        cache.flushdb()

    figures = summarise(results) + (summarise_latency(latency, results) if latency else [])
    common.print_table("bench_load", figures)
    for phase, result in results.items():
        print(f"{phase}: statuses {result['statuses']}, {result['elapsed']:.1f} s")
    for model, result in latency.items():
        print(
            f"150 ms, {model}: statuses {result.get('statuses')}, {result.get('elapsed', 0):.1f} s,"
            f" {len(result['pages'])} home pages; gunicorn {' '.join(WORKER_MODELS[model])}"
        )
    print(f"fake tyntec calls: { ({k: v for k, v in counters.items() if v}) }")
    print(
        f"{args.concurrency} concurrent browsers x {args.duration:g} s per phase "
        f"(at most {args.max_requests} requests), {args.workers} gunicorn sync workers"
    )
    return common.verdict(figures)


if __name__ == "__main__":
    sys.exit(main())
