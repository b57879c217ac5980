"""Suite-wide fixtures and the CI rule: under CI=true nothing may be skipped.

The login steps every suite shares are fixtures here, each defined once in
``tests/steps.py``; the people are in ``tests/people.py``."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from django_tyntec2fa.providers import registry, sinks

from . import steps

# The users the view and API suites share (a suite's own fixture of the same name wins).
from .people import alice, bob, carol, make_user  # noqa: F401

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A skip in CI hides a missing service or browser: report it as a failure."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"skipped under CI=true, which counts as a failure: {reason}"


@pytest.fixture(autouse=True)
def _fresh_provider_and_outbox() -> Iterator[None]:
    """Each test starts with an empty outbox and a newly built provider."""
    sinks.outbox.clear()
    registry.reset_provider()
    yield
    registry.reset_provider()
    sinks.outbox.clear()


@pytest.fixture
def outbox() -> list[sinks.Delivery]:
    """Messages the local provider delivered during this test."""
    return sinks.outbox


@pytest.fixture
def password_login() -> steps.PasswordLogin:
    """``password_login(client, user, path=LOGIN, *, next_url=None, secure=False,
    **data)``: the password step through Django's LoginView; asserts a redirect."""
    return steps.password_login


@pytest.fixture
def assert_never_cached() -> steps.AssertNeverCached:
    """``assert_never_cached(response)``: every directive of ``never_cache`` (S7)."""
    return steps.assert_never_cached


@pytest.fixture
def full_login() -> steps.FullLogin:
    """``full_login(client, user, next_url="/protected/")``: password and code, a
    verified session that reaches ``next_url``."""
    return steps.full_login


@pytest.fixture
def last_code() -> steps.LastCode:
    """``last_code(number=None)``: the code of the newest message in the outbox (to
    ``number``, when given)."""
    return steps.last_code


@pytest.fixture
def provider_down(monkeypatch: pytest.MonkeyPatch, db: None) -> None:
    """The configured provider's ``send``, ``resend`` and ``check`` raise
    ``ProviderUnavailable``, as when tyntec cannot be reached."""
    # Imported here: this module is loaded before Django is set up.
    from django_tyntec2fa.exceptions import ProviderUnavailable

    def down(*args: object, **kwargs: object) -> None:
        raise ProviderUnavailable("test: provider down")

    provider = registry.get_provider()
    for method in ("send", "resend", "check"):
        monkeypatch.setattr(provider, method, down)
