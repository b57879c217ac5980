"""Step-up and the send options through the API (S3, S10, P8)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from django_tyntec2fa.providers import sinks

from ..steps import LastCode, wrong_code
from .helpers import ALICE_BACKUP, assert_error, get, password, post


def test_step_up_renews_the_proof_and_the_session_key(
    verified: Client, alice: Any, last_code: LastCode
) -> None:
    """S3, S10: a new session key; the second factor counts as recent again."""
    before = verified.cookies[settings.SESSION_COOKIE_NAME].value
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=301), tick=False):
        assert_error(
            verified.get("/probe/recent-default/", headers={"accept": "application/json"}),
            403,
            "step_up_required",
        )
        sent = post(verified, "step-up-send", {"channel": "VOICE"})
        assert sent.status_code == 200
        assert sent.json()["challenge"]["purpose"] == "step_up"
        assert sinks.outbox[-1].channel.value == "VOICE"
        assert_error(
            post(verified, "step-up-verify", {"code": wrong_code(last_code())}), 400, "invalid_code"
        )
        done = post(verified, "step-up-verify", {"code": last_code()})
        assert done.status_code == 200 and done.json()["status"] == "verified"
        assert verified.cookies[settings.SESSION_COOKIE_NAME].value != before
        assert verified.get("/probe/recent-default/").status_code == 200


def test_send_in_the_language_asked_for(client: Client, alice: Any, settings: Any) -> None:
    settings.LANGUAGES = [("en", "English"), ("de", "Deutsch")]
    password(client, alice)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=31), tick=False):
        answer = post(client, "challenge-send", {"channel": "SMS", "language": "de"})
    assert answer.status_code == 200
    assert sinks.outbox[-1].language == "de"


def test_resend_to_another_phone(client: Client, alice: Any, last_code: LastCode) -> None:
    """Use another phone: a new code to the backup, the old one is cancelled."""
    password(client, alice)
    backup = alice.tyntec2fa_devices.get(number=ALICE_BACKUP)
    answer = post(client, "challenge-resend", {"device": backup.pk})
    assert answer.status_code == 200
    assert answer.json()["challenge"]["device"] == backup.pk
    assert sinks.outbox[-1].number == ALICE_BACKUP
    assert post(client, "challenge-verify", {"code": last_code(ALICE_BACKUP)}).status_code == 200


def test_the_challenge_status_never_sends(client: Client, alice: Any) -> None:
    """P5: GETs send nothing."""
    password(client, alice)
    sent = len(sinks.outbox)
    for _repeat in range(3):
        assert get(client, "challenge").status_code == 200
        assert get(client, "login").status_code == 200
    assert len(sinks.outbox) == sent
