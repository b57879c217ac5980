"""Enrolling a number another account has confirmed answers exactly like enrolling a
free number (issue 23.1, U1): 200 with a pending challenge of the same shape, while
its owner gets no text and no code confirms it. Until 23.1 it answered 403
``destination_refused`` where a free number got 200: the answer told whether the
number belonged to an account here."""

from __future__ import annotations

from typing import Any

from django.test import Client

from django_tyntec2fa.models import AuditEvent, PhoneDevice

from .helpers import BOB_PHONE, post

FREE = "+4915799999999"


def _shape(value: Any) -> Any:
    """The JSON's keys and value types, without the values (ids, times)."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    return type(value).__name__


def test_someone_elses_confirmed_number_answers_like_a_free_one_without_a_text_u1(
    verified: Client, alice: Any, bob: Any, outbox: Any
) -> None:
    sent = len(outbox)
    probe = post(verified, "device-add", {"number": BOB_PHONE})
    assert probe.status_code == 200, probe.content
    assert len(outbox) == sent  # Bob's phone got nothing
    free = post(verified, "device-add", {"number": FREE})
    assert free.status_code == 200, free.content
    assert _shape(probe.json()) == _shape(free.json())
    assert [delivery.number for delivery in outbox[sent:]] == [FREE]
    assert PhoneDevice.objects.filter(user=alice, number=BOB_PHONE, confirmed=False).exists()
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


def test_re_posting_a_number_is_a_429_with_retry_after_p3(
    verified: Client, alice: Any, outbox: Any
) -> None:
    """Issue 23.2: the number's cooldown holds for enrollment re-posts."""
    assert post(verified, "device-add", {"number": FREE}).status_code == 200
    again = post(verified, "device-add", {"number": FREE})
    assert again.status_code == 429, again.content
    assert again.json()["code"] == "resend_not_allowed"
    assert int(again["Retry-After"]) > 0
    assert [delivery.number for delivery in outbox].count(FREE) == 1
