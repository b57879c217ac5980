"""The login challenge page from a real password login (Django's LoginView) to the page
the user asked for: the code, resend, call me instead, another phone, cancel."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.test import Client
from django.utils import timezone

from django_tyntec2fa.models import Challenge, PhoneDevice
from django_tyntec2fa.providers import sinks
from django_tyntec2fa.providers.base import Channel

from ..steps import LastCode, PasswordLogin, wrong_code
from .helpers import ALICE_BACKUP, ALICE_PRIMARY, url


def test_password_login_then_code_reaches_next(
    client: Client, alice: Any, last_code: LastCode, password_login: PasswordLogin
) -> None:
    """The whole flow: LoginView → gate → challenge page → right code → the page the
    user asked for, now signed in."""
    password_login(client, alice, next_url="/protected/")
    gate = client.get("/protected/")
    assert gate.status_code == 302 and gate.url.startswith(url("challenge"))
    page = client.get(gate.url)
    assert page.status_code == 200
    html = page.content.decode()
    primary = PhoneDevice.objects.get(number=ALICE_PRIMARY)
    assert primary.masked_number in html
    assert ALICE_PRIMARY not in html  # G4: never the full number
    for attribute in (
        'name="code"',
        'autocomplete="one-time-code"',
        'inputmode="numeric"',
        'pattern="[0-9]*"',
        'maxlength="6"',
    ):
        assert attribute in html
    for button in ("Send a new code", "Call me instead", "Use another phone", "Cancel"):
        assert button in html
    response = client.post(url("challenge"), {"code": last_code(ALICE_PRIMARY)})
    assert response.status_code == 302 and response.url == "/protected/"
    assert client.get("/protected/").content == b"protected page of alice"


def test_unsafe_next_ends_on_the_default_page(
    client: Client, alice: Any, last_code: LastCode, password_login: PasswordLogin
) -> None:
    """S5: a `next` to another host is dropped when stored; the default page follows."""
    password_login(client, alice)
    client.get(url("challenge") + "?next=https://evil.example/")
    response = client.post(url("challenge"), {"code": last_code()})
    assert response.status_code == 302 and response.url == "/protected/"


def test_wrong_code_comes_back_to_the_page_with_the_message_and_stays_pending(
    pending: Client, last_code: LastCode
) -> None:
    """Post/redirect/get: the wrong code's answer is a redirect to the code page, whose
    next GET shows the message on the field, once."""
    code = last_code()
    response = pending.post(url("challenge"), {"code": wrong_code(code)})
    assert response.status_code == 302 and response.url == url("challenge")
    page = pending.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "That code is not valid" in html and "You have 2 tries left." in html
    assert (
        'aria-invalid="true"' in html
        and 'aria-describedby="id_code_helptext id_code_error"' in html
    )
    assert wrong_code(code) not in html  # never echoed
    again = pending.get(url("challenge")).content.decode()
    assert "That code is not valid" not in again and 'aria-invalid="true"' not in again
    assert pending.get("/protected/").status_code == 302


def test_reloading_after_a_wrong_code_never_counts_another_try(
    pending: Client, alice: Any, last_code: LastCode
) -> None:
    """What a reload, or Back then Forward, asks for after a wrong code is the GET of
    the code page: the code is not posted again, so the tries are as they were."""
    answer = pending.post(url("challenge"), {"code": wrong_code(last_code())})
    # The page the browser holds is the answer to the redirect's GET, not to the POST.
    assert answer.status_code == 302
    for _ in range(3):
        assert pending.get(url("challenge")).status_code == 200
    live = Challenge.objects.get(user=alice, status=Challenge.Status.PENDING)
    assert live.attempts == 1


def test_a_refusal_kept_for_one_page_is_not_shown_on_another(
    pending: Client, last_code: LastCode
) -> None:
    """The refusal belongs to the page that posted the code: leaving for the recovery
    page drops it there, and the code page is then shown as it is."""
    pending.post(url("challenge"), {"code": wrong_code(last_code())})
    assert "That code is not valid" not in pending.get(url("recover")).content.decode()
    assert "That code is not valid" not in pending.get(url("challenge")).content.decode()


def _code_refusal(client: Client, code: str) -> tuple[int, str, str]:
    response = client.post(url("challenge"), {"code": code})
    page = client.get(response.url)
    names = [t.name for t in page.templates if t.name.endswith(".html")]
    return response.status_code, response.url, names[0]


def test_wrong_expired_used_up_and_replayed_codes_get_one_answer_l7(
    client: Client, alice: Any, settings: Any, last_code: LastCode, password_login: PasswordLogin
) -> None:
    """L7: a wrong, an expired, a used-up and a replayed (from an earlier login) code
    all answer the same redirect back to the code page."""
    settings.TYNTEC2FA_BACKOFF_AFTER = 50  # no account backoff in the way here
    password_login(client, alice)
    first = last_code()
    answers = [_code_refusal(client, wrong_code(first))]
    # Used up: the remaining attempts wrong, then the right code on the dead challenge.
    for _ in range(2):
        client.post(url("challenge"), {"code": wrong_code(first)})
    answers.append(_code_refusal(client, first))
    # Replayed: a fresh login, and the code of the old one.
    client.post(url("challenge-cancel"))
    password_login(client, alice)
    answers.append(_code_refusal(client, first))
    # Expired: past the code's lifetime (but within the login timeout).
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=301), tick=False):
        answers.append(_code_refusal(client, last_code()))
    assert len(set(answers)) == 1, answers
    assert answers[0] == (302, url("challenge"), "django_tyntec2fa/challenge.html")


def test_resend_cooldown_is_shown_and_enforced(pending: Client, last_code: LastCode) -> None:
    """The page tells the wait as a clock time; an early send sends nothing and leads
    back to the code page (post/redirect/get), whose one message says when."""
    html = pending.get(url("challenge")).content.decode()
    assert "You can request a new code at" in html and 'id="tyntec2fa-cooldown"' in html
    sent = len(sinks.outbox)
    response = pending.post(url("challenge-send"), {"channel": "SMS"})
    assert response.status_code == 302 and response.url == url("challenge")
    assert len(sinks.outbox) == sent
    later = timezone.now() + dt.timedelta(seconds=31)
    with time_machine.travel(later, tick=False):
        response = pending.post(url("challenge-send"), {"channel": "SMS"})
        assert response.status_code == 302 and response.url == url("challenge")
        assert len(sinks.outbox) == sent + 1
        assert pending.post(url("challenge"), {"code": last_code()}).status_code == 302


def test_call_me_instead_sends_by_voice(pending: Client) -> None:
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=31), tick=False):
        response = pending.post(url("challenge-send"), {"channel": "VOICE"})
        assert response.status_code == 302
        delivery = sinks.outbox[-1]
        assert delivery.channel == Channel.VOICE and delivery.number == ALICE_PRIMARY
        assert "We are calling your phone" in pending.get(url("challenge")).content.decode()
        assert pending.post(url("challenge"), {"code": delivery.code}).status_code == 302


def test_use_another_phone(pending: Client, alice: Any, last_code: LastCode) -> None:
    backup = PhoneDevice.objects.get(number=ALICE_BACKUP)
    html = pending.get(url("challenge")).content.decode()
    assert f'<option value="{backup.pk}"' in html and backup.masked_number in html
    response = pending.post(url("challenge-send"), {"device": backup.pk})
    assert response.status_code == 302
    assert sinks.outbox[-1].number == ALICE_BACKUP
    assert backup.masked_number in pending.get(url("challenge")).content.decode()
    assert pending.post(url("challenge"), {"code": last_code(ALICE_BACKUP)}).status_code == 302


def test_another_users_phone_is_refused(pending: Client, alice: Any, bob: Any) -> None:
    """IDOR: Alice's pending login cannot send a code to Bob's phone."""
    bobs = PhoneDevice.objects.get(user=bob)
    sent = len(sinks.outbox)
    response = pending.post(url("challenge-send"), {"device": bobs.pk})
    assert response.status_code == 400
    assert "Choose one of your phones" in response.content.decode()
    assert len(sinks.outbox) == sent
    assert not Challenge.objects.filter(device=bobs).exists()


def test_cancel_ends_the_login(pending: Client, alice: Any, last_code: LastCode) -> None:
    """S11: cancel wipes the pending login and the challenge; back to the login page."""
    code = last_code()
    response = pending.post(url("challenge-cancel"))
    assert response.status_code == 302 and response.url == "/accounts/login/"
    assert not Challenge.objects.filter(user=alice, status=Challenge.Status.PENDING).exists()
    response = pending.post(url("challenge"), {"code": code})
    assert response.status_code == 302 and response.url == "/accounts/login/"
    assert pending.get("/protected/").status_code == 302


def test_no_pending_login_goes_to_the_login_page(client: Client, db: None) -> None:
    for method in (client.get, client.post):
        response = method(url("challenge"))
        assert response.status_code == 302 and response.url == "/accounts/login/"


def test_login_timeout_goes_back_to_the_login_page(pending: Client, last_code: LastCode) -> None:
    """S2: after TYNTEC2FA_LOGIN_TIMEOUT the right code no longer helps."""
    code = last_code()
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=601), tick=False):
        response = pending.post(url("challenge"), {"code": code})
        assert response.status_code == 302 and response.url == "/accounts/login/"
        assert pending.get("/protected/").status_code == 302
