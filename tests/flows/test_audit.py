"""L8: one audit row and one structured log record per attempt, with user id, IP,
channel, result and challenge id; never the code or the full number (G4)."""

from __future__ import annotations

import logging

import pytest

from django_tyntec2fa import flows
from django_tyntec2fa.exceptions import ChallengeExpired, InvalidCode, RateLimited
from django_tyntec2fa.models import AuditEvent, Challenge

from ..steps import wrong_code
from .conftest import NUMBER

pytestmark = pytest.mark.django_db
LOGIN = Challenge.Purpose.LOGIN
ATTEMPT_KINDS = {
    AuditEvent.Kind.VERIFIED,
    AuditEvent.Kind.FAILED,
    AuditEvent.Kind.CHALLENGE_EXPIRED,
}


def test_one_row_and_one_record_per_attempt_l8(
    user, device, make_request, last_code, caplog
) -> None:
    request = make_request(ip="203.0.113.9")
    challenge = flows.start(request, user, purpose=LOGIN)
    code = last_code()
    caplog.set_level(logging.DEBUG)  # every logger, DEBUG: nothing may leak (G4)
    with pytest.raises(InvalidCode):
        flows.verify(request, user, purpose=LOGIN, code=wrong_code(code))
    flows.verify(request, user, purpose=LOGIN, code=code)
    with pytest.raises(ChallengeExpired):
        flows.verify(request, user, purpose=LOGIN, code=code)

    rows = list(AuditEvent.objects.filter(kind__in=ATTEMPT_KINDS).order_by("pk"))
    assert [row.kind for row in rows] == ["failed", "verified", "challenge_expired"]
    for row in rows:
        assert (row.user_id, row.ip, row.channel, row.challenge_id) == (
            user.pk,
            "203.0.113.9",
            "SMS",
            challenge.pk,
        )
        assert row.number == "+49*******6789"
        assert row.user_agent == "pytest"
    records = [r for r in caplog.records if r.name == "django_tyntec2fa.audit"]
    assert [r.result for r in records] == ["failed", "verified", "challenge_expired"]
    for record in records:
        assert (record.user_id, record.ip, record.channel, record.challenge_id) == (
            user.pk,
            "203.0.113.9",
            "SMS",
            challenge.pk,
        )
        assert record.number == "+49*******6789"
    assert records[0].levelno == logging.WARNING and records[1].levelno == logging.INFO
    everything = caplog.text + " ".join(
        str(value) for row in AuditEvent.objects.values() for value in row.values()
    )
    assert code not in everything
    assert wrong_code(code) not in everything
    assert NUMBER not in everything and NUMBER[1:] not in everything


def test_refusals_before_the_lock_are_audited_too_l8(user, device, make_request, limits_on) -> None:
    limits_on.TYNTEC2FA_VERIFY_RATE_USER = "1/m"
    request = make_request()
    flows.start(request, user, purpose=LOGIN)
    with pytest.raises(InvalidCode):
        flows.verify(request, user, purpose=LOGIN, code="000000")
    with pytest.raises(RateLimited):
        flows.verify(request, user, purpose=LOGIN, code="000000")
    kinds = list(AuditEvent.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds[-1] == AuditEvent.Kind.RATE_LIMITED
