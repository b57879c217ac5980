"""Security notices through the JSON API: the endpoints call the same flows as the pages,
so the same mails go out at the real commit (``transaction=True``), with no code in
them (E2, E4)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from .. import steps
from .helpers import password, post

pytestmark = pytest.mark.django_db(transaction=True)

NEW_NUMBER = "+4915712345678"


@pytest.fixture
def member(alice: Any) -> Any:
    """Alice, with an email address."""
    alice.email = "alice@example.com"
    alice.save(update_fields=["email"])
    return alice


def test_a_new_set_and_a_recovery_login_through_the_api_send_their_notices_e4(
    client: Client, member: Any, settings: Any
) -> None:
    """A new set, then a login with one of its codes that trusts the browser: three
    notices, in that order, none with a code."""
    settings.TYNTEC2FA_TRUST_BROWSER_DAYS = 30
    password(client, member)
    answer = post(client, "challenge-verify", {"code": steps.last_code()})
    assert answer.status_code == 200, answer.content
    answer = post(client, "recovery-codes")
    assert answer.status_code == 200, answer.content
    codes = answer.json()["codes"]
    other = Client()
    password(other, member)
    answer = post(other, "challenge-recover", {"code": codes[0], "remember": True})
    assert answer.status_code == 200, answer.content
    subjects = [message.subject for message in mail.outbox]
    assert subjects == [
        "New recovery codes were made for your account",
        "A recovery code was used to sign in to your account",
        "A browser can now sign in to your account without a code",
    ]
    assert "9 recovery codes are left." in mail.outbox[1].body
    for message in mail.outbox:
        for code in codes:
            assert code not in message.body and code.replace("-", "") not in message.body


def test_adding_a_phone_through_the_api_sends_the_notice_e2(client: Client, member: Any) -> None:
    password(client, member)
    assert post(client, "challenge-verify", {"code": steps.last_code()}).status_code == 200
    answer = post(client, "device-add", {"number": NEW_NUMBER, "channel": "SMS"})
    assert answer.status_code in (200, 201, 202), answer.content
    code = steps.last_code(NEW_NUMBER)
    answer = post(client, "device-confirm", {"code": code})
    assert answer.status_code == 200, answer.content
    [message] = mail.outbox
    assert message.subject == "A phone was added to your account"
    assert "+49*******5678" in message.body
    assert NEW_NUMBER not in message.body and code not in message.body
