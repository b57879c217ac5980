"""Every provider fault on every operation the login flow uses, through the HTML views
(R1, R2, L7, L8, S11): no 500, a clear translated message, one ``provider_error`` audit
event, a consistent challenge, and the user signs in once the fault is gone.

The expected outcome of each cell is ``table.TABLE``; ``docs/faults.md`` is rendered
from it. ``send`` is reached through "use another phone" so that a live challenge
exists whose state must survive the fault.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from django_tyntec2fa import exceptions
from django_tyntec2fa.models import AuditEvent, Challenge, FailureCounter, PhoneDevice
from django_tyntec2fa.providers import registry
from django_tyntec2fa.testing.fake_tyntec import FakeTyntec

from .. import steps
from ..people import ALICE_BACKUP
from ..steps import PasswordLogin
from ..views.helpers import url
from . import table
from .helpers import NEXT, PENDING, code_for, live

DOCS = Path(__file__).resolve().parents[2] / "docs" / "faults.md"
#: Seconds to wait for the fake to carry out a request that a ``latency`` fault delayed.
LATE_WORK_DEADLINE = 5.0
CELLS = sorted(table.TABLE)


def snapshot(user: Any) -> list[tuple[Any, ...]]:
    """Every challenge of ``user`` with every field a fault could half-write."""
    return list(
        Challenge.objects.filter(user=user)
        .order_by("pk")
        .values_list(
            "pk",
            "status",
            "attempts",
            "resend_count",
            "provider_otp_id",
            "channel",
            "device_id",
            "expires_at",
            "last_sent_at",
        )
    )


def provider_errors() -> int:
    return AuditEvent.objects.filter(kind=AuditEvent.Kind.PROVIDER_ERROR).count()


def failures(user: Any) -> int:
    counter = FailureCounter.objects.filter(user=user).first()
    return counter.failures if counter else 0


def act(operation: str, client: Client, fake: FakeTyntec, user: Any) -> Any:
    """The user action that reaches ``operation`` at the provider."""
    if operation == "send":
        backup = PhoneDevice.objects.get(user=user, number=ALICE_BACKUP)
        return client.post(url("challenge-send"), {"device": backup.pk})
    if operation == "resend":
        return client.post(url("challenge-send"), {"channel": "SMS"})
    if operation == "check":
        return client.post(url("challenge"), {"code": code_for(fake, live(user))})
    return client.post(url("challenge-cancel"))


def page_message(name: str) -> Any:
    """The message a page shows for the exception ``name``: the one that goes with a
    time (every 503 says when to try again) when it has one."""
    error = getattr(exceptions, name)
    return getattr(error, "timed_message", error.default_message)


def assert_message(response: Any, key: str | None) -> None:
    if key is None:
        return
    name, english = table.MESSAGES[key]
    message = page_message(name)
    assert str(message) == english or translation.get_language() != "en"
    assert escape(str(message)) in response.content.decode()


def assert_state(key: str, before: list[tuple[Any, ...]], user: Any, client: Client) -> None:
    after = snapshot(user)
    if key == "unchanged":
        assert after == before
    elif key == "attempt":
        ((pk, status, attempts, *rest),) = before
        assert after == [(pk, status, attempts + 1, *rest)]
        assert failures(user) == 0  # an outage does not charge the account
    elif key == "cancelled":
        assert [row[1] for row in after] == [Challenge.Status.CANCELLED]
        assert client.get(url("challenge")).status_code == 302  # no pending login left
    else:  # unknown_otp
        assert after[:-1] == [(*before[0][:1], Challenge.Status.CANCELLED, *before[0][2:])]
        assert after[-1][1] == PENDING and after[-1][0] != before[0][0]


def wait_for_late_work(fake: FakeTyntec, challenge: Challenge) -> None:
    """A delayed check is carried out at the fake after our client gave up; wait for it
    so the retry meets a decided OTP, not a race."""
    deadline = time.monotonic() + LATE_WORK_DEADLINE
    while time.monotonic() < deadline:
        otp = fake.otps.get(challenge.provider_otp_id)
        if otp is None or otp.status.value != "ACTIVE":
            return
        time.sleep(0.05)
    raise AssertionError("the fake never carried out the delayed request")


def verify_latest(client: Client, fake: FakeTyntec, user: Any) -> None:
    response = client.post(url("challenge"), {"code": code_for(fake, live(user))})
    assert response.status_code == 302 and response["Location"] == NEXT, response.content


def recover(retry: str, operation: str, client: Client, fake: FakeTyntec, user: Any) -> None:
    """The fault is gone: the user gets in the way the table says."""
    if retry == "again":
        assert act(operation, client, fake, user).status_code == 302
        verify_latest(client, fake, user)
    elif retry == "same_code":
        verify_latest(client, fake, user)
    elif retry == "sign_in":
        steps.password_login(client, user, next_url=NEXT)
        verify_latest(client, fake, user)
    else:  # new_code: the provider spent (or never knew) the code we hold
        challenge = live(user)
        wait_for_late_work(fake, challenge)
        errors = provider_errors()
        number = challenge.device.number
        received = [m.code for m in fake.outbox if m.number == number][-1]
        refused = steps.refused(client, url("challenge"), {"code": received})
        assert_message(refused, "no_longer_valid")
        assert not Challenge.objects.filter(user=user, status=PENDING).exists()
        if operation == "send":
            assert provider_errors() == errors + 1  # the unknown OTP id (R1)
        assert client.post(url("challenge-send"), {"channel": "SMS"}).status_code == 302
        verify_latest(client, fake, user)
    assert client.get(NEXT).status_code == 200


@pytest.mark.parametrize(("operation", "fault"), CELLS, ids=[f"{o}-{f}" for o, f in CELLS])
def test_fault_cell_r1_r2(
    operation: str,
    fault: str,
    client: Client,
    alice: Any,
    fake: FakeTyntec,
    password_login: PasswordLogin,
) -> None:
    """One cell of docs/faults.md (R1: fail closed; L8: audited; R2: bounded)."""
    expected = table.TABLE[operation, fault]
    password_login(client, alice, next_url=NEXT)
    before, errors = snapshot(alice), provider_errors()
    fake.inject(dataclasses.replace(table.FAULTS[fault], operation=operation))

    response = act(operation, client, fake, alice)

    assert response.status_code == expected.status, response.content
    if response.status_code == 503:  # every 503 says when to try again (issue 23.6)
        assert int(response["Retry-After"]) >= 1
        assert "Please try again at" in response.content.decode()
    assert_message(response, expected.message)
    assert provider_errors() == errors + (0 if expected.state == "unknown_otp" else 1)
    assert_state(expected.state, before, alice, client)
    assert client.get(NEXT).status_code == 302  # nothing was verified by the fault
    recover(expected.retry, operation, client, fake, alice)


@pytest.mark.parametrize(
    ("operation", "fault", "key"),
    [("resend", "503", "unavailable"), ("check", "malformed", "protocol")],
)
def test_fault_messages_are_translated(
    operation: str,
    fault: str,
    key: str,
    client: Client,
    alice: Any,
    fake: FakeTyntec,
    settings: Any,
    password_login: PasswordLogin,
) -> None:
    """The page speaks the user's language, not the provider's error text."""
    settings.LANGUAGE_CODE = "de"
    password_login(client, alice, next_url=NEXT)
    fake.inject(dataclasses.replace(table.FAULTS[fault], operation=operation))

    response = act(operation, client, fake, alice)

    name, english = table.MESSAGES[key]
    with translation.override("de"):
        german = str(page_message(name))
    assert german != english
    assert escape(german) in response.content.decode()
    assert "9500" not in response.content.decode()  # nothing of the provider's answer


def test_an_otp_unknown_at_the_provider_ends_the_challenge(
    client: Client, alice: Any, fake: FakeTyntec, settings: Any, password_login: PasswordLogin
) -> None:
    """The provider forgot the OTP (404): the code is refused with "request a new code",
    the challenge dies at once (not after every attempt is spent), and a new code works."""
    password_login(client, alice, next_url=NEXT)
    challenge = live(alice)
    code = code_for(fake, challenge)
    registry.get_provider().delete(challenge.provider_otp_id)

    refused = steps.refused(client, url("challenge"), {"code": code})

    assert_message(refused, "no_longer_valid")
    challenge.refresh_from_db()
    assert (challenge.status, challenge.attempts) == (Challenge.Status.EXPIRED, 1)
    assert failures(alice) == 0
    assert client.post(url("challenge-send"), {"channel": "SMS"}).status_code == 302
    verify_latest(client, fake, alice)


def test_a_resend_of_an_otp_unknown_at_the_provider_ends_the_challenge(
    client: Client, alice: Any, fake: FakeTyntec, password_login: PasswordLogin
) -> None:
    """ "Send a new code" for an OTP the provider forgot: refused once, then a new code."""
    password_login(client, alice, next_url=NEXT)
    challenge = live(alice)
    registry.get_provider().delete(challenge.provider_otp_id)

    refused = client.post(url("challenge-send"), {"channel": "SMS"})

    assert refused.status_code == 400
    assert_message(refused, "no_longer_valid")
    challenge.refresh_from_db()
    assert challenge.status == Challenge.Status.EXPIRED
    assert client.post(url("challenge-send"), {"channel": "SMS"}).status_code == 302
    verify_latest(client, fake, alice)


def test_docs_faults_md_is_the_rendered_table() -> None:
    """docs/faults.md is generated from table.py; regenerate it when this fails."""
    assert DOCS.read_text(encoding="utf-8") == table.render()
