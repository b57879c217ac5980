"""Enrolling a number another account has confirmed is refused before anything is
stored or sent (issue 15: the number's owner got an SMS they did not ask for, and the
enrolling account an unconfirmed copy). The answer is that of a refused destination
(403 ``destination_refused``, the generic message), so it does not tell whether the
number belongs to an account here."""

from __future__ import annotations

from typing import Any

from django.test import Client

from django_tyntec2fa.exceptions import DestinationRefused
from django_tyntec2fa.models import AuditEvent, PhoneDevice

from .helpers import BOB_PHONE, assert_error, post


def test_someone_elses_confirmed_number_is_refused_without_a_text_u1(
    verified: Client, alice: Any, bob: Any, outbox: Any
) -> None:
    sent = len(outbox)
    body = assert_error(
        post(verified, "device-add", {"number": BOB_PHONE}), 403, "destination_refused"
    )
    assert body["detail"] == str(DestinationRefused.default_message)
    assert len(outbox) == sent
    assert not PhoneDevice.objects.filter(user=alice, number=BOB_PHONE).exists()
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.DESTINATION_REFUSED, user=alice, detail__contains="another account"
    ).exists()


def test_a_number_nobody_confirmed_can_be_enrolled(
    verified: Client, alice: Any, bob: Any, outbox: Any
) -> None:
    """Bob's unconfirmed number (he never entered its code) is no one's yet."""
    PhoneDevice.objects.filter(user=bob, number=BOB_PHONE).update(confirmed=False)
    assert post(verified, "device-add", {"number": BOB_PHONE}).status_code == 200
    assert outbox[-1].number == BOB_PHONE
