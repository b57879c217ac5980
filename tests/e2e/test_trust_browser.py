"""Remember this browser in a real browser (headless Debian Chromium through
Playwright, S9): a trusted browser skips the code at the next password sign-in; a
fresh browser (a new context: no cookies) does not; after "Forget" the trusted one
does not either. Each step leaves a screenshot in ``tests/e2e/artifacts/`` (``trust-*``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from ..example_site import DEMO_NUMBER, DEMO_USER, Site, example_env, serve
from .conftest import ARTIFACTS, TIMEOUT_MS

pytestmark = pytest.mark.own_site

BOX = "Don't ask for a code on this browser for 30 days"
COOKIE = "tyntec2fa_trusted"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The demo as shipped: it trusts a browser for 30 days."""
    directory = tmp_path_factory.mktemp("e2e-trust")
    env = example_env(directory, TYNTEC2FA_TRUST_BROWSER_DAYS="30")
    with serve(env, directory / "runserver.log") as running:
        yield running


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"trust-{name}.png"), full_page=True)


def sign_in_with_password(page: Any) -> None:
    username, password = DEMO_USER
    page.goto("/protected/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def asked_for_a_code(page: Any) -> bool:
    return page.get_by_role("heading", name="Enter your code").count() == 1


def log_out(page: Any, site: Site) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(site.url + "/")


def test_s9_trusted_browser_skips_the_code_a_fresh_one_does_not_forget_ends_it(
    page: Any, site: Site
) -> None:
    # First sign-in: the code, with the box ticked (keyboard only: Space ticks it).
    sign_in_with_password(page)
    assert asked_for_a_code(page)
    page.get_by_role("textbox", name="Code").fill(site.delivered_code(DEMO_NUMBER))
    box = page.get_by_label(BOX)
    box.focus()
    page.keyboard.press("Space")
    assert box.is_checked()
    shot(page, "box")
    page.get_by_role("button", name="Verify", exact=True).click()
    page.wait_for_url(site.url + "/protected/")
    [cookie] = [c for c in page.context.cookies() if c["name"] == COOKIE]
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Lax"
    assert page.evaluate("document.cookie").find(COOKIE) == -1  # no script reads it

    # Signed out and in again with the password: no code asked.
    log_out(page, site)
    sign_in_with_password(page)
    page.wait_for_url(site.url + "/protected/")
    assert not asked_for_a_code(page)
    shot(page, "skipped")

    # A fresh browser (a new context, no cookies) is asked for the code.
    fresh = page.context.browser.new_context(base_url=site.url, locale="en-US")
    fresh.set_default_timeout(TIMEOUT_MS)
    try:
        other = fresh.new_page()
        sign_in_with_password(other)
        assert asked_for_a_code(other)
        shot(other, "fresh-asked")
    finally:
        fresh.close()

    # The trusted browser forgets itself on the phones page...
    page.get_by_role("link", name="Two-factor settings").click()
    page.get_by_role("heading", name="Trusted browsers").wait_for()
    shot(page, "list")
    page.get_by_role("link", name=re.compile(r"^Forget \(")).click()
    page.get_by_role("heading", name="Forget this browser?").wait_for()
    page.get_by_role("button", name="Forget this browser").click()
    page.get_by_text("The browser was forgotten.").wait_for()
    assert not [c for c in page.context.cookies() if c["name"] == COOKIE]

    # ...and is asked for the code again.
    log_out(page, site)
    sign_in_with_password(page)
    assert asked_for_a_code(page)
    shot(page, "asked-again")
