"""The demo site `make demo` serves: checks pass, migrations run, the seed is idempotent,
and the served pages send and check a code with the local provider over real HTTP."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

EXAMPLE = Path(__file__).resolve().parent.parent / "example_project"


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=EXAMPLE,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    database = tmp_path_factory.mktemp("example") / "db.sqlite3"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "example.settings",
        "EXAMPLE_DB": str(database),
        "DJANGO_DEBUG": "1",
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture(scope="module")
def server(env: dict[str, str]) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    manage("migrate", "--noinput", env=env)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=EXAMPLE,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            break
        except requests.ConnectionError:
            time.sleep(0.2)
    try:
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_checks_pass(env: dict[str, str]) -> None:
    result = manage("check", "--fail-level", "WARNING", env=env)
    assert "no issues" in result.stdout


def test_seed_is_idempotent(env: dict[str, str]) -> None:
    manage("migrate", "--noinput", env=env)
    assert "Created demo user" in manage("seed_demo", env=env).stdout
    assert "Found demo user" in manage("seed_demo", env=env).stdout


def test_demo_sends_and_checks_a_code(server: tuple[str, subprocess.Popen[str]]) -> None:
    url, _ = server
    browser = requests.Session()
    page = browser.get(url + "/", timeout=5)
    assert page.status_code == 200
    token = browser.cookies["csrftoken"]
    sent = browser.post(
        url + "/",
        data={"csrfmiddlewaretoken": token, "action": "send", "number": "+4915112345678"},
        headers={"Referer": url + "/"},
        timeout=5,
    )
    assert sent.status_code == 200 and "Code sent to +49" in sent.text
    outbox = browser.get(url + "/outbox/", timeout=5)
    assert outbox.status_code == 200
    code = re.search(r"\b(\d{6})\b", outbox.text.split("<tbody>", 1)[1]).group(1)
    checked = browser.post(
        url + "/",
        data={"csrfmiddlewaretoken": token, "action": "check", "code": code},
        headers={"Referer": url + "/"},
        timeout=5,
    )
    assert "Check: verified." in checked.text


def test_get_sends_nothing(server: tuple[str, subprocess.Popen[str]]) -> None:
    url, _ = server
    before = requests.get(url + "/outbox/", timeout=5).text.count("<tr>")
    requests.get(url + "/?action=send&number=%2B4915112345678", timeout=5)
    assert requests.get(url + "/outbox/", timeout=5).text.count("<tr>") == before
