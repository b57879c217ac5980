"""The account's wait and lock on the code page in a real browser (issue 23.10, 23.11):
the page that answers the failure announces it (an alert), counts down to the end of
the wait and then enables the code field and the send buttons by itself; once locked
it says what to do, with no send and no "get a code" sentence. axe at 0 serious or
critical on both. Short waits: ``BACKOFF_AFTER`` 1, ``BACKOFF_BASE`` 2 s (2 s, then
4 s), the lock at the third failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ..example_site import Site, example_env, manage, serve
from .conftest import ARTIFACTS, TIMEOUT_MS
from .test_pages import CREATE_USERS, PASSWORD, Walk, _axe_source

pytestmark = pytest.mark.own_site

USER = ("wait-en", "+4915123456811")
#: Milliseconds a wait of the ladder may take to end on the page, with room.
WAIT_MS = 12_000


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    directory = tmp_path_factory.mktemp("wait")
    env = example_env(
        directory,
        TYNTEC2FA_BACKOFF_AFTER="1",
        TYNTEC2FA_BACKOFF_BASE="2",
        TYNTEC2FA_LOCKOUT_THRESHOLD="3",
        TYNTEC2FA_RESEND_COOLDOWN="1",
    )
    manage("migrate", "--noinput", env=env)
    manage("shell", "-c", CREATE_USERS.format(users=[USER], password=PASSWORD), env=env)
    with serve(env, directory / "runserver.log") as running:
        yield running


def wrong(walk: Walk) -> None:
    right = walk.code(USER[1])
    walk.type_code("".join(str((int(d) + 1) % 10) for d in right), "Verify")


def test_the_wait_counts_down_and_the_lock_says_what_to_do(browser: Any, site: Site) -> None:
    context = browser.new_context(base_url=site.url, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    walk = Walk(page, site, "en", _axe_source())
    try:
        walk.sign_in(USER[0])
        field = page.locator("input[name=code]")
        for failure in (1, 2):
            wrong(walk)
            # The page that answers the failure: announced, the field disabled, counting.
            assert "Please wait before you try again" in page.get_by_role("alert").inner_text()
            assert field.is_disabled()
            assert page.locator("#tyntec2fa-wait").inner_text().startswith("You can try again")
            if failure == 1:
                walk._axe("waiting")
                page.screenshot(path=str(ARTIFACTS / "wait-en-waiting.png"), full_page=True)
            # At zero the field and the send buttons work again, without a reload.
            page.wait_for_function(
                "() => !document.querySelector('input[name=code]').disabled", timeout=WAIT_MS
            )
            assert page.locator("#tyntec2fa-wait").inner_text() == "You can try again now."
            assert page.get_by_role("button", name="Send a new code", exact=True).is_enabled()
        wrong(walk)  # the third failure: the lock
        alert = page.get_by_role("alert").inner_text()
        assert "locked; please contact support" in alert
        assert page.get_by_role("button", name="Send a new code").count() == 0
        assert page.get_by_role("button", name="Call me instead").count() == 0
        assert "get a code on your phone" not in page.content()
        walk._axe("locked")
        page.reload()
        assert "locked; please contact support" in page.get_by_role("alert").inner_text()
        page.screenshot(path=str(ARTIFACTS / "wait-en-locked.png"), full_page=True)
        assert walk.findings == []
    finally:
        context.close()
