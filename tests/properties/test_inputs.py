"""Fuzzing the user's other inputs through the HTML views: ``next`` (S5) and phone
numbers (U2, E1). Never a 500; ``next`` ends on this site or on LOGIN_REDIRECT_URL;
only valid E.164 numbers are ever stored. Each example runs in its own transaction.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.encoding import iri_to_uri
from django.utils.http import url_has_allowed_host_and_scheme
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from django_tyntec2fa.models import Challenge, PhoneDevice
from django_tyntec2fa.providers import sinks

from .. import steps
from ..gate.test_redirects import BAD_URLS, GOOD_URLS
from ..people import PASSWORD
from ..views.helpers import BROWSER_HEADERS
from .strategies import FAST, PHONE_INPUT, is_e164

DEFAULT = "/protected/"

NEXT = st.one_of(
    st.sampled_from(BAD_URLS + GOOD_URLS),
    st.builds(
        lambda scheme, slashes, host, path: scheme + slashes + host + path,
        st.sampled_from(
            ["", "http:", "https:", "HTTPS:", "javascript:", "ftp:", " http:", "data:"]
        ),
        st.sampled_from(["", "/", "//", "///", "\\\\", "/\\", "\\/", "\t//"]),
        st.sampled_from(
            [
                "",
                "testserver",
                "example.com",
                "testserver@example.com",
                "example.com@testserver",
                "testserver:80",
                "testserver\\@example.com",
                "[::1]",
                "127.0.0.1",
                "%2f%2fexample.com",
            ]
        ),
        st.text(max_size=15),
    ),
    st.text(max_size=40),
)


def is_safe_target(location: str) -> bool:
    """A redirect target on this site, read as a browser reads it (backslashes are
    slashes): a path, or http(s) to ``testserver``, with or without the scheme."""
    if location != location.strip() or any(ord(ch) < 32 or ord(ch) == 127 for ch in location):
        return False
    browser_view = location.replace("\\", "/")
    try:
        parts = urlsplit(browser_view)
        hostname = parts.hostname
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return False
    if parts.scheme:
        return parts.scheme in {"http", "https"} and hostname == "testserver"
    if browser_view.startswith("//"):
        # Browsers read any number of leading slashes as "a host follows".
        host = re.split(r"[/?#]", browser_view.lstrip("/"), maxsplit=1)[0]
        return host.rpartition("@")[2].split(":")[0] in {"", "testserver"}
    return not parts.netloc


@override_settings(
    ROOT_URLCONF="tests.views.urls",
    LOGIN_REDIRECT_URL=DEFAULT,
    TYNTEC2FA_RATELIMIT_ENABLE=False,
)
class NextFuzzTests(TestCase):
    """S5: any ``next`` on the challenge page, then the right code."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.user = get_user_model().objects.create_user("next-fuzz", password=PASSWORD)
        PhoneDevice.objects.create(
            user=cls.user, number="+4915123456789", confirmed=True, is_primary=True
        )

    def sign_in_with_next(self, next_url: str) -> Any:
        """Password, the challenge page with ``next``, the right code: the answer."""
        client = Client(headers=BROWSER_HEADERS)
        steps.password_login(client, self.user)
        page = client.get(reverse("tyntec2fa:challenge"), {"next": next_url})
        assert page.status_code == 200
        live = Challenge.objects.get(user=self.user, status=Challenge.Status.PENDING)
        (code,) = [d.code for d in sinks.outbox if d.otp_id == live.provider_otp_id]
        return client.post(reverse("tyntec2fa:challenge"), {"code": code})

    def test_a_next_that_looks_like_a_url_name_is_a_relative_url_s5(self) -> None:
        """Found by the fuzzer: ``next=0`` (or ``home``) went through ``redirect()``,
        which took it for a URL name: a 500, or a redirect to that named view."""
        expected = {"0": "0", "home": "home", "protected": "protected"}
        expected["tyntec2fa:devices"] = DEFAULT  # a "scheme" Django refuses
        for next_url, location in expected.items():
            done = self.sign_in_with_next(next_url)
            assert (done.status_code, done["Location"]) == (302, location)

    @settings(FAST, max_examples=80)
    @given(next_url=NEXT)
    def test_next_ends_on_this_site_or_the_default_s5(self, next_url: str) -> None:
        done = self.sign_in_with_next(next_url)

        assert done.status_code == 302, done.status_code
        location = done["Location"]
        assert location == DEFAULT or location == iri_to_uri(next_url), (next_url, location)
        assert is_safe_target(location), (next_url, location)
        assert url_has_allowed_host_and_scheme(location, {"testserver"}), (next_url, location)


# No cooldown per number either (issue 23.2): Redis keeps it across Hypothesis's examples.
@override_settings(
    ROOT_URLCONF="tests.views.urls", TYNTEC2FA_RATELIMIT_ENABLE=False, TYNTEC2FA_RESEND_COOLDOWN=0
)
class PhoneFuzzTests(TestCase):
    """U2, E1: any text as the number on the enrollment page of a signed-in user."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.user = get_user_model().objects.create_user("phone-fuzz", password=PASSWORD)

    @FAST
    @given(number=PHONE_INPUT)
    def test_only_e164_numbers_are_stored_and_never_a_500(self, number: str) -> None:
        client = Client(headers=BROWSER_HEADERS)
        client.force_login(self.user)  # no phone yet: no second factor to pass

        response = client.post(reverse("tyntec2fa:enroll"), {"number": number, "channel": "SMS"})

        assert response.status_code in {302, 400}, (ascii(number), response.status_code)
        stored = list(PhoneDevice.objects.values_list("number", flat=True))
        assert all(is_e164(value) for value in stored), stored
        assert len(stored) == (1 if response.status_code == 302 else 0)
        sent = [delivery.number for delivery in sinks.outbox[-1:]] if stored else []
        assert sent == stored  # the code went to the stored (normalised) number


def test_the_oracle_refuses_what_django_refuses() -> None:
    """``is_safe_target`` is not vacuous: the known bad URLs fail it or Django's check."""
    unsafe: list[Any] = [
        url
        for url in BAD_URLS
        if is_safe_target(url) and url_has_allowed_host_and_scheme(url, {"testserver"})
    ]
    assert unsafe == []
    assert all(is_safe_target(url) for url in ("/protected/", "https://testserver/"))
