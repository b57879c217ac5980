"""Every page state of the app in a real browser, checked by axe-core, in English,
German and French, at desktop width and at 375 px (issue 16).

One server and one browser serve the whole module; each language walks its own user
through the states a person meets: sign-in, the code page, a wrong code, a send
pressed too early, the countdown reaching zero, the phones page, adding a phone and
confirming it, removing one, step-up, too many wrong codes and signing in while the
account waits. At each state axe-core (pinned: ``axe-playwright-python`` vendors it)
runs under the WCAG 2.0-2.2 A/AA rules plus ``label-content-name-mismatch``, and the
test fails on any violation of impact "serious" or "critical"; the page must not
scroll sideways at 320 px. Screenshots go to ``tests/e2e/artifacts/``.
"""

from __future__ import annotations

import gettext
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import npgettext, pgettext

from ..example_site import EXAMPLE, Site, example_env, manage, serve
from ..steps import wrong_code
from .conftest import ARTIFACTS, TIMEOUT_MS

pytestmark = pytest.mark.own_site

#: Seconds of the resend cooldown on this site: long enough to press a send too early,
#: short enough to watch the countdown reach zero.
COOLDOWN = 6
PASSWORD = "pages-pass-2fa"
#: One user per language, each with a confirmed primary phone, and the number each
#: enrolls as a second phone (valid mobile numbers nobody is reached on).
USERS = {
    "en": ("pages-en", "+4915123456771", "+4915123456781"),
    "de": ("pages-de", "+4915123456772", "+4915123456782"),
    "fr": ("pages-fr", "+4915123456773", "+4915123456783"),
}
#: A user for the page without JavaScript.
NO_SCRIPT = ("pages-noscript", "+4915123456774")
LOCALES = {"en": "en-US", "de": "de-DE", "fr": "fr-FR"}
DESKTOP = {"width": 1024, "height": 760}
PHONE = {"width": 375, "height": 740}
NARROW = {"width": 320, "height": 640}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BLOCKING = {"serious", "critical"}

EXAMPLE_CATALOG = EXAMPLE / "example" / "locale"


def texts(language: str) -> dict[str, str]:
    """What the pages say in ``language``: the app's catalog, and the demo's own for
    its sign-in page."""
    example = gettext.NullTranslations()
    if language != "en":
        with (EXAMPLE_CATALOG / language / "LC_MESSAGES" / "django.mo").open("rb") as handle:
            example = gettext.GNUTranslations(handle)
    with translation.override(language):
        found = {
            "heading": _("Enter your code"),
            "verify": _("Verify"),
            "new_code": _("Send a new code"),
            "by_text": _("Send a code by text message"),
            "now": pgettext("tyntec2fa", "You can request a new code now."),
            "wait": _("Please wait a moment before you ask for another code."),
            "tries": npgettext(
                "tyntec2fa", "You have %(count)s try left.", "You have %(count)s tries left.", 2
            )
            % {"count": 2},
            "dead": _("Too many wrong codes. Please request a new code."),
            "locked": _("Too many wrong codes. Please wait before you try again."),
            "add": _("Send a code"),
            "number": _("Phone number"),
            "confirm": _("Confirm phone"),
            "remove": pgettext("tyntec2fa", "Remove"),
            "remove_phone": pgettext("tyntec2fa", "Remove this phone"),
            "removed": pgettext("tyntec2fa", "This phone was removed"),
            "cancel": _("Cancel"),
        }
    for key in ("Sign in", "Username", "Password"):
        found[key.lower().replace(" ", "_")] = example.gettext(key)
    return {key: str(value) for key, value in found.items()}


