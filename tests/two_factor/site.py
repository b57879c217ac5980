"""Serve the django-two-factor-auth site under ``runserver`` for the tests.

The site runs in its own process with its own SQLite file; it reaches the fake tyntec
server (run by the test process) over real HTTP on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import time
from binascii import unhexlify
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests
from django_otp.oath import totp

from ..example_site import free_port

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0
LOGIN = "/account/login/"


def site_env(database: Path, api_url: str, api_key: str) -> dict[str, str]:
    """The site's environment: its settings, database file and the fake's address."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TYNTEC2FA_", "DJANGO_")) and key != "REDIS_URL"
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.two_factor.settings",
            "TWO_FACTOR_SITE_DB": str(database),
            "TYNTEC2FA_API_URL": api_url,
            "TYNTEC2FA_API_KEY": api_key,
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


@dataclass(frozen=True)
class Site:
    """A running site, its server output and its database file."""

    url: str
    log: Path
    database: Path

    def output(self) -> str:
        """Everything the server process printed (its log records, tracebacks)."""
        return self.log.read_text(errors="replace")

    def device_codes(self, username: str) -> set[str]:
        """Every token the user's phone device accepts now: django-two-factor-auth's
        TOTP of the device's key, computed here from the site's database, so a test
        knows the code without asking the gateway (drift -5..0, as ``validate_token``)."""
        with contextlib.closing(sqlite3.connect(self.database)) as db:
            row = db.execute(
                "SELECT d.key FROM two_factor_phonedevice d JOIN auth_user u"
                " ON u.id = d.user_id WHERE u.username = ?",
                (username,),
            ).fetchone()
        assert row, f"{username} has no phone device"
        key = unhexlify(row[0].encode())
        return {str(totp(key, digits=6, drift=drift)).zfill(6) for drift in range(-5, 1)}

    def sign_in(
        self, browser: requests.Session, username: str, password: str, *, language: str = "en"
    ) -> requests.Response:
        """Open the login page and post the password step of django-two-factor-auth's
        login wizard, in ``language`` (the browser's Accept-Language)."""
        browser.headers["Accept-Language"] = language
        browser.get(self.url + LOGIN, timeout=10).raise_for_status()
        return self.post_step(
            browser, LOGIN, "auth", {"auth-username": username, "auth-password": password}
        )

    def enter_code(self, browser: requests.Session, code: str) -> requests.Response:
        """Post the token step of the login wizard."""
        return self.post_step(browser, LOGIN, "token", {"token-otp_token": code})

    def post_step(
        self, browser: requests.Session, path: str, step: str, data: dict[str, str]
    ) -> requests.Response:
        """Post one step of a formtools wizard (``login_view`` or ``setup_view``). The
        CSRF token is the cookie's secret: a GET of the page would restart the wizard."""
        prefix = "login_view" if path == LOGIN else "setup_view"
        fields = {
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            f"{prefix}-current_step": step,
            **data,
        }
        return browser.post(self.url + path, data=fields, timeout=30, allow_redirects=False)


def _run(args: list[str], env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120
    )


@contextlib.contextmanager
def serve(env: dict[str, str], log: Path) -> Iterator[Site]:
    """Migrate, seed and serve the site; stops the server on exit."""
    _run(["-m", "django", "migrate", "--noinput"], env)
    _run(["-m", "tests.two_factor.seed"], env)
    port = free_port()
    site = Site(url=f"http://127.0.0.1:{port}", log=log, database=Path(env["TWO_FACTOR_SITE_DB"]))
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
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
            requests.get(site.url + LOGIN, timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise RuntimeError(f"runserver did not answer within {START_TIMEOUT} s:\n{site.output()}")
