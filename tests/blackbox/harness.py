"""The processes of the black-box tests: the fake tyntec server, a fresh PostgreSQL
database, and the example project under gunicorn with four workers.

Everything listens on 127.0.0.1 only. Every wait has a deadline, and every process
is terminated (then killed) in a ``finally`` block of ``serve``.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
import redis

from ..example_site import EXAMPLE, free_port

REPO = EXAMPLE.parent
API_KEY = "blackbox-api-key"
WORKERS = 4
#: A Redis database of its own; keys also carry a per-run prefix, and only those are
#: deleted, so a parallel run or another suite's keys are never touched.
REDIS_URL = os.environ.get("BLACKBOX_REDIS_URL", "redis://127.0.0.1:6379/12")
START_DEADLINE = 30.0  # seconds for a process to come up
STOP_DEADLINE = 10.0  # seconds between SIGTERM and SIGKILL
HTTP_TIMEOUT = 10.0

SEED = """
import json, os
from django.contrib.auth import get_user_model
from django_tyntec2fa.models import PhoneDevice
for spec in json.loads(os.environ["BLACKBOX_SEED"]):
    user = get_user_model().objects.create_user(spec["username"], password=spec["password"])
    if spec.get("days_old"):
        from datetime import timedelta
        from django.utils import timezone
        user.date_joined = timezone.now() - timedelta(days=float(spec["days_old"]))
        user.save(update_fields=["date_joined"])
    if spec.get("number"):
        PhoneDevice.objects.create(
            user=user, number=spec["number"], confirmed=True, is_primary=True
        )
"""


def pg_params(dbname: str) -> dict[str, Any]:
    """Connection parameters of the suite's PostgreSQL server (as tests.settings_postgres)."""
    return {
        "host": os.environ.get("PGHOST", "127.0.0.1"),
        "port": int(os.environ.get("PGPORT", "5432")),
        "user": os.environ.get("PGUSER", "postgres"),
        "password": os.environ.get("PGPASSWORD", ""),
        "dbname": dbname,
        "connect_timeout": 10,
    }


@contextmanager
def fresh_database(name: str) -> Iterator[str]:
    """Create database ``name`` (dropping a leftover of a crashed run), drop it after."""
    with psycopg.connect(**pg_params("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(**pg_params("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def delete_cache_keys(prefix: str) -> None:
    """Delete the site's cache keys (``<prefix>:<version>:<key>``) and nothing else."""
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=HTTP_TIMEOUT)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def stop_process(process: subprocess.Popen[Any]) -> None:
    """SIGTERM, then SIGKILL after ``STOP_DEADLINE``; safe on a process that exited."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_DEADLINE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_DEADLINE)


def start_fake(api_key: str) -> tuple[subprocess.Popen[str], str]:
    """The fake as a subprocess on a free port; returns it and its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "django_tyntec2fa.testing.fake_tyntec", "--port", "0"],
        env={**os.environ, "FAKE_TYNTEC_API_KEY": api_key},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        ready, _w, _x = select.select([process.stdout], [], [], START_DEADLINE)
        line = process.stdout.readline() if ready else ""
        prefix = "fake tyntec listening on "
        if not line.startswith(prefix):
            raise RuntimeError(f"the fake did not start: {line!r}")
        return process, line[len(prefix) :].strip()
    except BaseException:
        stop_process(process)
        raise


