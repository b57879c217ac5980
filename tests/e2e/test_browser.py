"""The demo in a real browser (headless Debian Chromium through Playwright).

One journey, as a user makes it: password → code from the outbox → protected page,
with a wrong code, a new code and "call me instead" on the way; the step-up page in
front of the sensitive page; a second phone enrolled; logout. Each step leaves a
screenshot in ``tests/e2e/artifacts/``.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from ..example_site import DEMO_NUMBER, DEMO_USER, Site
from ..steps import wrong_code
from .conftest import ARTIFACTS, RESEND_COOLDOWN, STEP_UP_MAX_AGE

pytestmark = pytest.mark.own_site

#: Numbers the test enrolls: valid mobile numbers nobody is reached on (local provider).
TEST_NUMBERS = {"second phone": "+49 151 23456780"}
SECOND_PHONE = "+4915123456780"


class Journey:
    """The page plus the outbox and numbered screenshots."""

    def __init__(self, page: Any, site: Site) -> None:
        self.page = page
        self.site = site
        self.step = 0

    def shot(self, name: str) -> None:
        self.step += 1
        self.page.screenshot(path=str(ARTIFACTS / f"{self.step:02d}-{name}.png"), full_page=True)

    def messages(self, number: str) -> list[dict[str, str]]:
        return [message for message in self.site.outbox() if message["number"] == number]

    def expect_new_message(self, number: str, before: int, channel: str) -> str:
        """The message the last click sent: it went out before the page answered."""
        messages = self.messages(number)
        assert len(messages) == before + 1, self.site.output()[-2000:]
        assert messages[-1]["channel"] == channel
        return messages[-1]["code"]

    def button(self, name: str) -> Any:
        return self.page.get_by_role("button", name=name, exact=True)

    def type_code(self, code: str, submit: str) -> None:
        self.page.get_by_label("Code").fill(code)
        self.button(submit).click()
        self.page.wait_for_load_state()


def test_sign_in_step_up_enroll_and_log_out(page: Any, site: Site) -> None:
    journey = Journey(page, site)
    username, password = DEMO_USER

    # Sign in with the password: the site asks for the code (S1).
    page.goto("/protected/")
    assert page.url.startswith(site.url + "/accounts/login/")
    journey.shot("login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    # The answer to the password is the challenge page itself (the app's LoginView).
    page.get_by_role("heading", name="Enter your code").wait_for()
    assert page.get_by_text("+49*******6789").count() == 1
    code = journey.expect_new_message(DEMO_NUMBER, 0, "SMS")
    journey.shot("challenge")

    # A wrong code: an error, and still on the challenge page.
    journey.type_code(wrong_code(code), "Verify")
    assert page.get_by_text("That code is not valid.").is_visible()
    assert page.get_by_label("Code").get_attribute("aria-invalid") == "true"
    assert "/2fa/challenge/" in page.url
    journey.shot("wrong-code")

    # A new code by SMS, then a voice call instead.
    time.sleep(RESEND_COOLDOWN + 0.2)
    journey.button("Send a new code").click()
    page.wait_for_load_state()
    journey.expect_new_message(DEMO_NUMBER, 1, "SMS")
    journey.shot("resent")
    time.sleep(RESEND_COOLDOWN + 0.2)
    journey.button("Call me instead").click()
    page.wait_for_load_state()
    code = journey.expect_new_message(DEMO_NUMBER, 2, "VOICE")
    assert page.get_by_text("We are calling your phone").is_visible()
    journey.shot("voice-call")

    # The right code opens the protected page.
    journey.type_code(code, "Verify")
    page.wait_for_url(site.url + "/protected/")
    verified_at = time.monotonic()
    assert page.get_by_role("heading", name="Protected page").is_visible()
    assert page.get_by_text("Welcome, demo").is_visible()
    journey.shot("protected")

    # Once the factor is older than the step-up age, the sensitive page wants a new code.
    time.sleep(max(0.0, STEP_UP_MAX_AGE - (time.monotonic() - verified_at)) + 0.5)
    page.get_by_role("link", name="Sensitive page").first.click()
    page.wait_for_url(re.compile(r"/2fa/step-up/"))
    journey.shot("step-up")
    journey.button("Send a code by text message").click()
    page.wait_for_load_state()
    code = journey.expect_new_message(DEMO_NUMBER, 3, "SMS")
    journey.type_code(code, "Confirm")
    page.wait_for_url(site.url + "/protected/sensitive/")
    assert page.get_by_role("heading", name="Sensitive page").is_visible()
    journey.shot("sensitive")

    # Enroll a second phone: number → code → listed as a confirmed backup.
    page.get_by_role("link", name="Two-factor settings").click()
    page.get_by_role("link", name="Add a phone").click()
    page.get_by_label("Phone number").fill(TEST_NUMBERS["second phone"])
    page.get_by_label("Name for this phone (optional)").fill("Backup phone")
    journey.shot("enroll")
    journey.button("Send a code").click()
    page.wait_for_url(re.compile(r"/2fa/enroll/confirm/"))
    code = journey.expect_new_message(SECOND_PHONE, 0, "SMS")
    journey.type_code(code, "Confirm phone")
    page.wait_for_url(re.compile(r"/2fa/devices/"))
    row = page.get_by_role("listitem").filter(has_text="Backup phone")
    assert row.get_by_text("Confirmed").is_visible()
    assert row.get_by_text("+49*******6780").is_visible()
    journey.shot("devices")

    # Log out: back to anonymous, and the protected page needs a new sign-in.
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(site.url + "/")
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Sign in").is_visible()
    assert nav.get_by_role("button", name="Log out").count() == 0
    page.goto("/protected/")
    assert page.url.startswith(site.url + "/accounts/login/")
    journey.shot("logged-out")
