"""What every benchmark shares: figures next to their baselines, the verdict, timing
helpers, the machine description, loopback ports and a throwaway PostgreSQL database.

No Django import at module level: ``bench_client`` and the load driver run without it.
"""

from __future__ import annotations

import contextlib
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_DSN = os.environ.get("BENCH_PG_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


@dataclass(frozen=True)
class Figure:
    """One measured figure next to its baseline from the same run."""

    name: str
    value: float
    baseline: float | None
    unit: str
    baseline_name: str = ""
    target: str = ""
    #: None: reported only; True/False: the target was met or missed.
    passed: bool | None = None

    @property
    def ratio(self) -> float | None:
        """value / baseline, or None without a (non-zero) baseline."""
        if self.baseline is None or self.baseline == 0:
            return None
        return self.value / self.baseline


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    if value == int(value) and abs(value) < 1e9:
        return f"{int(value)}"
    return f"{value:.4g}" if abs(value) < 10 else f"{value:.1f}"


def print_table(title: str, figures: Sequence[Figure]) -> None:
    """Print ``figures`` as an aligned table: value, baseline, ratio, target, verdict."""
    print(f"\n== {title} ==")
    header = ("figure", "value", "baseline", "ratio", "target", "")
    rows = [header]
    for fig in figures:
        ratio = fig.ratio
        verdict = {None: "", True: "OK", False: "MISSED"}[fig.passed]
        base = _number(fig.baseline)
        if fig.baseline_name:
            base = f"{base} ({fig.baseline_name})"
        rows.append(
            (
                fig.name,
                f"{_number(fig.value)} {fig.unit}".strip(),
                base,
                "-" if ratio is None else f"{ratio:.3f}",
                fig.target,
                verdict,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def verdict(figures: Sequence[Figure]) -> int:
    """The exit status: 1 when any target was missed, else 0. Prints the misses."""
    missed = [fig.name for fig in figures if fig.passed is False]
    if missed:
        print(f"\nTARGET MISSED: {', '.join(missed)}")
        return 1
    print("\nall targets met")
    return 0


def ratio_at_most(value: float, baseline: float, limit: float) -> bool:
    """True when value / baseline <= limit."""
    return value <= baseline * limit


def median(values: Sequence[float]) -> float:
    """The median (a named helper so every script summarises the same way)."""
    return float(statistics.median(values))


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank of the sorted values."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return float(ordered[rank])


def time_calls(call: Callable[[], object], count: int) -> list[float]:
    """Run ``call`` ``count`` times; the duration of each call in microseconds."""
    clock = time.perf_counter_ns
    samples = []
    for _ in range(count):
        started = clock()
        call()
        samples.append((clock() - started) / 1000)
    return samples


def interleaved(
    variants: dict[str, Callable[[], object]], *, rounds: int, count: int
) -> dict[str, list[float]]:
    """Per variant, the median µs per call of each round. The variants take turns in
    each round, and the order alternates (ABC, CBA, ...), so slow drift of the machine
    (CPU frequency, other processes) falls on all of them alike."""
    medians: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for index in range(rounds):
        for name in names if index % 2 == 0 else reversed(names):
            medians[name].append(median(time_calls(variants[name], count)))
    return medians


def machine() -> str:
    """One line: CPUs, CPU model, Python, Django, and how busy the machine is."""
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    try:
        import django

        django_version = django.get_version()
    except ImportError:
        django_version = "not installed"
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"{os.cpu_count()} CPU(s), {model}; Python {platform.python_version()}; "
        f"Django {django_version}; load average {load}"
    )


def free_port() -> int:
    """A port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_http(url: str, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """Poll ``url`` until it answers (any status); raise if ``process`` dies or time runs out."""
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with status {process.returncode}")
        try:
            requests.get(url, timeout=5)  # the first request warms a worker up
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate a server we started, and wait for it."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@contextlib.contextmanager
def postgres_database(prefix: str) -> Iterator[str]:
    """A fresh PostgreSQL database on 127.0.0.1 for one run; dropped on exit."""
    import psycopg

    name = f"{prefix}_{os.getpid()}"
    with psycopg.connect(PG_DSN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def header(title: str) -> None:
    """The first lines of every script's output."""
    print(f"# {title}\n# {machine()}", flush=True)