@dataclass
class BlackBoxSite:
    """The running example project, its fake tyntec, database and Redis prefix."""

    url: str
    fake_url: str
    database: str
    cache_prefix: str
    access_log: Path
    env: dict[str, str]
    processes: list[subprocess.Popen[Any]] = field(default_factory=list)

    # -- setup ---------------------------------------------------------------------

    def manage(self, *args: str, extra_env: dict[str, str] | None = None) -> str:
        """``manage.py`` of the example project with the site's settings; its stdout."""
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=EXAMPLE,
            env={**self.env, **(extra_env or {})},
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{done.stderr}")
        return done.stdout

    def seed(self, users: list[dict[str, str]]) -> None:
        """Create users (``username``, ``password``, optional confirmed ``number``,
        optional ``days_old``: joined that many days ago)."""
        self.manage("shell", "-c", SEED, extra_env={"BLACKBOX_SEED": json.dumps(users)})

    # -- state between tests -------------------------------------------------------

    def reset(self) -> None:
        """The fake back to a fresh account; the site's rate-limit counters gone."""
        self.control("POST", "/_fake/reset")
        delete_cache_keys(self.cache_prefix)

    # -- the fake's control endpoints ------------------------------------------------

    def control(self, method: str, path: str) -> Any:
        response = httpx.request(
            method, self.fake_url + path, headers={"apiKey": API_KEY}, timeout=HTTP_TIMEOUT
        )
        response.raise_for_status()
        return response.json()

    def counters(self) -> dict[str, int]:
        """Requests per provider operation the fake received."""
        return dict(self.control("GET", "/_fake/counters")["counters"])

    def outbox(self) -> list[dict[str, str]]:
        """What the phones received, oldest first."""
        return list(self.control("GET", "/_fake/outbox"))

    # -- the database, read directly -------------------------------------------------

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(**pg_params(self.database)) as connection:
            return connection.execute(sql, params).fetchall()

    def user_id(self, username: str) -> int:
        ((pk,),) = self.query("SELECT id FROM auth_user WHERE username = %s", username)
        return int(pk)

    def log_mark(self) -> int:
        """The access log's length now, to look only at what comes after."""
        return len(self._log_lines())

    def worker_pids(self, path: str, *, since: int = 0) -> set[str]:
        """Worker process ids that answered requests for ``path`` after ``since``."""
        pids = set()
        for line in self._log_lines()[since:]:
            pid, _method, logged_path, *_rest = line.split()
            if logged_path == path:
                pids.add(pid)
        return pids

    def _log_lines(self) -> list[str]:
        if not self.access_log.exists():
            return []
        return self.access_log.read_text().splitlines()


def _wait_until_up(url: str, process: subprocess.Popen[Any], log: Path) -> None:
    deadline = time.monotonic() + START_DEADLINE
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{log.read_text()}")
        with suppress(httpx.TransportError):
            if httpx.get(url + "/accounts/login/", timeout=1.0).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {START_DEADLINE} s:\n{log.read_text()}")


@contextmanager
def serve(
    directory: Path, *, name: str = "blackbox", extra_env: dict[str, str] | None = None
) -> Iterator[BlackBoxSite]:
    """Fake, database, migrations and gunicorn; everything stopped or dropped after.
    ``name`` tells two sites of one run apart; ``extra_env`` is added to the site's
    environment (``BLACKBOX_*`` values that site_settings.py reads)."""
    run = f"{name}{os.getpid()}"
    processes: list[subprocess.Popen[Any]] = []
    try:
        fake, fake_url = start_fake(API_KEY)
        processes.append(fake)
        with fresh_database(f"test_{run}") as database:
            env = {**site_env(database, fake_url, run), **(extra_env or {})}
            port = free_port()
            site = BlackBoxSite(
                url=f"http://127.0.0.1:{port}",
                fake_url=fake_url,
                database=database,
                cache_prefix=run,
                access_log=directory / "access.log",
                env=env,
                processes=processes,
            )
            site.manage("migrate", "--noinput")
            server_log = directory / "gunicorn.log"
            with server_log.open("w") as sink:
                server = subprocess.Popen(
                    gunicorn_command(port, site.access_log),
                    cwd=EXAMPLE,
                    env=env,
                    stdout=sink,
                    stderr=subprocess.STDOUT,
                )
            processes.append(server)
            _wait_until_up(site.url, server, server_log)
            site.reset()
            try:
                yield site
            finally:
                for process in reversed(processes):
                    stop_process(process)
                delete_cache_keys(run)
    finally:
        for process in reversed(processes):
            stop_process(process)


def gunicorn_command(port: int, access_log: Path) -> list[str]:
    """gunicorn from this virtualenv, four sync workers, the worker pid in the log."""
    return [
        str(Path(sys.executable).parent / "gunicorn"),
        "-w",
        str(WORKERS),
        "-b",
        f"127.0.0.1:{port}",
        "--graceful-timeout",
        "5",
        "--access-logfile",
        str(access_log),
        "--access-logformat",
        "%(p)s %(m)s %(U)s %(s)s",
        "example.wsgi",
    ]


def site_env(database: str, fake_url: str, run: str) -> dict[str, str]:
    """The site's environment: PostgreSQL, Redis, the fake tyntec, DEBUG off."""
    params = pg_params(database)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TYNTEC2FA_", "DJANGO_")) and key not in {"DATABASE_URL"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.blackbox.site_settings",
            # The settings module lives in this repository's tests package.
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
            "DJANGO_DEBUG": "0",
            "DATABASE_URL": (
                f"postgres://{params['user']}:{params['password']}@{params['host']}:"
                f"{params['port']}/{database}"
            ),
            "REDIS_URL": REDIS_URL,
            "BLACKBOX_CACHE_PREFIX": run,
            "TYNTEC2FA_PROVIDER": "tyntec",
            "TYNTEC2FA_API_URL": fake_url,
            "TYNTEC2FA_API_KEY": API_KEY,
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env
