"""Steps the fault tests share: the live challenge and the code the phone got."""

from __future__ import annotations

from typing import Any

from django_tyntec2fa.models import Challenge
from django_tyntec2fa.testing.fake_tyntec import FakeTyntec

NEXT = "/protected/"
PENDING = Challenge.Status.PENDING


def live(user: Any) -> Challenge:
    """The user's one pending challenge."""
    return Challenge.objects.get(user=user, status=PENDING)


def code_for(fake: FakeTyntec, challenge: Challenge) -> str:
    """What the phone received for ``challenge`` (late deliveries cannot mix it up)."""
    codes = [m.code for m in fake.outbox if m.otp_id == challenge.provider_otp_id]
    assert codes, "no message for this challenge"
    return codes[-1]
