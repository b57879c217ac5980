"""What the pages say after an action (views/feedback.py): tries left after a wrong
code, a dead code's field disabled with one message saying what to do next, the
account's lock shown at sign-in, a send pressed too early answered on the code page
once, and a phone removed only after a confirmation, which the phones page reports."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from django_tyntec2fa.models import PhoneDevice
from django_tyntec2fa.providers import sinks
from django_tyntec2fa.views import feedback

from ..steps import LastCode, PasswordLogin, refused, wrong_code
from .helpers import ALICE_BACKUP, url

CODE_INPUT = re.compile(r"<input[^>]*name=\"code\"[^>]*>")


def code_input(html: str) -> str:
    found = CODE_INPUT.search(html)
    assert found is not None, html
    return found.group(0)


def test_a_wrong_code_says_how_many_tries_are_left_and_is_not_echoed(
    pending: Client, last_code: LastCode
) -> None:
    code = wrong_code(last_code())
    html = refused(pending, url("challenge"), {"code": code}).content.decode()
    assert "You have 2 tries left." in html
    assert "disabled" not in code_input(html) and "value=" not in code_input(html)
    assert code not in html
    html = refused(pending, url("challenge"), {"code": code}).content.decode()
    assert "You have 1 try left." in html


def test_too_many_wrong_codes_disable_the_field_with_one_message_what_next(
    pending: Client, last_code: LastCode
) -> None:
    right = last_code()
    for _ in range(2):
        pending.post(url("challenge"), {"code": wrong_code(right)})
    response = refused(pending, url("challenge"), {"code": wrong_code(right)})
    html = response.content.decode()
    assert response.status_code == 200
    field = code_input(html)
    assert " disabled" in field and 'aria-describedby="id_code_helptext id_code_error"' in field
    assert html.count("Too many wrong codes. Please request a new code.") == 1
    assert re.search(r"<button type=\"submit\" disabled>Verify</button>", html)
    # What to do next is on the page: send a new code (a new challenge, no cooldown).
    assert "Send a code by text message" in html and "data-tyntec2fa-wait" not in html
    # Even the right code is refused now, with the same disabled field.
    html = refused(pending, url("challenge"), {"code": right}).content.decode()
    assert " disabled" in code_input(html) and right not in html
    # Told once: the page as it is now offers the send, without the dead field.
    html = pending.get(url("challenge")).content.decode()
    assert "Too many wrong codes" not in html and 'name="code"' not in html


def test_a_dead_code_that_starts_the_wait_says_wait_not_send(
    midday: None, pending: Client, last_code: LastCode, settings: Any
) -> None:
    """The third wrong code kills the code and starts the account's wait: a new code
    cannot be sent before the wait ends, so the one message is the wait."""
    settings.TYNTEC2FA_BACKOFF_AFTER = 3
    code = wrong_code(last_code())
    for _ in range(3):
        response = refused(pending, url("challenge"), {"code": code})
    html = response.content.decode()
    assert " disabled" in code_input(html)
    assert "Please request a new code" not in html
    assert html.count("Too many wrong codes. Please wait before you try again.") == 1
    assert re.search(r"You can try again at \d\d:\d\d:\d\d UTC\.", html)
    # The send is there, disabled until the wait's countdown ends (issue 23.11).
    assert re.search(r"disabled data-tyntec2fa-waiting>Send a code by text message<", html)


def test_a_locked_account_disables_the_field_and_says_until_when(
    midday: None, pending: Client, last_code: LastCode, settings: Any
) -> None:
    settings.TYNTEC2FA_BACKOFF_AFTER = 1  # the first failure starts a wait
    right = last_code()
    pending.post(url("challenge"), {"code": wrong_code(right)})
    response = refused(pending, url("challenge"), {"code": right})
    html = response.content.decode()
    assert response.status_code == 200
    assert " disabled" in code_input(html)
    assert re.search(r"You can try again at \d\d:\d\d:\d\d UTC\.", html)
    assert "Please try again in" not in html  # one message, not a second count
    # A send would be refused as well: disabled until the countdown ends (issue 23.11).
    assert re.search(r"disabled data-tyntec2fa-waiting>Call me instead<", html)


def test_signing_in_while_locked_says_so(
    midday: None,
    client: Client,
    alice: Any,
    settings: Any,
    password_login: PasswordLogin,
    last_code: LastCode,
) -> None:
    settings.TYNTEC2FA_BACKOFF_AFTER = 1
    password_login(client, alice)
    client.post(url("challenge"), {"code": wrong_code(last_code())})
    client.post(url("challenge-cancel"))
    sent = len(sinks.outbox)
    password_login(client, alice)
    assert len(sinks.outbox) == sent  # the lock refused the send
    html = client.get(url("challenge")).content.decode()
    assert "Too many wrong codes. Please wait before you try again." in html
    assert re.search(r"You can try again at \d\d:\d\d:\d\d UTC\.", html)
    assert re.search(r"disabled data-tyntec2fa-waiting>Send a code by text message<", html)


def test_a_send_pressed_too_early_is_answered_once_on_the_code_page(pending: Client) -> None:
    html = pending.get(url("challenge")).content.decode()
    assert "Please wait a moment" not in html
    response = pending.post(url("challenge-send"), {"channel": "VOICE"})
    assert response.status_code == 302 and response.url == url("challenge")
    html = pending.get(url("challenge")).content.decode()
    assert 'class="alert" role="status"' in html
    assert html.count("Please wait a moment before you ask for another code.") == 1
    assert html.count("You can request a new code at") == 1
    assert 'role="alert"' not in html  # no second message box
    # Said once: a reload shows the plain clock again.
    assert "Please wait a moment" not in pending.get(url("challenge")).content.decode()


def test_remove_asks_first_then_confirms(verified: Client, alice: Any) -> None:
    backup = PhoneDevice.objects.get(number=ALICE_BACKUP)
    backup.label = "Work phone"
    backup.save(update_fields=["label"])
    html = verified.get(url("devices")).content.decode()
    link = f'href="{url("device-remove", pk=backup.pk)}" aria-label="Remove (Work phone)">Remove<'
    assert link in html
    assert 'aria-label="Make primary (Work phone)">Make primary<' in html
    page = verified.get(url("device-remove", pk=backup.pk))
    assert page.status_code == 200 and "Remove this phone?" in page.content.decode()
    assert PhoneDevice.objects.filter(pk=backup.pk).exists()  # a GET removes nothing
    response = verified.post(url("device-remove", pk=backup.pk))
    assert response.status_code == 302 and response.url == url("devices")
    assert not PhoneDevice.objects.filter(pk=backup.pk).exists()
    html = verified.get(url("devices")).content.decode()
    assert "The phone “Work phone” was removed." in html
    assert "was removed" not in verified.get(url("devices")).content.decode()


def test_the_removal_page_of_another_users_phone_is_404(verified: Client, bob: Any) -> None:
    theirs = PhoneDevice.objects.get(user=bob)
    assert verified.get(url("device-remove", pk=theirs.pk)).status_code == 404


def test_a_dead_enrollment_code_leads_to_entering_the_number_again(
    client: Client, carol: Any
) -> None:
    client.force_login(carol)
    client.post(url("enroll"), {"number": "+4915123456799", "channel": "SMS"})
    code = wrong_code(sinks.outbox[-1].code)
    for _ in range(3):
        response = refused(client, url("enroll-confirm"), {"code": code})
    html = response.content.decode()
    assert response.status_code == 200 and " disabled" in code_input(html)
    assert "Enter the number again to get a new code" in html
    assert "Use a different number" not in html


def test_the_clock_time_without_time_zone_support(settings: Any) -> None:
    """USE_TZ = False: naive datetimes, the same clock time, no error."""
    settings.USE_TZ = False
    assert re.fullmatch(r"\d\d:\d\d:\d\d.*", feedback.retry_at(30))
