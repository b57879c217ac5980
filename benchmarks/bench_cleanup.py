"""Growth: ``manage.py tyntec2fa_cleanup`` on 10⁴, 10⁵ and 10⁶ challenges that expired
30 days ago (all to be deleted), on PostgreSQL. Each size runs in a fresh process, so
its peak memory is its own; rows are made server-side (``generate_series``) and not
timed. Targets: time grows about linearly (×5 to ×20 per ×10 rows) and the memory the
command adds stays bounded (10⁶ rows: under twice the 10⁵ figure plus 16 MiB).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from typing import Any

from . import common
from .common import Figure

MARGIN_KIB = 16 * 1024


def child(size: int) -> dict[str, Any]:
    """In a fresh process: make ``size`` expired challenges, time the command."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings_cleanup")
    import datetime as dt
    from io import StringIO

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from django_tyntec2fa.models import Challenge, PhoneDevice

    call_command("migrate", verbosity=0, interactive=False)
    user, _ = get_user_model().objects.get_or_create(username="cleanup")
    device, _ = PhoneDevice.objects.get_or_create(user=user, number="+4915123456789")
    long_ago = timezone.now() - dt.timedelta(days=30)
    first = Challenge.objects.create(
        user=user,
        device=device,
        purpose=Challenge.Purpose.LOGIN,
        status=Challenge.Status.EXPIRED,
        channel=PhoneDevice.Channel.SMS,
        max_attempts=3,
        created_at=long_ago,
        expires_at=long_ago,
        finished_at=long_ago,
    )
    # Copies of the first row, made by the server: every column but the id, so the
    # insert follows the model whatever columns it has.
    table = connection.ops.quote_name(Challenge._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(f.column)
        for f in Challenge._meta.concrete_fields
        if f.name != "id"
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {table}, "  # noqa: S608
            "generate_series(1, %s) WHERE id = %s",
            [size - 1, first.pk],
        )
        cursor.execute(f"ANALYZE {table}")
    insert = time.perf_counter() - started
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    call_command("tyntec2fa_cleanup", stdout=StringIO())
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    left = Challenge.objects.count()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {table}")  # the next size starts from a clean table
    return {
        "size": size,
        "seconds": seconds,
        "insert": insert,
        "rss_before": before,
        "rss_peak": peak,
        "left": left,
    }


def run_size(size: int, database: str) -> dict[str, Any]:
    """``child(size)`` in a new Python process."""
    env = {
        **os.environ,
        "BENCH_PG_DB": database,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings_cleanup",
    }
    command = [sys.executable, "-m", "benchmarks.bench_cleanup", "--child", str(size)]
    done = subprocess.run(
        command, cwd=common.ROOT, env=env, capture_output=True, check=True, timeout=900
    )
    return dict(json.loads(done.stdout))


def repeated(size: int, database: str) -> dict[str, Any]:
    """Up to 10⁵ rows the command takes a second or less, where a busy machine shows:
    three fresh runs, the median time and the largest memory. 10⁶ rows: one run."""
    runs = [run_size(size, database) for _ in range(3 if size <= 100_000 else 1)]
    middle = sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2]
    added = max(run["rss_peak"] - run["rss_before"] for run in runs)
    return {**middle, "rss_peak": middle["rss_before"] + added, "runs": len(runs)}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; the exit status is 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child)))
        return 0
    common.header("bench_cleanup: tyntec2fa_cleanup on growing tables")
    with common.postgres_database("tyntec2fa_bench_cleanup") as database:
        runs = [repeated(size, database) for size in args.sizes]
    figures = []
    for run in runs:
        added = run["rss_peak"] - run["rss_before"]
        print(
            f"{run['size']:>9} rows: {run['seconds']:.2f} s ({run['seconds'] / run['size'] * 1e6:.1f} µs/row), "
            f"peak RSS {run['rss_peak'] / 1024:.1f} MiB (+{added / 1024:.1f} MiB during the command), "
            f"rows left {run['left']}, insert {run['insert']:.1f} s, median of {run['runs']} run(s)"
        )
        figures.append(
            Figure(
                f"rows left after {run['size']}", run["left"], None, "", "", "0", run["left"] == 0
            )
        )
    for small, large in zip(runs, runs[1:], strict=False):
        ratio = large["seconds"] / small["seconds"]
        growth = large["size"] / small["size"]
        low, high = growth / 2, growth * 2
        figures.append(
            Figure(
                f"time {large['size']} / {small['size']} rows",
                large["seconds"],
                small["seconds"],
                "s",
                f"{small['size']} rows",
                f"{low:g}..{high:g}",
                low <= ratio <= high,
            )
        )
        small_added = small["rss_peak"] - small["rss_before"]
        large_added = large["rss_peak"] - large["rss_before"]
        figures.append(
            Figure(
                f"memory added {large['size']} vs {small['size']} rows",
                large_added / 1024,
                small_added / 1024,
                "MiB",
                f"{small['size']} rows",
                "< 2x + 16 MiB",
                large_added < 2 * small_added + MARGIN_KIB,
            )
        )
    common.print_table("bench_cleanup", figures)
    return common.verdict(figures)


if __name__ == "__main__":
    sys.exit(main())
