"""S1 and S6a over real HTTP on the example project: after a password-only login (at
``/accounts/login/`` and at ``/admin/login/``) a walk over every URL pattern of the demo
site finds no page that shows the user or treats them as signed in; after the code from
the outbox, the same walk reaches the user's pages.

The patterns come from the example project's own resolver (a ``manage.py shell``
subprocess), so a page added to the demo is walked without touching this file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from .example_site import DEMO_NUMBER, DEMO_USER, Site, example_env, manage, serve

pytestmark = pytest.mark.own_site

#: Seconds any single request of the walk may take.
TIMEOUT = 10
#: The walk must cover at least this many patterns (the admin alone has ~50)...
MIN_PATTERNS = 30
#: ... and at most this many, so that it stays bounded.
MAX_URLS = 400
#: Patterns no dummy value can fill, with the reason; each must be listed here.
KNOWN_UNFILLABLE: dict[str, str] = {}

CHALLENGE = "/2fa/challenge/"
MASKED_NUMBER = "+49*******6789"
#: What a pending login may reach (the gate's allow-list, as the issue states it).
APP_VIEWS = frozenset(
    f"tyntec2fa:{name}"
    for name in (
        "challenge",
        "challenge-send",
        "challenge-delivery",
        "challenge-cancel",
        "recover",
        "enroll",
        "enroll-confirm",
    )
)
#: The JSON API's steps of a pending login (the gate's API allow-list, docs/api.md).
API_VIEWS = frozenset(
    f"tyntec2fa-api:{name}"
    for name in (
        "login",
        "logout",
        "challenge",
        "challenge-send",
        "challenge-resend",
        "challenge-verify",
        "challenge-recover",
        "challenge-cancel",
        "device-add",
        "device-confirm",
    )
)
LOGIN_VIEWS = frozenset({"login", "admin:login"})
LOGOUT_VIEWS = frozenset({"logout", "admin:logout"})
#: Served by example/middleware.py before sessions and the gate (DEBUG only).
OUTBOX_VIEWS = frozenset({"outbox", "outbox-json"})
ALLOWED_VIEWS = APP_VIEWS | API_VIEWS | LOGIN_VIEWS | LOGOUT_VIEWS | OUTBOX_VIEWS

# The demo's pages name "demo" everywhere ("django-tyntec2fa demo", "The demo's phone"),
# so the username counts only where a template renders it: a text node, a form value,
# a JSON string.
USERNAME = re.compile(r">\s*demo\s*<|\"demo\"")
SIGNED_IN = re.compile(
    r"action=\"[^\"]*logout/?\"|log out|welcome,|signed in as|id=\"user-tools\"|"
    r"site administration",
    re.IGNORECASE,
)
FULL_NUMBER = re.compile(r"\+?49[\s-]?151[\s-]?2345[\s-]?6789")
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

# Run by ``manage.py shell`` with the example settings: every leaf pattern of the
# resolver (recursively, admin included) as a concrete path. Converters get their dummy
# ("1" first so that object pages reach the seeded user 1 and phone 1); regex groups
# try a few plausible values; a candidate must match the pattern and resolve.
ENUMERATE = """
import itertools, json, re
from django.urls import URLResolver, get_resolver, resolve
from django.urls.converters import IntConverter, PathConverter, SlugConverter, UUIDConverter
from django.utils.regex_helper import normalize
import rest_framework.views
from django_tyntec2fa.middleware import is_drf_view

UUID = "00000000-0000-0000-0000-000000000001"
BY_CONVERTER = {IntConverter: ("1",), UUIDConverter: (UUID,), SlugConverter: ("x", "1"),
                PathConverter: ("1", "x")}
DEFAULT = ("1", "x")  # str and unknown converters
REGEX_GROUP = ("1", "x", "auth", "tyntec2fa", "MQ", UUID)
MAX_PARAMS = 3

def leaves(patterns, prefix="", converters=None):
    for entry in patterns:
        here = {**(converters or {}), **getattr(entry.pattern, "converters", {})}
        regex = prefix + entry.pattern.regex.pattern.removeprefix("^")
        if isinstance(entry, URLResolver):
            yield from leaves(entry.url_patterns, regex, here)
        else:
            yield regex, here

def fill(regex, converters):
    for template, params in normalize(regex):
        if len(params) > MAX_PARAMS:
            return None, f"more than {MAX_PARAMS} parameters"
        choices = [
            BY_CONVERTER.get(type(converters[name]), DEFAULT) if name in converters
            else REGEX_GROUP
            for name in params
        ]
        for values in itertools.product(*choices):
            path = template % dict(zip(params, values))
            if re.fullmatch(regex, path):
                return "/" + path, None
    return None, "no dummy value matches"

