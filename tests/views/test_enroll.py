"""Enrollment: add a number, confirm it with its code (E1), the risk notice (E5), and who
may enroll at all (E2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.test import Client
from django.utils import timezone

from django_tyntec2fa.models import PhoneDevice
from django_tyntec2fa.providers import sinks

from ..steps import FullLogin, LastCode, PasswordLogin, refused, wrong_code
from .helpers import url

NEW_NUMBER = "+4915712345678"
RISK_NOTICE = "Text messages and calls are a weaker second factor."


def test_first_phone_of_a_signed_in_user(client: Client, carol: Any, last_code: LastCode) -> None:
    """number → code → confirmed primary phone → the devices page."""
    client.force_login(carol)
    page = client.get(url("enroll"))
    assert page.status_code == 200 and RISK_NOTICE in page.content.decode()
    assert not sinks.outbox  # P5
    response = client.post(
        url("enroll"), {"number": "+49 157 1234 5678", "label": "Work", "channel": "SMS"}
    )
    assert response.status_code == 302 and response.url == url("enroll-confirm")
    assert sinks.outbox[-1].number == NEW_NUMBER  # normalised (U2)
    device = PhoneDevice.objects.get(user=carol)
    assert not device.confirmed
    html = client.get(url("enroll-confirm")).content.decode()
    assert device.masked_number in html and NEW_NUMBER not in html
    code = last_code()
    page = refused(client, url("enroll-confirm"), {"code": wrong_code(code)})
    assert page.status_code == 200 and "That code is not valid" in page.content.decode()
    response = client.post(url("enroll-confirm"), {"code": code})
    assert response.status_code == 302 and response.url == url("recovery-codes")  # a set is offered
    device.refresh_from_db()
    assert device.confirmed and device.is_primary and device.label == "Work"
    listing = client.get(url("devices")).content.decode()
    assert device.masked_number in listing and "Work" in listing


def test_risk_notice_shows_until_the_setting_turns_it_off_e5(
    client: Client, carol: Any, settings: Any
) -> None:
    """E5: the enrollment page shows the notice of the risks of text messages and calls
    by default; only TYNTEC2FA_SHOW_RISK_NOTICE = False removes it."""
    client.force_login(carol)
    assert RISK_NOTICE in client.get(url("enroll")).content.decode()
    settings.TYNTEC2FA_SHOW_RISK_NOTICE = False
    assert RISK_NOTICE not in client.get(url("enroll")).content.decode()


def test_invalid_number_is_400_on_the_number_field(client: Client, carol: Any) -> None:
    client.force_login(carol)
    response = client.post(url("enroll"), {"number": "12", "channel": "SMS"})
    assert response.status_code == 400
    assert 'id="id_number_error"' in response.content.decode()
    assert not sinks.outbox
    assert not PhoneDevice.objects.filter(user=carol).exists()


def test_another_phone_needs_a_recent_second_factor(
    client: Client, alice: Any, full_login: FullLogin
) -> None:
    """E2: with a phone already bound, adding one needs a recent code (step-up)."""
    full_login(client, alice)
    assert client.get(url("enroll")).status_code == 200  # the login code is recent
    later = timezone.now() + dt.timedelta(seconds=301)
    with time_machine.travel(later, tick=False):
        sent = len(sinks.outbox)
        for response in (
            client.get(url("enroll")),
            client.post(url("enroll"), {"number": NEW_NUMBER, "channel": "SMS"}),
        ):
            assert response.status_code == 302
            assert response.url.startswith(url("step-up") + "?next=")
        assert len(sinks.outbox) == sent
        assert not PhoneDevice.objects.filter(number=NEW_NUMBER).exists()


def test_a_password_only_login_cannot_add_a_phone_e2(pending: Client, alice: Any) -> None:
    """E2 / CVE-2019-16766: during a pending login the user has no right to bind a
    new phone; they are sent back to the challenge."""
    sent = len(sinks.outbox)
    for response in (
        pending.get(url("enroll")),
        pending.post(url("enroll"), {"number": NEW_NUMBER, "channel": "SMS"}),
        pending.get(url("enroll-confirm")),
    ):
        assert response.status_code == 302 and response.url == url("challenge")
    assert len(sinks.outbox) == sent
    assert not PhoneDevice.objects.filter(number=NEW_NUMBER).exists()


def test_anonymous_cannot_enroll(client: Client, db: None) -> None:
    response = client.post(url("enroll"), {"number": NEW_NUMBER, "channel": "SMS"})
    assert response.status_code == 302 and response.url == "/accounts/login/"
    assert not sinks.outbox


def test_required_enrollment_completes_the_login(
    client: Client, carol: Any, settings: Any, last_code: LastCode, password_login: PasswordLogin
) -> None:
    """A policy that requires a phone: the password login becomes a pending "enroll"
    login; confirming the new phone completes it and goes on to `next`."""
    settings.TYNTEC2FA_REQUIRED = "django_tyntec2fa.core.policy.all_users"
    password_login(client, carol, next_url="/protected/")
    assert not sinks.outbox  # no phone, nothing to send to
    assert client.get("/protected/").status_code == 302
    response = client.get(url("challenge"))
    assert response.status_code == 302 and response.url == url("enroll")
    response = client.post(url("enroll"), {"number": NEW_NUMBER, "channel": "SMS"})
    assert response.status_code == 302 and response.url == url("enroll-confirm")
    response = client.post(url("enroll-confirm"), {"code": last_code(NEW_NUMBER)})
    assert (
        response.status_code == 302 and response.url == url("recovery-codes") + "?next=/protected/"
    )
    assert client.get("/protected/").content == b"protected page of carol"


def test_enroll_confirm_without_a_challenge_goes_to_the_form(client: Client, carol: Any) -> None:
    client.force_login(carol)
    response = client.get(url("enroll-confirm"))
    assert response.status_code == 302 and response.url == url("enroll")


def test_enroll_resend_waits_for_the_cooldown(client: Client, carol: Any) -> None:
    client.force_login(carol)
    client.post(url("enroll"), {"number": NEW_NUMBER, "channel": "SMS"})
    response = client.post(url("enroll-confirm"), {"resend": "1"})
    # Too early: nothing sent, back to the code page, whose clock says when.
    assert response.status_code == 302 and response.url == url("enroll-confirm")
    assert len(sinks.outbox) == 1
    assert "You can request a new code at" in client.get(response.url).content.decode()
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=31), tick=False):
        response = client.post(url("enroll-confirm"), {"resend": "1"})
        assert response.status_code == 302 and len(sinks.outbox) == 2


def test_step_up_then_add_a_second_phone(
    client: Client, alice: Any, last_code: LastCode, full_login: FullLogin
) -> None:
    """E2 end to end: stale session → step-up page → code → back to enrollment → the
    new phone is confirmed as a backup."""
    full_login(client, alice)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=301), tick=False):
        response = client.get(url("enroll"))
        step_up_page = response.url
        assert step_up_page == url("step-up") + "?next=" + url("enroll")
        client.post(url("step-up-send"), {"channel": "SMS", "next": url("enroll")})
        response = client.post(url("step-up"), {"code": last_code(), "next": url("enroll")})
        assert response.status_code == 302 and response.url == url("enroll")
        response = client.post(url("enroll"), {"number": NEW_NUMBER, "channel": "SMS"})
        assert response.status_code == 302
        response = client.post(url("enroll-confirm"), {"code": last_code(NEW_NUMBER)})
        assert response.status_code == 302 and response.url == url("devices")
    device = PhoneDevice.objects.get(number=NEW_NUMBER)
    assert device.user == alice and device.confirmed and not device.is_primary


def test_next_is_carried_through_enrollment(
    client: Client, carol: Any, last_code: LastCode
) -> None:
    """A safe `next` survives number → code; an unsafe one is dropped (S5)."""
    client.force_login(carol)
    page = client.get(url("enroll") + "?next=/protected/").content.decode()
    assert 'name="next" value="/protected/"' in page
    response = client.post(
        url("enroll"), {"number": NEW_NUMBER, "channel": "SMS", "next": "/protected/"}
    )
    assert response.url == url("enroll-confirm") + "?next=/protected/"
    response = client.post(
        url("enroll-confirm"), {"code": last_code(), "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response.url == url("recovery-codes")
