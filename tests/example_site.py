"""Run the example project for tests: ``manage.py`` commands and a served site.

Shared by ``test_example_project.py`` and the browser test in ``e2e/``. The site runs
under ``runserver --noreload`` on a free 127.0.0.1 port with its own SQLite file, so
the outbox (an in-process list) belongs to that one server process.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

EXAMPLE = Path(__file__).resolve().parent.parent / "example_project"
DEMO_USER = ("demo", "demo-pass-2fa")
DEMO_NUMBER = "+4915123456789"
#: Seconds the server gets to answer its first request.
START_TIMEOUT = 30.0


def example_env(directory: Path, **extra: str) -> dict[str, str]:
    """The environment of a demo site with its own database file in ``directory``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TYNTEC2FA_", "DJANGO_"))
        and key not in {"DATABASE_URL", "REDIS_URL"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "example.settings",
            "DATABASE_URL": f"sqlite:///{directory / 'db.sqlite3'}",
            "DJANGO_DEBUG": "1",
            "PYTHONUNBUFFERED": "1",
            # This checkout's package, not whichever one the venv has installed (a
            # worktree's tests would otherwise serve another tree's code).
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(EXAMPLE.parent), os.environ.get("PYTHONPATH")])
            ),
            # The demo trusts browsers for 30 days; a test that wants the box on the
            # code page passes TYNTEC2FA_TRUST_BROWSER_DAYS (tests/e2e/test_trust_browser.py).
            "TYNTEC2FA_TRUST_BROWSER_DAYS": "0",
            # A module's browser tests sign the demo user in again and again from one
            # IP: the password step's limits (tests/gate/test_login_throttle.py) must
            # not be what stops them.
            "TYNTEC2FA_LOGIN_RATE_IP": "1000/m",
            "TYNTEC2FA_LOGIN_RATE_USER": "1000/m",
        }
    )
    env.update(extra)
    return env


def manage(
    *args: str, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``manage.py`` of the example project; raises on a non-zero exit."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=EXAMPLE,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
    )


def free_port() -> int:
    """A port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Site:
    """A running demo site."""

    url: str
    log: Path

    def output(self) -> str:
        """What the server printed so far (console codes, request log, tracebacks)."""
        return self.log.read_text(errors="replace")

    def outbox(self) -> list[dict[str, str]]:
        """The messages the local provider delivered, oldest first (``/outbox.json``)."""
        response = requests.get(self.url + "/outbox.json", timeout=5)
        response.raise_for_status()
        return list(response.json())

    def delivered_code(self, number: str) -> str:
        """The code of the newest message the local provider delivered to ``number``
        (read over HTTP; ``tests/steps.py``'s ``last_code`` reads this process's outbox)."""
        codes = [message["code"] for message in self.outbox() if message["number"] == number]
        assert codes, f"no code was delivered to {number}"
        return codes[-1]


@contextlib.contextmanager
def serve(env: dict[str, str], log: Path) -> Iterator[Site]:
    """Migrate, seed and serve the demo; stops the server on exit."""
    manage("migrate", "--noinput", env=env)
    manage("seed_demo", env=env)
    port = free_port()
    site = Site(url=f"http://127.0.0.1:{port}", log=log)
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=EXAMPLE,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            _wait_until_up(site, process)
            yield site
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _wait_until_up(site: Site, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"runserver exited with {process.returncode}:\n{site.output()}")
        try:
            requests.get(site.url + "/accounts/login/", timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise RuntimeError(f"runserver did not answer within {START_TIMEOUT} s:\n{site.output()}")