walked, skipped = [], {}
for regex, converters in leaves(get_resolver().url_patterns):
    path, reason = fill(regex, converters)
    if path is None:
        skipped[regex] = reason
    else:
        match = resolve(path)
        walked.append({"regex": regex, "path": path, "view": match.view_name,
                       "drf": is_drf_view(match.func)})
print(json.dumps({"walked": walked, "skipped": skipped}))
"""


@dataclass(frozen=True)
class Route:
    """One URL pattern of the example project, filled in."""

    regex: str
    path: str
    view: str
    #: A view of Django REST framework (the project's own included): a pending login
    #: gets the JSON 401 there whatever its Accept header (issue 23.19).
    drf: bool = False


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("example-walk")


@pytest.fixture(scope="module")
def env(directory: Path) -> dict[str, str]:
    # A server of its own (own database, own rate-limit cache): the sends of the other
    # example tests and of the browser test do not count against this one's limits.
    return example_env(directory)


@pytest.fixture(scope="module")
def site(env: dict[str, str], directory: Path) -> Iterator[Site]:
    with serve(env, directory / "runserver.log") as running:
        yield running


@pytest.fixture(scope="module")
def enumerated(env: dict[str, str]) -> dict[str, Any]:
    return json.loads(manage("shell", "-v", "0", "-c", ENUMERATE, env=env).stdout)


@pytest.fixture(scope="module")
def routes(enumerated: dict[str, Any]) -> list[Route]:
    walked = [Route(**entry) for entry in enumerated["walked"]]
    unique = {route.path: route for route in walked}
    return list(unique.values())[:MAX_URLS]


def _csrf(page: requests.Response) -> str:
    found = CSRF_FIELD.search(page.text)
    assert found, f"no CSRF field on {page.url}"
    return found.group(1)


def _password_step(site: Site, login_path: str, next_url: str) -> requests.Session:
    """A fresh browser that submitted the demo user's password and nothing else."""
    browser = requests.Session()
    form = browser.get(site.url + login_path, params={"next": next_url}, timeout=TIMEOUT)
    username, password = DEMO_USER
    answer = browser.post(
        site.url + login_path,
        data={
            "csrfmiddlewaretoken": _csrf(form),
            "username": username,
            "password": password,
            "next": next_url,
        },
        headers={"Referer": form.url},
        timeout=TIMEOUT,
    )
    # The site's login (the app's LoginView) answers with the challenge page itself;
    # the admin's login (Django's) is redirected to it by the gate.
    assert urlsplit(answer.url).path in (CHALLENGE, login_path), answer.url
    assert f'action="{CHALLENGE}"' in answer.text, answer.text
    return browser


def _get(browser: requests.Session, site: Site, path: str, accept: str) -> requests.Response:
    return browser.get(
        site.url + path, headers={"Accept": accept}, allow_redirects=False, timeout=TIMEOUT
    )


def _leaks(route: Route, body: str, public: str) -> list[str]:
    """What in a 2xx page seen by a pending login shows the user or a signed-in state.

    ``public`` is the same page as a visitor without a session sees it: the demo names
    its account and phone on the home and login pages as a hint to everyone.
    """
    found = [f"signed-in marker {m.group(0)!r}" for m in SIGNED_IN.finditer(body)]
    for what, pattern in (("the username", USERNAME), ("the full phone number", FULL_NUMBER)):
        if len(pattern.findall(body)) > len(pattern.findall(public)):
            found.append(what)
    # The outbox plays the phone: it is served before the session is read (no user).
    if route.view in OUTBOX_VIEWS and USERNAME.search(body):
        found.append("the username on the outbox")
    if route.view == "tyntec2fa:challenge" and MASKED_NUMBER not in body:
        found.append("no masked number on the challenge page")
    return found


