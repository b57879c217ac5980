"""When the password step cannot send a code, the challenge page says why and what to
do, instead of an empty challenge (issue 15). The API's answer: tests/api/test_send_refusal.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from django_tyntec2fa.flows import refusals
from django_tyntec2fa.models import DestinationBlock, Scope

from ..people import ALICE_PRIMARY
from ..steps import PasswordLogin

CHALLENGE = "/2fa/challenge/"


def block_alices_prefix() -> None:
    DestinationBlock.objects.create(
        scope=Scope.PREFIX, value=ALICE_PRIMARY[:-4], until=timezone.now() + dt.timedelta(hours=1)
    )


@pytest.mark.parametrize(
    ("setup", "message", "hint"),
    [
        ("block", "cannot be sent to this phone number right now", refusals.WAIT_HINT),
        ("budget", "No codes can be sent right now", refusals.WAIT_HINT),
        ("country", "", refusals.ELSEWHERE_HINT),
    ],
)
def test_the_challenge_page_says_why_no_code_was_sent(
    client: Client,
    alice: Any,
    password_login: PasswordLogin,
    outbox: Any,
    settings: Any,
    setup: str,
    message: str,
    hint: Any,
) -> None:
    if setup == "block":
        block_alices_prefix()
    elif setup == "budget":
        settings.TYNTEC2FA_SEND_BUDGET_HOURLY = 1
        from django_tyntec2fa.abuse import velocity

        velocity.consume_budget()
    else:
        settings.TYNTEC2FA_SMS_COUNTRIES = ["FR"]
    password_login(client, alice)
    assert outbox == []
    text = client.get(CHALLENGE).content.decode()
    assert message in text
    assert str(hint) in text


def test_a_code_sent_later_ends_the_explanation(
    client: Client, alice: Any, password_login: PasswordLogin, outbox: Any
) -> None:
    block_alices_prefix()
    password_login(client, alice)
    assert str(refusals.WAIT_HINT) in client.get(CHALLENGE).content.decode()
    DestinationBlock.objects.all().delete()
    client.post("/2fa/challenge/send/", {})
    assert len(outbox) == 1
    assert str(refusals.WAIT_HINT) not in client.get(CHALLENGE).content.decode()


def test_the_explanation_is_translated(
    client: Client, alice: Any, password_login: PasswordLogin, settings: Any
) -> None:
    """The reason and the hint in the language of the site (German here)."""
    settings.LANGUAGE_CODE = "de"
    block_alices_prefix()
    password_login(client, alice)
    text = client.get(CHALLENGE).content.decode()
    with translation.override("de"):
        assert "Es wurde kein Code gesendet." in str(refusals.WAIT_HINT)
        assert str(refusals.WAIT_HINT) in text
