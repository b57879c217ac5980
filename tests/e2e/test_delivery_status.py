"""The code page reports the code's delivery by itself (issue 13), in a real browser.

The demo's local provider reports each text message failed and each call delivered, 4
seconds after the send. Without a reload the page goes from "sent" to "could not be
delivered", puts "Call me instead" first (the page's order, so the keyboard's) with a
hint in the same polite live region; after the call it goes from "sent" to "delivered".
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from ..example_site import DEMO_NUMBER, DEMO_USER, Site, example_env, serve
from .conftest import ARTIFACTS, RESEND_COOLDOWN
from .test_pages import BLOCKING, WCAG_TAGS, _axe_source

pytestmark = pytest.mark.own_site

DELAY = 4
#: The page asks every 4 s for a minute; the state changes after DELAY seconds.
WAIT_MS = 15_000
TEXT = "#tyntec2fa-delivery [data-tyntec2fa-delivery-text]"
HINT = "#tyntec2fa-delivery [data-tyntec2fa-delivery-hint]"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    directory = tmp_path_factory.mktemp("e2e-delivery")
    env = example_env(
        directory,
        TYNTEC2FA_RESEND_COOLDOWN=str(RESEND_COOLDOWN),
        TYNTEC2FA_LOCAL_DELIVERY='{"SMS": "failed", "VOICE": "delivered"}',
        TYNTEC2FA_LOCAL_DELIVERY_DELAY=str(DELAY),
    )
    with serve(env, directory / "runserver.log") as running:
        yield running


def axe_violations(page: Any) -> list[str]:
    """Serious and critical axe-core findings under the WCAG 2.0-2.2 A/AA rules."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [
        f"{violation['id']} {[node['target'] for node in violation['nodes']]}"
        for violation in results["violations"]
        if violation["impact"] in BLOCKING
    ]


def order_of_send_buttons(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "form[data-tyntec2fa-send]", "forms => forms.map(f => f.dataset.tyntec2faSend)"
    )


def test_the_code_page_updates_its_delivery_status_by_itself(page: Any, site: Site) -> None:
    username, password = DEMO_USER
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Enter your code").wait_for()
    region = page.locator("#tyntec2fa-delivery")
    assert region.get_attribute("role") == "status"
    assert page.locator(TEXT).inner_text() == "Code status: sent."
    assert page.locator(HINT).is_hidden()
    assert order_of_send_buttons(page) == ["SMS", "VOICE"]
    page.evaluate("window.tyntec2faNoReload = true")  # gone if the page reloads

    # The SMS's report arrives: the page says so without a reload.
    page.wait_for_function(
        f"document.querySelector({TEXT!r}).textContent === 'Code status: could not be delivered.'",
        timeout=WAIT_MS,
    )
    assert page.evaluate("window.tyntec2faNoReload") is True
    assert page.locator(HINT).inner_text() == "You can get the code by a phone call instead."
    assert order_of_send_buttons(page) == ["VOICE", "SMS"]
    call = page.get_by_role("button", name="Call me instead", exact=True)
    assert call.get_attribute("class") in ("", None)  # now the primary button
    page.screenshot(path=str(ARTIFACTS / "delivery-failed.png"), full_page=True)
    assert axe_violations(page) == []

    # Tab order follows: from the code field's button, "Call me instead" comes first.
    page.get_by_role("button", name="Verify").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Call me instead"

    # The call: "sent" again, then delivered, again by itself.
    time.sleep(RESEND_COOLDOWN + 0.2)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("We are calling your phone").is_visible()
    assert page.locator(TEXT).inner_text() == "Code status: sent."
    messages = [m for m in site.outbox() if m["number"] == DEMO_NUMBER]
    assert [m["channel"] for m in messages] == ["SMS", "VOICE"]
    page.wait_for_function(
        f"document.querySelector({TEXT!r}).textContent === 'Code status: delivered.'",
        timeout=WAIT_MS,
    )
    page.screenshot(path=str(ARTIFACTS / "delivery-delivered.png"), full_page=True)


def test_at_375_px_the_status_and_the_buttons_fit(page: Any, site: Site) -> None:
    page.set_viewport_size({"width": 375, "height": 760})
    username, password = DEMO_USER
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Enter your code").wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    box = page.locator("#tyntec2fa-delivery").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    page.wait_for_function(f"document.querySelector({HINT!r}).textContent !== ''", timeout=WAIT_MS)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert axe_violations(page) == []
