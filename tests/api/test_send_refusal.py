"""When the password step cannot send a code, the API's answer says why and what to do
(``send_error``) instead of an empty challenge (issue 15). The page: tests/views/."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone

from django_tyntec2fa.flows import refusals
from django_tyntec2fa.models import DestinationBlock, Scope

from .helpers import ALICE_PRIMARY, get, password, post


def test_the_password_answer_says_why_no_code_was_sent(
    client: Client, alice: Any, outbox: Any
) -> None:
    block = DestinationBlock.objects.create(
        scope=Scope.PREFIX, value=ALICE_PRIMARY[:-4], until=timezone.now() + dt.timedelta(hours=1)
    )
    body = password(client, alice).json()
    assert outbox == []
    assert body["status"] == "second_factor_required" and body["challenge"] is None
    error = body["send_error"]
    assert error["code"] == "destination_blocked"
    assert error["detail"] and error["hint"] == str(refusals.WAIT_HINT)
    assert 0 < error["retry_after"] <= 3600
    assert get(client, "challenge").json()["send_error"] == error
    # A code that goes out later ends it.
    block.delete()
    assert post(client, "challenge-send").status_code == 200
    assert "send_error" not in get(client, "challenge").json()


def test_a_refused_country_says_to_use_another_phone(
    client: Client, alice: Any, settings: Any
) -> None:
    settings.TYNTEC2FA_SMS_COUNTRIES = ["FR"]
    error = password(client, alice).json()["send_error"]
    assert error["code"] == "destination_refused"
    assert error["hint"] == str(refusals.ELSEWHERE_HINT) and error["retry_after"] is None


def test_a_sent_code_has_no_send_error(client: Client, alice: Any) -> None:
    assert "send_error" not in password(client, alice).json()
