"""``python -m django_tyntec2fa.testing.fake_tyntec``: a separate process, bounded waits."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading

import pytest
import requests

from django_tyntec2fa.testing.fake_tyntec.__main__ import is_loopback

MODULE = "django_tyntec2fa.testing.fake_tyntec"
KEY = "cli-test-key"


def _first_line(process: subprocess.Popen[str], timeout: float) -> str:
    """The first stdout line, or fail after ``timeout`` seconds (readline alone could block)."""
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    threading.Thread(target=lambda: lines.put(process.stdout.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        pytest.fail(f"no output from the fake within {timeout} s")


def test_cli_serves_on_a_free_port_until_terminated() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", MODULE, "--port", "0", "--api-key", KEY],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = _first_line(process, timeout=15)
        found = re.fullmatch(r"fake tyntec listening on (http://127\.0\.0\.1:\d+)\n", line)
        assert found, line
        url = found.group(1)

        sent = requests.post(
            url + "/2fa/v1/otp",
            params={"number": "+4915112345678"},
            headers={"apiKey": KEY},
            timeout=5,
        )
        outbox = requests.get(url + "/_fake/outbox", headers={"apiKey": KEY}, timeout=5).json()

        assert sent.status_code == 200
        assert outbox[0]["otpId"] == sent.json()["otpId"]
        process.terminate()
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream:
                stream.close()


def test_cli_refuses_a_non_loopback_host() -> None:
    result = subprocess.run(
        [sys.executable, "-m", MODULE, "--host", "0.0.0.0", "--port", "0", "--api-key", KEY],
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert result.returncode == 2
    assert "--allow-non-loopback" in result.stderr
    assert result.stdout == ""


def test_cli_needs_an_api_key() -> None:
    env = {key: value for key, value in os.environ.items() if key != "FAKE_TYNTEC_API_KEY"}

    result = subprocess.run(
        [sys.executable, "-m", MODULE, "--port", "0"],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
    )

    assert result.returncode == 2
    assert "--api-key" in result.stderr


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("192.168.1.10", False),
        ("fake.example", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
