"""Refusals from the flows become a page with the message and the right status, never
a 500 and never a lost login: provider down (503), rate limits (429 + Retry-After),
account backoff (403)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from django_tyntec2fa.models import PhoneDevice
from django_tyntec2fa.providers import sinks

from ..steps import LastCode, PasswordLogin, refused, wrong_code
from .helpers import ALICE_BACKUP, url

UNAVAILABLE = "The verification service is unavailable right now."


def test_send_with_the_provider_down_is_503_and_keeps_the_login(
    pending: Client, provider_down: None
) -> None:
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=31), tick=False):
        for channel in ("SMS", "VOICE"):
            response = pending.post(url("challenge-send"), {"channel": channel})
            assert response.status_code == 503
            assert UNAVAILABLE in response.content.decode()
        assert pending.get(url("challenge")).status_code == 200


def test_verify_with_the_provider_down_is_503_and_not_verified(
    pending: Client, provider_down: None, last_code: LastCode
) -> None:
    """R1: fail closed."""
    response = pending.post(url("challenge"), {"code": last_code()})
    assert response.status_code == 503 and UNAVAILABLE in response.content.decode()
    assert pending.get("/protected/").status_code == 302


def test_login_with_the_provider_down_offers_to_send_again(
    client: Client,
    alice: Any,
    monkeypatch: pytest.MonkeyPatch,
    provider_down: None,
    last_code: LastCode,
    password_login: PasswordLogin,
) -> None:
    """The password step survives a failed send; the code page says the service is down
    (503 with ``Retry-After``) and offers "send a code"."""
    password_login(client, alice)
    page = client.get(url("challenge"))
    assert page.status_code == 503 and "Send a code by text message" in page.content.decode()
    assert client.post(url("challenge-send"), {"channel": "SMS"}).status_code == 503
    monkeypatch.undo()  # the provider is back (provider_down patched with this monkeypatch)
    assert client.post(url("challenge-send"), {"channel": "SMS"}).status_code == 302
    assert client.post(url("challenge"), {"code": last_code()}).status_code == 302


def test_step_up_send_with_the_provider_down_is_503(verified: Client, provider_down: None) -> None:
    response = verified.post(url("step-up-send"), {"channel": "SMS"})
    assert response.status_code == 503 and UNAVAILABLE in response.content.decode()


def test_send_rate_limit_is_429_with_retry_after(
    midday: None, client: Client, alice: Any, settings: Any, password_login: PasswordLogin
) -> None:
    """A send limit shows "try again at" a clock time with a 429 and Retry-After; nothing
    is sent and the login stays pending. (Another phone: no resend cooldown in the way.)"""
    settings.TYNTEC2FA_SEND_RATE_USER = "1/h"
    password_login(client, alice)  # the login code uses up the one send
    sent = len(sinks.outbox)
    backup = PhoneDevice.objects.get(number=ALICE_BACKUP)
    response = client.post(url("challenge-send"), {"device": backup.pk})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert re.search(r"Please try again at \d\d:\d\d:\d\d UTC\.", response.content.decode())
    assert len(sinks.outbox) == sent
    assert client.get(url("challenge")).status_code == 200


def test_account_backoff_refuses_even_the_right_code_and_says_until_when(
    midday: None, pending: Client, settings: Any, last_code: LastCode
) -> None:
    """L2: after BACKOFF_AFTER failures the account waits; the page says until when.
    (The page answers a posted code with its redirect, post/redirect/get; the API's
    403 with Retry-After: tests/api.)"""
    settings.TYNTEC2FA_BACKOFF_AFTER = 1
    code = last_code()
    refused(pending, url("challenge"), {"code": wrong_code(code)})
    html = refused(pending, url("challenge"), {"code": code}).content.decode()
    assert re.search(r"You can try again at \d\d:\d\d:\d\d UTC\.", html)
    assert pending.get("/protected/").status_code == 302
