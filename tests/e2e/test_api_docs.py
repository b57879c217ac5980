"""The API documentation page of the example project works offline (issue 23.16).

Redoc comes from drf-spectacular-sidecar's static files and the schema from the site
itself: with every request to any host but 127.0.0.1 blocked, the page still renders
the operations, and axe finds nothing serious or critical on it, at 1280 and 375 px.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from ..example_site import Site
from .axe import axe_source, blocking_violations, sideways_overflow
from .conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS

pytestmark = pytest.mark.own_site

pytest.importorskip("drf_spectacular_sidecar", reason="the extra 'schema' is not installed")


class _Assets(HTMLParser):
    """The URLs a page loads by itself: scripts, stylesheets, images, frames."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        if tag in {"script", "img", "iframe"} and found.get("src"):
            self.urls.append(str(found["src"]))
        if tag == "link" and found.get("href"):
            self.urls.append(str(found["href"]))


def test_the_docs_page_loads_only_this_sites_assets(site: Site) -> None:
    response = requests.get(site.url + "/api/docs/", timeout=10)
    assert response.status_code == 200
    page = _Assets()
    page.feed(response.text)
    assert page.urls, "the page loads no script"
    for url in page.urls:
        assert urlsplit(url).scheme == "" and url.startswith("/"), url
    assert not re.search(r"https?://", response.text), "the page names another host"
    for url in page.urls:
        assert requests.get(site.url + url, timeout=10).status_code == 200, url
    # lang, a main landmark and a heading of its own before Redoc renders anything.
    tags = {tag for tag, _attrs in page.tags}
    assert {"main", "h1"} <= tags
    assert dict(page.tags)["html"].get("lang") == "en"


@pytest.fixture
def offline_page(site: Site) -> Iterator[tuple[Any, list[str]]]:
    """A page whose every request to another host than 127.0.0.1 fails, as offline."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    ARTIFACTS.mkdir(exist_ok=True)
    blocked: list[str] = []

    def only_this_machine(route: Any) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            blocked.append(url)
            route.abort("internetdisconnected")

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                base_url=site.url, viewport={"width": 1280, "height": 800}
            )
            context.set_default_timeout(TIMEOUT_MS)
            context.route("**/*", only_this_machine)
            yield context.new_page(), blocked
            context.close()
        finally:
            browser.close()


def test_the_docs_render_offline_and_pass_axe(offline_page: tuple[Any, list[str]]) -> None:
    page, blocked = offline_page
    page.goto("/api/docs/")
    # What Redoc renders from the schema: an operation's section and the sidebar's search.
    page.locator("[id='operation/login']").wait_for()
    page.get_by_placeholder("Search...").wait_for()
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("main").count() == 1
    assert page.get_by_role("heading", level=1, name="API documentation").is_visible()
    findings: list[str] = []
    source = axe_source()
    for name, size in (
        ("1280", {"width": 1280, "height": 800}),
        ("375", {"width": 375, "height": 740}),
    ):
        page.set_viewport_size(size)
        findings += blocking_violations(page, source, f"/api/docs/ @ {name}")
        page.screenshot(path=str(ARTIFACTS / f"api-docs-{name}.png"))
        if sideways_overflow(page) > 0:
            findings.append(f"/api/docs/ @ {name}: scrolls sideways")
    assert findings == []
    # Nothing was even asked of another host (the page's CSP keeps Redoc's own logo home).
    assert blocked == []
