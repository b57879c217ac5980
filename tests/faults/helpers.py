"""Steps the fault tests share: sign in, the live challenge, the code the phone got."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from django_tyntec2fa.models import Challenge
from django_tyntec2fa.testing.fake_tyntec import FakeTyntec

from .conftest import PASSWORD

NEXT = "/protected/"
PENDING = Challenge.Status.PENDING


def url(name: str) -> str:
    """A URL of the app by its short name."""
    return reverse(f"tyntec2fa:{name}")


def sign_in(client: Client) -> None:
    """Alice's password step (her login code goes out unless a fault is waiting)."""
    response = client.post(
        f"/accounts/login/?next={NEXT}", {"username": "alice", "password": PASSWORD}
    )
    assert response.status_code == 302, response.content


def live(user: Any) -> Challenge:
    """The user's one pending challenge."""
    return Challenge.objects.get(user=user, status=PENDING)


def code_for(fake: FakeTyntec, challenge: Challenge) -> str:
    """What the phone received for ``challenge`` (late deliveries cannot mix it up)."""
    codes = [m.code for m in fake.outbox if m.otp_id == challenge.provider_otp_id]
    assert codes, "no message for this challenge"
    return codes[-1]
