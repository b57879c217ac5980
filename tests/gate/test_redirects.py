"""S5: ``next`` is checked when stored and again when used; Django's list of unsafe
redirect targets always ends on LOGIN_REDIRECT_URL."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client, RequestFactory
from django.urls import reverse

from django_tyntec2fa.core import session
from django_tyntec2fa.gate import redirects

from .. import steps
from ..steps import LastCode, PasswordLogin
from .helpers import ALICE_PHONE, submit_code

# Django's tests/utils_tests/test_http.py, URLHasAllowedHostAndSchemeTests.test_bad_urls
# (open redirect and XSS CVEs: CVE-2013-6044, CVE-2014-3730, CVE-2015-0220,
# CVE-2015-2317, CVE-2016-2512, CVE-2017-7233, CVE-2018-14574).
BAD_URLS = (
    "http://example.com",
    "http:///example.com",
    "https://example.com",
    "ftp://example.com",
    r"\\example.com",
    r"\\\example.com",
    r"/\\/example.com",
    r"\\\example.com",
    r"\\//example.com",
    r"/\/example.com",
    r"\/example.com",
    r"/\example.com",
    "http:///example.com",
    r"http:/\//example.com",
    r"http:\/example.com",
    r"http:/\example.com",
    'javascript:alert("XSS")',
    "\njavascript:alert(x)",
    "java\nscript:alert(x)",
    "\x08//example.com",
    r"http://otherserver\@example.com",
    r"http:\\testserver\@example.com",
    r"http://testserver\me:pass@example.com",
    r"http://testserver\@example.com",
    r"http:\\testserver\confirm\me@example.com",
    "http:999999999",
    "ftp:9999999999",
    "\n",
    "http://[2001:cdba:0000:0000:0000:0000:3257:9652/",
    "http://2001:cdba:0000:0000:0000:0000:3257:9652]/",
)
# The same test module, test_good_urls (the ones that make sense for testserver).
GOOD_URLS = (
    "/view/?param=http://example.com",
    "/view/?param=https://example.com",
    "/view?param=ftp://example.com",
    "view/?param=//example.com",
    "https://testserver/",
    "HTTPS://testserver/",
    "//testserver/",
    "/url%20with%20spaces/",
)


def default() -> str:
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def through_the_flow(client: Client, user: Any, next_url: str, *, secure: bool = False) -> str:
    """Password, the challenge page with ``next`` (stored), the code with ``next``
    in the form too; the final redirect target."""
    steps.password_login(client, user, secure=secure)
    page = client.get(
        reverse("tyntec2fa:challenge") + "?next=" + quote(next_url, safe=""), secure=secure
    )
    assert page.status_code == 200
    response = client.post(
        reverse("tyntec2fa:challenge"),
        {"code": steps.last_code(ALICE_PHONE), "next": next_url},
        secure=secure,
    )
    assert response.status_code == 302, response.content
    return response["Location"]


@pytest.mark.parametrize("bad", BAD_URLS)
def test_bad_next_through_the_whole_flow_ends_on_the_default_s5(
    client: Client, alice: Any, bad: str
) -> None:
    assert through_the_flow(client, alice, bad) == default()


@pytest.mark.parametrize("good", GOOD_URLS)
def test_good_next_is_kept_s5(client: Client, alice: Any, good: str) -> None:
    assert through_the_flow(client, alice, good) == good


def test_http_next_refused_on_an_https_request_s5(client: Client, alice: Any) -> None:
    assert through_the_flow(client, alice, "http://testserver/x/", secure=True) == default()


def test_https_next_kept_on_an_https_request_s5(client: Client, alice: Any) -> None:
    assert through_the_flow(client, alice, "https://testserver/x/", secure=True) == (
        "https://testserver/x/"
    )


@pytest.mark.parametrize("bad", BAD_URLS)
def test_checked_again_when_used_s5(
    client: Client, alice: Any, bad: str, last_code: LastCode, password_login: PasswordLogin
) -> None:
    """A ``next`` that got into the pending state unchecked is still refused."""
    password_login(client, alice)
    store = client.session
    store[session.PENDING_KEY] = {**store[session.PENDING_KEY], "next_url": bad}
    store.save()
    response = submit_code(client, last_code(ALICE_PHONE))
    assert response["Location"] == default()


def test_the_middleware_carries_the_page_asked_for_s5(
    client: Client, alice: Any, last_code: LastCode, password_login: PasswordLogin
) -> None:
    password_login(client, alice)
    response = client.get("/whoami/?a=1&b=2")
    assert response["Location"] == reverse("tyntec2fa:challenge") + "?next=/whoami/%3Fa%3D1%26b%3D2"
    final = submit_code(client, last_code(ALICE_PHONE))
    assert final["Location"] == "/whoami/?a=1&b=2"


@pytest.mark.parametrize("bad", BAD_URLS)
def test_safe_next_refuses_every_bad_url(rf: RequestFactory, bad: str) -> None:
    request = rf.get("/")
    assert redirects.safe_next(request, bad) == ""
    assert redirects.next_or_default(request, bad) == default()


@pytest.mark.parametrize("good", GOOD_URLS)
def test_safe_next_keeps_good_urls(rf: RequestFactory, good: str) -> None:
    assert redirects.safe_next(rf.get("/"), good) == good


def test_safe_next_allowed_redirect_hosts(rf: RequestFactory, settings: Any) -> None:
    request = rf.get("/")
    assert redirects.safe_next(request, "https://app.example.org/") == ""
    settings.TYNTEC2FA_ALLOWED_REDIRECT_HOSTS = ["app.example.org"]
    assert redirects.safe_next(request, "https://app.example.org/") == "https://app.example.org/"


@pytest.mark.parametrize("value", [None, 42, "", ["/x/"]])
def test_safe_next_refuses_non_strings(rf: RequestFactory, value: object) -> None:
    assert redirects.safe_next(rf.get("/"), value) == ""


def test_current_path_refuses_a_scheme_relative_request_path(rf: RequestFactory) -> None:
    """``//evil.example/`` is a valid request path and an open redirect as ``next``."""
    request = rf.get("/")
    request.path = "//evil.example/"
    assert redirects.current_path(request) == ""
    request.path = "/fine/"
    assert redirects.current_path(request) == "/fine/"