def _axe_source() -> str:
    axe = pytest.importorskip("axe_playwright_python", reason="axe-playwright-python is missing")
    return (Path(axe.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


CREATE_USERS = """
from django.contrib.auth import get_user_model
from django_tyntec2fa.models import PhoneDevice
for name, number in {users!r}:
    user = get_user_model().objects.create_user(name, password={password!r})
    PhoneDevice.objects.create(
        user=user, number=number, label="Main phone", confirmed=True, is_primary=True
    )
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The demo with a short cooldown, a wait from the third failure on, and send and
    verify limits per IP address roomy enough for three users on 127.0.0.1."""
    directory = tmp_path_factory.mktemp("pages")
    env = example_env(
        directory,
        TYNTEC2FA_RESEND_COOLDOWN=str(COOLDOWN),
        TYNTEC2FA_BACKOFF_AFTER="3",
        TYNTEC2FA_SEND_RATE_IP="500/h",
        TYNTEC2FA_SEND_RATE_PREFIX="500/h",
        TYNTEC2FA_VERIFY_RATE_IP="500/m",
    )
    manage("migrate", "--noinput", env=env)
    users = [(name, number) for name, number, _ in USERS.values()] + [NO_SCRIPT]
    script = CREATE_USERS.format(users=users, password=PASSWORD)
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=EXAMPLE,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    with serve(env, directory / "runserver.log") as running:
        yield running


class Walk:
    """One language's page, with the checks every state gets."""

    def __init__(self, page: Any, site: Site, language: str, axe: str) -> None:
        self.page = page
        self.site = site
        self.language = language
        self.text = texts(language)
        self.axe = axe
        self.findings: list[str] = []

    def check(self, state: str) -> None:
        """axe at desktop width and at 375 px, no sideways scroll at 320 px."""
        for name, size in (("desktop", DESKTOP), ("375", PHONE)):
            self.page.set_viewport_size(size)
            self._axe(f"{state} @ {name}")
            self.page.screenshot(
                path=str(ARTIFACTS / f"pages-{self.language}-{state}-{name}.png"), full_page=True
            )
        self.page.set_viewport_size(NARROW)
        overflow = self.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            self.findings.append(f"{state}: scrolls {overflow} px sideways at 320 px")
        self.page.set_viewport_size(DESKTOP)

    def _axe(self, where: str) -> None:
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.evaluate(self.axe)
        results = self.page.evaluate(
            """tags => axe.run(document, {
                runOnly: {type: "tag", values: tags},
                rules: {"label-content-name-mismatch": {enabled: true}},
                resultTypes: ["violations"],
            })""",
            WCAG_TAGS,
        )
        kinds = ("passes", "violations", "inapplicable", "incomplete")
        ran = {rule["id"] for kind in kinds for rule in results[kind]}
        assert "label-content-name-mismatch" in ran and "target-size" in ran
        for violation in results["violations"]:
            if violation["impact"] in BLOCKING:
                targets = [node["target"] for node in violation["nodes"]]
                self.findings.append(
                    f"{self.language} {where}: {violation['id']} ({violation['impact']}) {targets}"
                )

    def non_text_contrast(self) -> None:
        """The code field's border and the focus ring against white: at least 3:1
        (WCAG 1.4.11), which axe does not check."""
        field = self.page.locator("input[name=code]")
        field.focus()
        colors = field.evaluate(
            """input => {
                const style = getComputedStyle(input);
                return [style.borderTopColor, style.outlineColor];
            }"""
        )
        for color in colors:
            ratio = contrast(color, "rgb(255, 255, 255)")
            if ratio < 3:
                self.findings.append(f"{self.language}: {color} is {ratio:.2f}:1 on white")

    def sign_in(self, username: str) -> None:
        self.page.goto("/accounts/login/")
        self.page.get_by_label(self.text["username"]).fill(username)
        self.page.get_by_label(self.text["password"], exact=True).fill(PASSWORD)
        self.page.get_by_role("button", name=self.text["sign_in"], exact=True).click()
        self.page.get_by_role("heading", name=self.text["heading"]).wait_for()

    def code(self, number: str) -> str:
        return self.site.delivered_code(number)

    def type_code(self, code: str, submit: str) -> None:
        self.page.locator("input[name=code]").fill(code)
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=submit, exact=True).click()


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two CSS ``rgb()``/``rgba()`` colours."""

    def luminance(color: str) -> float:
        red, green, blue = (int(part) / 255 for part in re.findall(r"\d+", color)[:3])
        linear = [
            c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)
        ]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_is_the_wcag_ratio() -> None:
    assert round(contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)"), 1) == 21.0
    assert contrast("rgb(242, 169, 0)", "rgb(255, 255, 255)") < 3  # the old focus ring


@pytest.mark.parametrize("language", ["en", "de", "fr"])
def test_every_page_state_passes_axe_and_fits_320_px(
    browser: Any, site: Site, language: str
) -> None:
    username, number, second = USERS[language]
    context = browser.new_context(
        base_url=site.url, viewport=DESKTOP, locale=LOCALES[language], timezone_id="UTC"
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    walk = Walk(page, site, language, _axe_source())
    text = walk.text
    try:
        page.goto("/accounts/login/")
        assert page.locator("html").get_attribute("lang") == language
        nav = page.get_by_role("navigation")
        assert nav.get_by_role("link", name=text["sign_in"], exact=True).is_visible()
        walk.check("login")

        walk.sign_in(username)
        assert "/2fa/challenge/" in page.url
        # While the login waits for its code, the navigation offers nothing the gate
        # would refuse.
        assert nav.get_by_role("link", name=text["sign_in"], exact=True).count() == 0
        if language == "en":
            # Reload, and Back then Forward: the code page again, never an error page
            # (the password is never posted again).
            assert page.reload().status == 200
            for moved in (page.go_back(), page.go_forward()):
                assert moved is None or moved.status == 200
            page.get_by_role("heading", name=text["heading"]).wait_for()

        # A send pressed during the cooldown (the script keeps the button disabled, so
        # submit its form as a browser without JavaScript would): the code page again,
        # with one message saying when.
        button = page.get_by_role("button", name=text["new_code"], exact=True)
        assert button.is_disabled()
        with page.expect_navigation():
            page.evaluate("document.querySelector('[data-tyntec2fa-wait]').form.submit()")
        assert page.url.endswith("/2fa/challenge/")
        assert page.get_by_text(text["wait"]).count() == 1
        walk.check("resend-too-early")
        page.reload()
        assert page.get_by_text(text["wait"]).count() == 0
        walk.check("code")
        walk.non_text_contrast()

        code = walk.code(number)
        walk.type_code(wrong_code(code), text["verify"])
        field = page.locator("input[name=code]")
        assert field.input_value() == "" and wrong_code(code) not in page.content()
        assert page.get_by_text(text["tries"]).is_visible()
        walk.check("wrong-code")
        if language == "en":
            # The wrong code was a post/redirect/get: a reload, and Back then Forward,
            # show the code page, never an error page or "confirm form resubmission"
            # (Chromium's net::ERR_CACHE_MISS), and never post the code again.
            assert page.reload().status == 200
            for moved in (page.go_back(), page.go_forward()):
                assert moved is None or moved.status == 200
                assert page.url.endswith("/2fa/challenge/")
                page.get_by_role("heading", name=text["heading"]).wait_for()
            # The refusal was told once; the page is the code page as it is now.
            assert page.get_by_text(text["tries"]).count() == 0
            assert page.locator("input[name=code]").is_enabled()

        if language == "en":
            # The countdown reaches zero and the buttons work, without a reload.
            page.evaluate("window.notReloaded = true")
            status = page.locator("#tyntec2fa-cooldown")
            status.get_by_text(text["now"]).wait_for(timeout=(COOLDOWN + 3) * 1000)
            assert status.get_attribute("role") == "status"
            assert button.is_enabled() and page.evaluate("window.notReloaded === true")
            with page.expect_navigation():
                button.click()
            code = walk.code(number)
        walk.type_code(code, text["verify"])
        page.wait_for_url(re.compile(r"/$|/protected/"))

        page.goto("/2fa/devices/")
        walk.check("phones")
        page.goto("/2fa/enroll/")
        walk.check("enroll")
        page.get_by_label(text["number"]).fill(second)
        page.get_by_role("button", name=text["add"], exact=True).click()
        page.wait_for_url(re.compile(r"/2fa/enroll/confirm/"))
        walk.check("enroll-confirm")
        walk.type_code(walk.code(second), text["confirm"])
        page.wait_for_url(re.compile(r"/2fa/devices/"))
        walk.check("phones-two")

        # Remove asks first, then the phones page says which phone went.
        cards = page.get_by_role("listitem").filter(has_text=f"*{second[-4:]}")
        cards.get_by_role("link", name=text["remove"]).click()
        walk.check("remove-confirm")
        page.get_by_role("button", name=text["remove_phone"], exact=True).click()
        page.wait_for_url(re.compile(r"/2fa/devices/$"))
        assert page.get_by_role("status").get_by_text(f"*{second[-4:]}").is_visible()
        # Back to its "Remove this phone?" page says it was removed (issue 23.13).
        assert page.go_back().status == 410
        page.get_by_role("heading", name=text["removed"]).wait_for()
        walk.check("phone-removed")

        page.goto("/2fa/step-up/?next=/protected/sensitive/")
        walk.check("step-up")

        # Too many wrong codes, then the account waits: a new sign-in says so.
        with page.expect_navigation():
            page.get_by_role("navigation").locator("form button").click()
        walk.sign_in(username)
        code = walk.code(number)
        for _ in range(3):
            walk.type_code(wrong_code(code), text["verify"])
        assert page.locator("input[name=code]").is_disabled()
        # The third wrong code killed the code and started the account's wait: the
        # field's one message says until when, and the sends wait with it: shown, but
        # disabled until the wait's countdown ends (issue 23.11).
        assert text["locked"] in page.locator("#id_code_error").inner_text()
        assert page.get_by_text(text["dead"]).count() == 0
        assert page.get_by_role("button", name=text["by_text"], exact=True).is_disabled()
        walk.check("too-many-wrong-codes")
        with page.expect_navigation():
            page.get_by_role("button", name=text["cancel"], exact=True).click()
        walk.sign_in(username)
        alert = page.get_by_role("alert")
        assert re.search(r"\d\d:\d\d:\d\d UTC", alert.inner_text())
        assert text["locked"] in alert.inner_text()
        assert page.get_by_role("button", name=text["by_text"], exact=True).is_disabled()
        walk.check("locked")
    finally:
        context.close()
    assert walk.findings == []


def test_without_javascript_the_cooldown_is_a_clock_time(browser: Any, site: Site) -> None:
    """No script: the send buttons work at once, the page says when a new code may be
    sent as a clock time, and a send pressed too early is answered on the code page."""
    context = browser.new_context(
        base_url=site.url, viewport=PHONE, locale="en-US", java_script_enabled=False
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    walk = Walk(page, site, "en", "")
    try:
        walk.sign_in(NO_SCRIPT[0])
        cooldown = page.locator("#tyntec2fa-cooldown")
        assert re.fullmatch(
            r"You can request a new code at \d\d:\d\d:\d\d UTC\.", cooldown.inner_text()
        )
        button = page.get_by_role("button", name=walk.text["new_code"], exact=True)
        assert button.is_enabled()
        with page.expect_navigation():
            button.click()
        assert page.url.endswith("/2fa/challenge/")
        assert page.get_by_text(walk.text["wait"]).count() == 1
        assert page.get_by_role("alert").count() == 0
        page.screenshot(path=str(ARTIFACTS / "pages-en-noscript-early-375.png"), full_page=True)
    finally:
        context.close()
