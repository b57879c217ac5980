"""`make demo` installs only what the demo runs and serves on any port (issue 23.18).

Read from `make -n` (print, run nothing) against a virtual environment that does not
exist, so every step from the venv on is printed: the demo installs the package and the
extra "schema", never the test, bench or docs extras; `PORT` picks the port, 8000 by
default; `make test` still installs everything its steps need.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: A venv name nobody has: `make -n` then prints the whole install.
ABSENT_VENV = ".venv-make-dry-run"


def dry_run(*args: str, **env: str) -> list[str]:
    """The commands `make -n` prints for ``args``."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    assert not (ROOT / ABSENT_VENV).exists()
    environment = {key: value for key, value in os.environ.items() if key != "PORT"}
    result = subprocess.run(
        ["make", "-n", "-C", str(ROOT), *args, f"VENV={ABSENT_VENV}"],
        env={**environment, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.splitlines()


def installed_extras(lines: list[str]) -> set[str]:
    """The extras of every `pip install -e '.[…]'` among ``lines``."""
    found: set[str] = set()
    for line in lines:
        if match := re.search(r"pip install .*-e '\.(?:\[([^\]]*)\])?'", line):
            found |= set(filter(None, (match.group(1) or "").split(",")))
    return found


def served_on(lines: list[str]) -> list[str]:
    return [m.group(1) for line in lines if (m := re.search(r"runserver (\S+)", line))]


def test_the_demo_installs_only_what_it_runs() -> None:
    lines = dry_run("demo")
    assert any("pip install" in line for line in lines)
    assert installed_extras(lines) == {"schema"}


def test_the_demo_serves_on_port_8000_or_on_port() -> None:
    assert served_on(dry_run("demo")) == ["127.0.0.1:8000"]
    assert served_on(dry_run("demo", PORT="8001")) == ["127.0.0.1:8001"]
    assert served_on(dry_run("demo", "PORT=8002")) == ["127.0.0.1:8002"]


def test_the_test_target_installs_the_extras_it_needs() -> None:
    assert {"test", "schema"} <= installed_extras(dry_run("test"))
    assert "docs" in installed_extras(dry_run("docs"))
    assert "bench" in installed_extras(dry_run("bench"))


def test_the_readme_says_how_to_pick_the_port_and_what_make_test_needs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "PORT=8001 make demo" in readme
    first_block = readme.split("```sh", 1)[1].split("```", 1)[0]
    line = next(line for line in first_block.splitlines() if line.startswith("make test"))
    for need in ("PostgreSQL", "Redis", "Chromium", "15 minutes"):
        assert need in line, need
