"""The example project's own pages in a real browser, in English, German and French
(issue 23.17): the sign-in page with an error, home, protected, sensitive and outbox.

At 1280 and 375 px each passes axe (nothing serious or critical), none scrolls
sideways at 375 px, its headings speak the page's language (the demo's catalog), and
the first tab stop of a signed-in page is a skip link that moves focus to the main
landmark, past the navigation's six links and the log-out button.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from typing import Any

import pytest

from ..example_site import DEMO_NUMBER, DEMO_USER, EXAMPLE, Site, example_env, serve
from .axe import axe_source, blocking_violations, sideways_overflow
from .conftest import ARTIFACTS, TIMEOUT_MS

pytestmark = pytest.mark.own_site

LANGUAGES = ["en", "de", "fr"]
SIZES = {"1280": {"width": 1280, "height": 800}, "375": {"width": 375, "height": 740}}
#: Each page of the demo and its headings (h1, h2) in English, in order.
PAGES = {
    "/": ["django-tyntec2fa demo", "Try it", "What happens behind it"],
    "/protected/": ["Protected page", "Your phones"],
    "/protected/sensitive/": ["Sensitive page"],
    "/outbox/": ["Outbox"],
}


def catalog(language: str) -> gettext.NullTranslations:
    """The demo's own catalog (example/locale), English as it is."""
    if language == "en":
        return gettext.NullTranslations()
    path = EXAMPLE / "example" / "locale" / language / "LC_MESSAGES" / "django.mo"
    with path.open("rb") as handle:
        return gettext.GNUTranslations(handle)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The demo as `make demo` serves it; the step-up age outlasts the module."""
    directory = tmp_path_factory.mktemp("example-pages")
    env = example_env(directory, TYNTEC2FA_STEP_UP_MAX_AGE="3600")
    with serve(env, directory / "runserver.log") as running:
        yield running


@pytest.fixture
def context(browser: Any, site: Site) -> Iterator[Any]:
    made = browser.new_context(base_url=site.url, viewport=SIZES["1280"], locale="en-US")
    made.set_default_timeout(TIMEOUT_MS)
    yield made
    made.close()


def speak(context: Any, site: Site, language: str) -> None:
    """Ask the demo for ``language``: Django's language cookie, which LocaleMiddleware
    reads before Accept-Language (so one signed-in session visits all three)."""
    context.add_cookies([{"name": "django_language", "value": language, "url": site.url}])


def check(page: Any, state: str, source: str) -> list[str]:
    """axe at 1280 and 375 px, and no sideways scroll at 375 px."""
    findings: list[str] = []
    for name, size in SIZES.items():
        page.set_viewport_size(size)
        findings += blocking_violations(page, source, f"{state} @ {name}")
        page.screenshot(path=str(ARTIFACTS / f"example-{state}-{name}.png"), full_page=True)
    if (overflow := sideways_overflow(page)) > 0:
        findings.append(f"{state}: scrolls {overflow} px sideways at 375 px")
    page.set_viewport_size(SIZES["1280"])
    return findings


def skip_link_findings(page: Any, text: str, state: str) -> list[str]:
    """The first tab stop is the skip link; following it puts focus on the main landmark,
    and the next tab stop is inside it."""
    page.keyboard.press("Tab")
    first = page.evaluate(
        """() => {
            const el = document.activeElement;
            const box = el.getBoundingClientRect();
            return {tag: el.tagName, href: el.getAttribute("href"), text: el.textContent.trim(),
                    visible: box.width > 0 && box.height > 0 && box.top >= 0};
        }"""
    )
    expected = {"tag": "A", "href": "#content", "text": text, "visible": True}
    if first != expected:
        return [f"{state}: first tab stop is {first}, not the skip link"]
    page.keyboard.press("Enter")
    if not page.evaluate("document.activeElement === document.querySelector('main')"):
        return [f"{state}: the skip link does not move focus to the main landmark"]
    page.keyboard.press("Tab")
    if not page.evaluate("document.querySelector('main').contains(document.activeElement)"):
        return [f"{state}: the tab stop after the skip link is outside the main content"]
    return []


def headings(page: Any) -> list[str]:
    return [text.strip() for text in page.locator("main").locator("h1, h2").all_inner_texts()]


def sign_in(page: Any, site: Site) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(DEMO_USER[0])
    page.get_by_label("Password", exact=True).fill(DEMO_USER[1])
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.locator("input[name=code]").wait_for()
    page.locator("input[name=code]").fill(site.delivered_code(DEMO_NUMBER))
    with page.expect_navigation():
        page.get_by_role("button", name="Verify", exact=True).click()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sign_in_error_passes_axe(context: Any, site: Site, language: str) -> None:
    """A wrong password: the error is announced (an alert around the error list, which
    stays a list), and the page passes axe."""
    text = catalog(language).gettext
    speak(context, site, language)
    page = context.new_page()
    page.goto("/accounts/login/")
    assert page.locator("html").get_attribute("lang") == language
    page.get_by_label(text("Username")).fill(DEMO_USER[0])
    page.get_by_label(text("Password"), exact=True).fill("not-the-password")
    with page.expect_navigation():
        page.get_by_role("button", name=text("Sign in"), exact=True).click()
    alert = page.get_by_role("alert")
    assert alert.get_by_role("listitem").count() == 1
    assert check(page, f"{language}-sign-in-error", axe_source()) == []


def test_the_signed_in_pages_speak_pass_axe_fit_and_skip(context: Any, site: Site) -> None:
    page = context.new_page()
    sign_in(page, site)
    source = axe_source()
    findings: list[str] = []
    for language in LANGUAGES:
        text = catalog(language).gettext
        speak(context, site, language)
        for path, english in PAGES.items():
            state = f"{language}{path.rstrip('/').replace('/', '-') or '-home'}"
            assert page.goto(path).status == 200, path
            assert page.locator("html").get_attribute("lang") == language
            expected = [text(heading) for heading in english]
            if language != "en":
                assert expected != english, f"the {language} catalog lacks {english}"
            if headings(page) != expected:
                findings.append(f"{state}: headings {headings(page)}, not {expected}")
            findings += check(page, state, source)
            findings += skip_link_findings(page, text("Skip to content"), state)
    assert findings == []