def _pending_walk(browser: requests.Session, site: Site, routes: list[Route]) -> list[str]:
    """Every route as HTML and as JSON; the problems found."""
    problems = []
    visitor = requests.Session()  # no session at all: what anyone may see
    for route in routes:
        page = _get(browser, site, route.path, "text/html")
        if page.status_code >= 500:
            problems.append(f"{route.path}: HTML {page.status_code}")
        if 200 <= page.status_code < 300:
            public = _get(visitor, site, route.path, "text/html").text
            problems += [f"{route.path}: {leak}" for leak in _leaks(route, page.text, public)]
        if route.view in ALLOWED_VIEWS:
            continue
        location = urlsplit(page.headers.get("Location", ""))
        if route.view.startswith("tyntec2fa-api:") or route.drf:
            # The JSON API, and any DRF view of the project (its schema and docs),
            # answer JSON whatever the Accept header (checked below).
            if page.status_code != 401:
                problems.append(f"{route.path}: HTML Accept {page.status_code}")
        elif page.status_code != 302 or location.path != CHALLENGE:
            problems.append(f"{route.path}: HTML {page.status_code} to {location.path!r}")
        api = _get(browser, site, route.path, "application/json")
        is_json = api.headers.get("Content-Type", "").startswith("application/json")
        code = api.json().get("code") if is_json else None
        if api.status_code != 401 or code != "second_factor_required":
            problems.append(f"{route.path}: JSON {api.status_code} {code!r}")
    return problems


def test_the_walk_covers_every_pattern_of_the_example_project(
    enumerated: dict[str, Any], routes: list[Route]
) -> None:
    """The walker itself: admin, nested includes, converters and regex groups all fill."""
    walked, skipped = enumerated["walked"], enumerated["skipped"]
    assert len(walked) >= MIN_PATTERNS, f"only {len(walked)} patterns walked"
    assert len(walked) <= MAX_URLS, f"{len(walked)} patterns: raise MAX_URLS"
    assert set(skipped) <= set(KNOWN_UNFILLABLE), f"unfillable patterns: {skipped}"
    paths = {route.path for route in routes}
    assert {
        "/",
        "/protected/",
        "/protected/sensitive/",
        "/accounts/login/",
        "/admin/login/",
        CHALLENGE,
        "/2fa/devices/1/remove/",
        "/admin/auth/",  # the admin's regex pattern for app labels
        "/admin/auth/user/1/change/",
        "/outbox.json",
    } <= paths


@pytest.mark.parametrize(
    ("login_path", "next_url"), [("/accounts/login/", "/protected/"), ("/admin/login/", "/admin/")]
)
def test_password_only_shows_nothing_then_the_code_shows_everything_s1_s6a(
    site: Site, routes: list[Route], login_path: str, next_url: str
) -> None:
    """S1 (CVE-2019-16766) and S6a (CVE-2022-24857): force-browsing every URL of the
    demo after the password step; then the code, and the same walk reaches the user."""
    browser = _password_step(site, login_path, next_url)
    sent = len(site.outbox())

    problems = _pending_walk(browser, site, routes)
    gated = [route for route in routes if route.view not in ALLOWED_VIEWS]
    assert not problems, f"{len(routes)} URLs walked:\n" + "\n".join(problems)
    assert len(gated) >= MIN_PATTERNS, f"only {len(gated)} gated URLs of {len(routes)}"
    assert len(site.outbox()) == sent  # no GET of the walk sent a code (P5)

    # The code from the phone (the outbox) ends the pending login.
    code = [m["code"] for m in site.outbox() if m["number"] == DEMO_NUMBER][-1]
    challenge = browser.get(site.url + CHALLENGE, timeout=TIMEOUT)
    verified = browser.post(
        site.url + CHALLENGE,
        data={"csrfmiddlewaretoken": _csrf(challenge), "code": code},
        headers={"Referer": challenge.url},
        timeout=TIMEOUT,
    )
    assert verified.status_code == 200 and urlsplit(verified.url).path == next_url

    pages = {route.path: _get(browser, site, route.path, "text/html") for route in routes}
    errors = {path: page.status_code for path, page in pages.items() if page.status_code >= 500}
    assert not errors
    still_gated = [
        path
        for path, page in pages.items()
        if urlsplit(page.headers.get("Location", "")).path == CHALLENGE
    ]
    assert not still_gated
    assert "Welcome, <strong>demo</strong>" in pages["/protected/"].text
    assert pages["/admin/"].status_code == 200 and "Site administration" in pages["/admin/"].text
    # The detector that found nothing during the pending walk finds the user now.
    for path in ("/", "/protected/", "/admin/", "/admin/auth/user/1/change/"):
        assert pages[path].status_code == 200, path
        assert USERNAME.search(pages[path].text) and SIGNED_IN.search(pages[path].text), path
    # The walk (logout views included, GET only) did not end the verified session.
    assert browser.get(site.url + "/protected/", timeout=TIMEOUT).status_code == 200
