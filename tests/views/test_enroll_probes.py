"""The enrollment page tells nothing about a number's owner and sends one code per
cooldown (issue 23.1, 23.2): someone else's confirmed number gets the answer of a free
one (a redirect to the confirmation page, no text to its owner, no code confirms it);
re-posting a number within the cooldown is a 429, whoever posts it."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.utils.html import escape

from django_tyntec2fa.models import PhoneDevice
from django_tyntec2fa.providers import sinks

from ..people import BOB_PHONE
from .helpers import url

FREE = "+4915712345678"
WAIT = "Please wait a moment before you ask for another code."


def enroll(client: Client, number: str) -> Any:
    return client.post(url("enroll"), {"number": number, "label": "", "channel": "SMS"})


def test_someone_elses_number_is_answered_like_a_free_one_u1(
    client: Client, carol: Any, bob: Any, make_user: Any
) -> None:
    client.force_login(carol)
    probe = enroll(client, BOB_PHONE)
    assert not sinks.outbox  # Bob's phone got nothing
    other = Client()
    other.force_login(make_user("dora"))
    free = enroll(other, FREE)
    assert [sinks.outbox[-1].number] == [FREE]
    assert (
        (probe.status_code, probe.url)
        == (free.status_code, free.url)
        == (302, url("enroll-confirm"))
    )
    page = client.get(url("enroll-confirm"))
    assert page.status_code == 200
    assert PhoneDevice.objects.get(user=carol).masked_number in page.content.decode()
    refused = client.post(url("enroll-confirm"), {"code": "123456"})
    assert refused.status_code == 302  # the refusal of a wrong code (post/redirect/get)
    assert not PhoneDevice.objects.get(user=carol).confirmed


def test_re_posting_a_number_is_a_429_whoever_posts_it_p3(
    client: Client, carol: Any, make_user: Any
) -> None:
    client.force_login(carol)
    assert enroll(client, FREE).status_code == 302
    again = enroll(client, FREE)
    assert again.status_code == 429 and escape(WAIT) in again.content.decode()
    other = Client()
    other.force_login(make_user("dora"))
    assert enroll(other, "+49 157 1234 5678").status_code == 429
    assert [message.number for message in sinks.outbox] == [FREE]
