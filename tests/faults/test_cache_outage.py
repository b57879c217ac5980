"""The rate-limit cache is a dependency too (docs/faults.md): with it unreachable no
code is sent or checked without its limits (fail closed: 503 with ``Retry-After``, the
provider-unavailable message), nothing answers 500, and pages that neither send nor
check a code keep working. The cache points at a port where nothing listens."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache.backends.redis import RedisCache
from django.test import Client
from django.urls import reverse

from django_tyntec2fa.abuse import conversion
from django_tyntec2fa.abuse.counters import UNREACHABLE_RETRY_AFTER
from django_tyntec2fa.models import AuditEvent, Challenge
from django_tyntec2fa.testing.fake_tyntec import FakeTyntec

from ..api.conftest import API_HANDLER
from ..api.helpers import post
from ..people import PASSWORD
from ..steps import LOGIN, PasswordLogin
from .helpers import NEXT, code_for, live

pytestmark = pytest.mark.django_db

UNREACHABLE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: the connection is refused
    }
}
MESSAGE = "The verification service is unavailable right now."


@pytest.fixture(autouse=True)
def _limits_on(settings: Any) -> None:
    settings.TYNTEC2FA_RATELIMIT_ENABLE = True


def cache_down(settings: Any) -> None:
    settings.CACHES = UNREACHABLE


def assert_unavailable(response: Any, *, since_the_password: bool = False) -> None:
    """503, ``Retry-After`` and the message. ``since_the_password``: the code page
    counts the wait down from the password step in whole seconds, so a second may have
    passed (the next second began) on a loaded machine."""
    assert response.status_code == 503, response.content
    wait = int(response["Retry-After"])
    if since_the_password:
        assert 0 < wait <= UNREACHABLE_RETRY_AFTER
    else:
        assert wait == UNREACHABLE_RETRY_AFTER
    assert MESSAGE in response.content.decode()


def test_the_password_step_sends_no_code_and_says_try_again_later_p3(
    client: Client, alice: Any, fake: FakeTyntec, settings: Any
) -> None:
    cache_down(settings)
    response = client.post(
        f"{LOGIN}?next={NEXT}",
        {"username": alice.get_username(), "password": PASSWORD},
        follow=True,
    )

    # Redirected to the challenge page, which answers 503: no code, try again later.
    assert response.redirect_chain[-1][0].startswith(reverse("tyntec2fa:challenge"))
    assert_unavailable(response, since_the_password=True)
    # A reload of that page (a GET, never a send) says the same, without a 500.
    assert_unavailable(client.get(reverse("tyntec2fa:challenge")), since_the_password=True)
    assert fake.outbox == [] and fake.counters.get("send", 0) == 0
    assert not Challenge.objects.exists()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PROVIDER_ERROR).exists()


def test_the_api_password_step_sends_no_code_and_resend_is_a_503_with_retry_after_p3(
    alice: Any, fake: FakeTyntec, settings: Any
) -> None:
    """The password was right, so the login is pending (as for any refused login code):
    the password step answers 503 with ``Retry-After``, the error and the login's state
    (no code was sent, why, when to try again), and keeps the session although Django
    saves none on a 5xx answer; "send" is a 503 with ``Retry-After`` too. The password
    step's own limits are off here (``None``, as for a site that uses django-axes):
    with them on, the step fails closed before the password is tried
    (``tests/api/test_login_throttle.py``)."""
    settings.TYNTEC2FA_LOGIN_RATE_IP = settings.TYNTEC2FA_LOGIN_RATE_USER = None
    settings.ROOT_URLCONF = "tests.api.urls"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "EXCEPTION_HANDLER": API_HANDLER}
    cache_down(settings)
    client = Client()

    response = post(client, "login", {"username": alice.get_username(), "password": PASSWORD})

    assert response.status_code == 503, response.content
    assert int(response["Retry-After"]) == UNREACHABLE_RETRY_AFTER
    body = response.json()
    assert body["code"] == "provider_unavailable" and MESSAGE in body["detail"]
    assert body["status"] == "second_factor_required"
    assert body["challenge"] is None
    assert body["send_error"]["code"] == "provider_unavailable"
    assert MESSAGE in body["send_error"]["detail"]
    assert body["send_error"]["retry_after"] == UNREACHABLE_RETRY_AFTER
    send = post(client, "challenge-send", {})
    assert send.status_code == 503, send.content
    assert send.json()["code"] == "provider_unavailable"
    assert int(send["Retry-After"]) == UNREACHABLE_RETRY_AFTER
    assert fake.counters.get("send", 0) == fake.counters.get("resend", 0) == 0


def test_the_503_code_page_keeps_what_it_changed_in_the_session(
    client: Client, alice: Any, fake: FakeTyntec, settings: Any
) -> None:
    """The code page's 503 (no code could be sent) still saves the session, which
    Django does not do on a 5xx answer: a ``next`` it was given leads there after the
    code, once the service is back."""
    cache_down(settings)
    credentials = {"username": alice.get_username(), "password": PASSWORD}
    assert client.post(f"{LOGIN}?next={NEXT}", credentials).status_code == 302

    page = client.get(reverse("tyntec2fa:challenge") + "?next=/elsewhere/")

    assert_unavailable(page, since_the_password=True)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert client.post(reverse("tyntec2fa:challenge-send"), {"channel": "SMS"}).status_code == 302
    code = code_for(fake, live(alice))
    signed_in = client.post(reverse("tyntec2fa:challenge"), {"code": code})
    assert signed_in.status_code == 302 and signed_in["Location"] == "/elsewhere/"


def test_resend_and_check_are_refused_with_503_and_nothing_reaches_tyntec_p3_l9(
    client: Client, alice: Any, fake: FakeTyntec, settings: Any, password_login: PasswordLogin
) -> None:
    password_login(client, alice, next_url=NEXT)  # the cache still works for this one
    challenge = live(alice)
    code = code_for(fake, challenge)
    cache_down(settings)

    assert_unavailable(client.post(reverse("tyntec2fa:challenge-send"), {"channel": "SMS"}))
    assert_unavailable(client.post(reverse("tyntec2fa:challenge"), {"code": code}))

    assert fake.counters.get("resend", 0) == fake.counters.get("check", 0) == 0
    challenge.refresh_from_db()
    assert (challenge.status, challenge.attempts) == (Challenge.Status.PENDING, 0)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    accepted = client.post(reverse("tyntec2fa:challenge"), {"code": code})
    assert accepted.status_code == 302 and accepted["Location"] == NEXT


def test_pages_that_neither_send_nor_check_keep_working(
    client: Client, alice: Any, fake: FakeTyntec, settings: Any, password_login: PasswordLogin
) -> None:
    password_login(client, alice, next_url=NEXT)
    cache_down(settings)

    assert client.get(reverse("tyntec2fa:challenge")).status_code == 200
    assert client.get(NEXT).status_code == 302  # the gate still keeps the pending login out
    assert Client().get(NEXT).status_code == 302


def test_a_cache_lost_after_the_check_still_signs_in(
    client: Client,
    alice: Any,
    fake: FakeTyntec,
    password_login: PasswordLogin,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The cache goes away between the limits and the conversion count that follows a
    right code: the code was right, so the login completes; only the count is lost."""
    password_login(client, alice, next_url=NEXT)
    code = code_for(fake, live(alice))
    broken = RedisCache(UNREACHABLE["default"]["LOCATION"], {})
    monkeypatch.setattr(conversion, "counter_cache", lambda: broken)

    response = client.post(reverse("tyntec2fa:challenge"), {"code": code})

    assert response.status_code == 302 and response["Location"] == NEXT
    assert "a verified code was not counted" in caplog.text
