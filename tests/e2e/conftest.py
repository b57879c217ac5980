"""Fixtures of the browser test: the served demo site and a headless Debian Chromium.

Playwright drives the system Chromium (``/usr/bin/chromium``); its own browser
download (``playwright install``) is never used. Without Playwright or Chromium the
test is skipped, which fails the run under ``CI=true`` (see ``tests/conftest.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..example_site import Site, example_env, serve

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
#: Seconds a page may take to load or an element to appear.
TIMEOUT_MS = 15_000

# How old the second factor may be before the sensitive page asks for a new one; the
# test waits this long instead of the default five minutes.
STEP_UP_MAX_AGE = 3
RESEND_COOLDOWN = 1


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    directory = tmp_path_factory.mktemp("e2e")
    env = example_env(
        directory,
        TYNTEC2FA_STEP_UP_MAX_AGE=str(STEP_UP_MAX_AGE),
        TYNTEC2FA_RESEND_COOLDOWN=str(RESEND_COOLDOWN),
    )
    with serve(env, directory / "runserver.log") as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for a module's pages (each test opens its own context)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(site: Site) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                base_url=site.url, viewport={"width": 1024, "height": 760}, locale="en-US"
            )
            context.set_default_timeout(TIMEOUT_MS)
            context.set_default_navigation_timeout(TIMEOUT_MS)
            yield context.new_page()
            context.close()
        finally:
            browser.close()
