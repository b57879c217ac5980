"""schemathesis drives the API's own OpenAPI schema against the running example project.

The example project serves its schema at ``/api/schema/``; ``st run`` generates
requests from it (the examples, coverage and fuzzing phases, bounded and deterministic;
the stateful phase finds few links in this schema and doubles the time) and sends them over real HTTP, once per state of a client: anonymous, a pending login
(password only; cookie + CSRF), a verified session (SPA: cookie + CSRF) and a verified
API token. Every check runs but one (below): no 5xx, and every answer documented
(status, content type, headers, body, the one error shape included). Each state has an
account of its own; ``schemathesis_hooks.py`` restores the state before a request when
an earlier one ended it (a cancelled login, a newer token).

The CLI rather than ``schemathesis.pytest.from_fixture``: the latter does not run
under pytest 9.2 (it writes ``Function._nodeid``, which pytest no longer has).

The served site gets high rate limits and lockout thresholds, so the flows stay
reachable under the hammering; 429 and 403 ``account_locked`` are documented answers,
so a limit that still trips is no failure.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from .api.test_bodies import BAD_BODIES
from .example_api import CLIENT_STATES, TIMEOUT, Account, api_token, create_account
from .example_site import Site, example_env, serve

pytestmark = pytest.mark.own_site

ROOT = Path(__file__).resolve().parent.parent
#: Test cases per operation in the fuzzing phase; the other phases are bounded by the
#: schema. Generation is deterministic, so a failure replays.
MAX_EXAMPLES = 10
#: Seconds one ``st run`` may take before it is killed and the test fails.
RUN_TIMEOUT = 600
#: Limits far above what one run needs (see the module docstring).
LIMITS = {
    "TYNTEC2FA_SEND_RATE_USER": "10000/h",
    "TYNTEC2FA_SEND_RATE_NUMBER": "10000/h",
    "TYNTEC2FA_SEND_RATE_NUMBER_VOICE": "10000/h",
    "TYNTEC2FA_SEND_RATE_IP": "10000/h",
    "TYNTEC2FA_SEND_RATE_SESSION": "10000/h",
    "TYNTEC2FA_SEND_RATE_PREFIX": "10000/h",
    "TYNTEC2FA_VERIFY_RATE_USER": "10000/h",
    "TYNTEC2FA_VERIFY_RATE_IP": "10000/h",
    "TYNTEC2FA_LOGIN_RATE_IP": "10000/h",
    "TYNTEC2FA_LOGIN_RATE_USER": "10000/h",
    "TYNTEC2FA_LOCKOUT_THRESHOLD": "100",
    "TYNTEC2FA_BACKOFF_AFTER": "100",
    "TYNTEC2FA_MAX_RESENDS": "1000",
    "TYNTEC2FA_CONVERSION_MIN_SENDS": "100000",
    "TYNTEC2FA_RESEND_COOLDOWN": "0",
}
#: Ids of the accounts' phones (see the test).
DEVICE_PK = 900_000_000
#: A well-formed username, password or code is still a wrong one: "schema-valid data
#: must be accepted" cannot hold for a second factor.
EXCLUDED_CHECKS = "positive_data_acceptance"


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("schemathesis")


@pytest.fixture(scope="module")
def env(directory: Path) -> dict[str, str]:
    return example_env(directory, **LIMITS)


@pytest.fixture(scope="module")
def site(directory: Path, env: dict[str, str]) -> Iterator[Site]:
    with serve(env, directory / "runserver.log") as running:
        yield running


def st_run(
    site: Site, account: Account, state: str, report: Path
) -> subprocess.CompletedProcess[str]:
    """One bounded, deterministic ``st run`` against the site in ``state``."""
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--no-color",
        "run",
        f"{site.url}/api/schema/",
        "--checks=all",
        f"--exclude-checks={EXCLUDED_CHECKS}",
        f"--max-examples={MAX_EXAMPLES}",
        "--generation-deterministic",
        # The hooks put the state's credentials on every request.
        "--generation-with-security-parameters=false",
        "--phases=examples,coverage,fuzzing",
        "--workers=1",
        "--request-timeout=10",
        "--suppress-health-check=all",
        "--report=junit",
        f"--report-junit-path={report}",
    ]
    if state != "anonymous":
        # A password step is state-independent until the password is right, which a
        # generated one never is; its hashing is the slowest request, so once is enough.
        command.append("--exclude-name=POST /api/login/")
    if state.startswith("verified"):
        # A logout ends the state, and getting it back takes a code to the account's
        # phone, which an earlier generated DELETE may have removed. The logout of these
        # states is covered by tests/api/test_logout.py; the others fuzz it here.
        command.append("--exclude-name=POST /api/logout/")
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SCHEMATHESIS_HOOKS": "tests.schemathesis_hooks",
        "FUZZ_STATE": state,
        "FUZZ_SITE": site.url,
        "FUZZ_USERNAME": account.username,
        "FUZZ_PASSWORD": account.password,
        "FUZZ_NUMBER": account.number,
    }
    return subprocess.run(
        command,
        cwd=report.parent,
        env=environment,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )


@pytest.mark.parametrize("state", CLIENT_STATES)
def test_every_answer_is_documented(
    site: Site, env: dict[str, str], directory: Path, state: str
) -> None:
    """No 5xx and no answer the schema does not describe, in every client state (S6)."""
    index = CLIENT_STATES.index(state)
    account = create_account(
        env,
        Account(f"fuzz-{state}", "fuzz-pass-2fa", f"+49151234567{index:02d}"),
        # An id no generated request names: a fuzzed DELETE must not remove the phone
        # the state's logins need (another user's ids are 404s, IDOR).
        device_pk=DEVICE_PK + index,
    )
    result = st_run(site, account, state, directory / f"junit-{state}.xml")
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]


def test_bodies_that_are_not_json_are_400_on_every_operation(
    site: Site, env: dict[str, str]
) -> None:
    """Issue 15: every operation of the served schema that takes a body answers a
    verified API token's deeply nested, huge-number, invalid-UTF-8, duplicate-key (...)
    body with 400 ``parse_error`` over real HTTP, never a 500."""
    account = create_account(
        env, Account("fuzz-bodies", "fuzz-pass-2fa", "+4915123456799"), device_pk=DEVICE_PK + 99
    )
    headers = {"Authorization": f"Token {api_token(site, account)}"}
    schema = requests.get(f"{site.url}/api/schema/?format=json", timeout=TIMEOUT).json()
    operations = [
        (method, path.replace("{id}", str(DEVICE_PK + 99)).replace("{pk}", str(DEVICE_PK + 99)))
        for path, item in schema["paths"].items()
        for method in item
        if method in {"post", "put", "patch", "delete"}
    ]
    assert len(operations) >= 12, operations
    wrong = []
    for what, body in BAD_BODIES.items():
        for method, path in operations:
            response = requests.request(
                method,
                site.url + path,
                data=body,
                headers={**headers, "Content-Type": "application/json"},
                timeout=TIMEOUT,
            )
            code = response.json().get("code") if response.status_code < 500 else None
            if (response.status_code, code) != (400, "parse_error"):
                wrong.append((what, method, path, response.status_code, code))
    assert wrong == []
