"""flows/trust.py on its own (S9): the User-Agent description, the cookie's parsing (no
query for a value that is not ours), the keyed hash, the cookie flags, ``skip``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from django_tyntec2fa.flows import trust
from django_tyntec2fa.models import TrustedBrowser

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("agent", "described"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/124.0 Safari/537.36 Edg/124.0",
            "Edge (Windows)",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
            "Firefox (Linux)",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
            "Safari (iOS)",
        ),
        ("curl/8.5.0", ""),
        ("", ""),
    ],
)
def test_s9_description_from_the_user_agent(agent: str, described: str) -> None:
    assert trust.describe(agent) == described


def request_with(cookie: str | None = None) -> Any:
    request = RequestFactory().post("/accounts/login/")
    if cookie is not None:
        request.COOKIES[trust.COOKIE_NAME] = cookie
    return request


@pytest.mark.parametrize("value", ["", "x", "1:abc", "abc:def:ghi", "-1:x:y", "\x00\x01"])
def test_s9_a_value_that_is_not_ours_costs_no_query(
    value: str, alice: Any, settings: Any, django_assert_num_queries: Any
) -> None:
    settings.TYNTEC2FA_TRUST_BROWSER_DAYS = 30
    request = request_with(value)
    with django_assert_num_queries(0):
        assert trust.sign_in(request, alice) is None
        assert trust.current_id(request) is None


def test_s9_remember_then_sign_in(alice: Any, settings: Any) -> None:
    settings.TYNTEC2FA_TRUST_BROWSER_DAYS = 7
    first = request_with()
    browser = trust.remember(first, alice)
    value = getattr(first, trust.COOKIE_ATTR)
    assert browser is not None and value.startswith(f"{browser.pk}:")
    secret = value.split(":")[1]
    assert len(secret) >= 43  # 32 random bytes
    assert browser.secret_digest == trust.keyed_hash(secret) != secret
    assert (browser.expires_at - timezone.now()) > timedelta(days=6)
    second = request_with(value)
    assert trust.sign_in(second, alice) == browser
    assert trust.current_id(second) == browser.pk


def test_s9_remember_when_off_does_nothing(alice: Any, settings: Any) -> None:
    settings.TYNTEC2FA_TRUST_BROWSER_DAYS = 0
    request = request_with()
    assert trust.remember(request, alice) is None
    assert not TrustedBrowser.objects.exists()
    assert not hasattr(request, trust.COOKIE_ATTR)


def test_s9_skip_refuses_a_good_cookie(alice: Any, settings: Any) -> None:
    settings.TYNTEC2FA_TRUST_BROWSER_DAYS = 7
    first = request_with()
    trust.remember(first, alice)
    second = request_with(getattr(first, trust.COOKIE_ATTR))
    trust.skip(second)
    assert trust.sign_in(second, alice) is None


def test_s9_update_cookie_sets_deletes_or_leaves(settings: Any) -> None:
    settings.TYNTEC2FA_TRUST_BROWSER_DAYS = 2
    settings.SESSION_COOKIE_DOMAIN = "example.org"
    request = request_with()
    untouched = trust.update_cookie(request, HttpResponse())
    assert trust.COOKIE_NAME not in untouched.cookies
    setattr(request, trust.COOKIE_ATTR, "7:secret:sig")
    cookie = trust.update_cookie(request, HttpResponse()).cookies[trust.COOKIE_NAME]
    assert cookie["max-age"] == 2 * 24 * 3600 and cookie["domain"] == "example.org"
    assert cookie["httponly"]
    setattr(request, trust.COOKIE_ATTR, "")
    gone = trust.update_cookie(request, HttpResponse()).cookies[trust.COOKIE_NAME]
    assert gone.value == "" and gone["max-age"] == 0
