"""Security notices through the pages: the mail goes out when the page's change is
committed, and a mail server that fails never fails the page (E2, E3, E4).

These tests run without the test's own transaction (``transaction=True``), so the
notice is sent at the real commit, inside the request, as on a site."""

from __future__ import annotations

import logging
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.test import Client

from django_tyntec2fa.flows import recovery

from ..people import ALICE_BACKUP, ALICE_PRIMARY
from ..steps import FullLogin, LastCode, PasswordLogin, use_mail_backend
from .helpers import url

pytestmark = pytest.mark.django_db(transaction=True)

NEW_NUMBER = "+4915712345678"
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36"
)


@pytest.fixture
def carol_with_email(carol: Any) -> Any:
    carol.email = "carol@example.com"
    carol.save(update_fields=["email"])
    return carol


def add_phone(client: Client, last_code: LastCode) -> tuple[Any, str]:
    """The enrollment pages: the number, then its code; returns the answer and code."""
    response = client.post(url("enroll"), {"number": NEW_NUMBER, "channel": "SMS"})
    assert response.status_code == 302
    code = last_code()
    return client.post(url("enroll-confirm"), {"code": code}), code


def test_adding_a_phone_on_the_page_sends_the_notice_e2(
    client: Client, carol_with_email: Any, last_code: LastCode
) -> None:
    client.force_login(carol_with_email)
    response, code = add_phone(client, last_code)
    assert response.status_code == 302  # to the phones page (or the offer of recovery codes)
    [message] = mail.outbox
    assert message.to == ["carol@example.com"]
    assert "+49*******5678" in message.body
    assert NEW_NUMBER not in message.body and code not in message.body


class BrokenBackend:
    """An email backend whose server is down."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: Any) -> int:
        raise ConnectionRefusedError("mail server down")


def test_a_failing_mail_server_never_fails_the_page_e2(
    client: Client, carol_with_email: Any, last_code: LastCode, settings: Any, caplog: Any
) -> None:
    """The phone is added and the page answers as usual; the log tells the operator."""
    use_mail_backend(settings, "tests.views.test_notices.BrokenBackend")
    client.force_login(carol_with_email)
    with caplog.at_level(logging.ERROR, logger="django_tyntec2fa.notices"):
        response, code = add_phone(client, last_code)
    assert response.status_code == 302  # to the phones page (or the offer of recovery codes)
    assert carol_with_email.tyntec2fa_devices.get().confirmed
    assert client.get(url("devices")).status_code == 200
    [record] = [r for r in caplog.records if r.name == "django_tyntec2fa.notices"]
    assert "device_added" in record.getMessage() and "not sent" in record.getMessage()
    assert code not in caplog.text and NEW_NUMBER not in caplog.text
    assert mail.outbox == []


def test_removing_a_phone_on_the_page_sends_the_notice_e3(
    client: Client, alice: Any, full_login: FullLogin
) -> None:
    alice.email = "alice@example.com"
    alice.save(update_fields=["email"])
    full_login(client, alice)
    backup = alice.tyntec2fa_devices.get(number=ALICE_BACKUP)
    assert client.post(url("device-remove", pk=backup.pk)).status_code == 302
    [message] = mail.outbox
    assert message.subject == "A phone was removed from your account"
    assert "+49*******5678" in message.body
    assert ALICE_BACKUP not in message.body and ALICE_PRIMARY not in message.body


def with_email(user: Any) -> Any:
    user.email = f"{user.get_username()}@example.com"
    user.save(update_fields=["email"])
    return user


def test_a_recovery_code_at_sign_in_sends_the_notice_e4(
    client: Client, alice: Any, password_login: PasswordLogin
) -> None:
    """E4: the recovery page signs in and the user is told, with how many are left."""
    with_email(alice)
    with mock.patch("django_tyntec2fa.flows.sensitive.recent_for", return_value=True):
        codes = recovery.generate(None, alice).codes
    mail.outbox.clear()  # the set's own notice
    password_login(client, alice, next_url="/protected/")
    response = client.post(url("recover"), {"code": codes[0]})
    assert response.status_code == 302 and response.url == "/protected/"
    [message] = mail.outbox
    assert message.subject == "A recovery code was used to sign in to your account"
    assert "9 recovery codes are left." in message.body
    for code in codes:
        assert code not in message.body and code.replace("-", "") not in message.body


def test_remembering_the_browser_on_the_code_page_sends_the_notice(
    client: Client, alice: Any, password_login: PasswordLogin, last_code: LastCode, settings: Any
) -> None:
    settings.TYNTEC2FA_TRUST_BROWSER_DAYS = 30
    with_email(alice)
    password_login(client, alice)
    code = last_code()
    response = client.post(
        url("challenge"), {"code": code, "remember": "1"}, HTTP_USER_AGENT=CHROME_ANDROID
    )
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.subject == "A browser can now sign in to your account without a code"
    assert "Chrome (Android)" in message.body and code not in message.body
