"""The step-up page: nothing is sent on GET; send, then the code, then `next` (S10)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from django_tyntec2fa.providers import sinks
from django_tyntec2fa.providers.base import Channel

from ..steps import LastCode, refused, wrong_code
from .helpers import url


def test_send_then_code_goes_to_next(verified: Client, last_code: LastCode) -> None:
    sent = len(sinks.outbox)
    page = verified.get(url("step-up") + "?next=/protected/")
    assert page.status_code == 200 and len(sinks.outbox) == sent
    html = page.content.decode()
    assert "<h1>Confirm it" in html and 'name="next" value="/protected/"' in html
    response = verified.post(url("step-up-send"), {"channel": "SMS", "next": "/protected/"})
    assert response.status_code == 302
    assert response.url == url("step-up") + "?next=/protected/"
    assert len(sinks.outbox) == sent + 1
    page = verified.get(response.url).content.decode()
    assert 'autocomplete="one-time-code"' in page
    code = last_code()
    # A wrong code: back to the page, `next` kept, the message on the field.
    data = {"code": wrong_code(code), "next": "/protected/"}
    page = refused(verified, url("step-up") + "?next=/protected/", data).content.decode()
    assert "That code is not valid" in page and 'name="next" value="/protected/"' in page
    response = verified.post(url("step-up"), {"code": code, "next": "/protected/"})
    assert response.status_code == 302 and response.url == "/protected/"


def test_call_me_instead(verified: Client) -> None:
    verified.post(url("step-up-send"), {"channel": "VOICE"})
    assert sinks.outbox[-1].channel == Channel.VOICE


def test_unsafe_next_goes_to_the_default_page(verified: Client, last_code: LastCode) -> None:
    """S5: `next` is checked when read from the form."""
    verified.post(url("step-up-send"), {"channel": "SMS"})
    response = verified.post(url("step-up"), {"code": last_code(), "next": "//evil.example/"})
    assert response.status_code == 302 and response.url == "/protected/"


def test_anonymous_goes_to_the_login_page(client: Client, db: None) -> None:
    response = client.get(url("step-up"))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_without_a_phone_goes_to_enrollment(client: Client, carol: Any) -> None:
    client.force_login(carol)
    response = client.get(url("step-up") + "?next=/protected/")
    assert response.status_code == 302
    assert response.url == url("enroll") + "?next=/protected/"
