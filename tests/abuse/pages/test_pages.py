"""The cost defences through the HTML pages: a refused destination is a 403 with a
clear message, an exhausted budget a 503 with Retry-After, nothing is sent, and the
code already sent still signs the user in (P1, P2, P3)."""

from __future__ import annotations

import phonenumbers
from django.test import Client

from django_tyntec2fa.models import PhoneDevice

from ...steps import LastCode, PasswordLogin
from ...views.helpers import url

FR_MOBILE = "+33612345678"
DE_MOBILE = "+4915123456789"


def test_send_to_a_refused_country_is_a_403_with_a_message_p1(
    client: Client, make_user, outbox, settings, password_login: PasswordLogin
) -> None:
    settings.TYNTEC2FA_SMS_COUNTRIES = ["DE"]
    user = make_user("frank", [FR_MOBILE])
    password_login(client, user)  # the automatic first send is refused and logged
    response = client.post(url("challenge-send"), {"channel": "SMS"})
    assert response.status_code == 403
    assert "Codes cannot be sent to phone numbers in this country." in response.content.decode()
    assert outbox == []


def test_an_exhausted_budget_is_a_503_with_retry_after_and_the_code_still_works_p3(
    client: Client, make_user, outbox, settings, last_code: LastCode, password_login: PasswordLogin
) -> None:
    settings.TYNTEC2FA_SEND_BUDGET_HOURLY = 1
    settings.TYNTEC2FA_RESEND_COOLDOWN = 0
    user = make_user("gina", [DE_MOBILE])
    password_login(client, user)
    assert len(outbox) == 1
    response = client.post(url("challenge-send"), {"channel": "SMS"})
    assert response.status_code == 503
    assert 1 <= int(response["Retry-After"]) <= 3600
    assert "A code you have already received still works." in response.content.decode()
    assert len(outbox) == 1
    response = client.post(url("challenge"), {"code": last_code()})
    assert response.status_code == 302
    assert client.get("/protected/").status_code == 200


def test_enrolling_a_premium_number_is_a_403_and_stores_nothing_p2(
    client: Client, make_user, outbox
) -> None:
    user = make_user("hugo")
    client.force_login(user)
    premium = phonenumbers.example_number_for_type("DE", phonenumbers.PhoneNumberType.PREMIUM_RATE)
    number = phonenumbers.format_number(premium, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    response = client.post(url("enroll"), {"number": number, "label": "", "channel": "SMS"})
    assert response.status_code == 403
    assert "cannot receive codes" in response.content.decode()
    assert (outbox, PhoneDevice.objects.count()) == ([], 0)
