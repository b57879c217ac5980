"""Under CI=true a skipped test is a failure: a missing service or browser cannot hide."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIPPING_TEST = """
import pytest

pytestmark = pytest.mark.own_site

def test_needs_a_service():
    pytest.skip("PostgreSQL is not running")
"""


@pytest.mark.parametrize(("ci", "expected_exit"), [("true", 1), ("", 0)])
def test_skip_fails_only_under_ci(tmp_path: Path, ci: str, expected_exit: int) -> None:
    (tmp_path / "test_inner.py").write_text(SKIPPING_TEST)
    # The inner run loads this suite's conftest (the rule under test) as a plugin.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "tests.conftest",
            "-q",
            str(tmp_path / "test_inner.py"),
        ],
        cwd=ROOT,
        env={**os.environ, "CI": ci},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == expected_exit, result.stdout + result.stderr
    if ci:
        assert "skipped under CI=true, which counts as a failure" in result.stdout
