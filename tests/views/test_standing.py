"""What the user may do next, as the code page says it (issue 22, lockout.standing):
with the default settings (``MAX_ATTEMPTS`` 3 per code, ``BACKOFF_AFTER`` 5) the page
never claims a try the account does not have; after the 5th wrong code it says when
the next try is possible, the field disabled; after the lock it says the account is
locked and what to do, with no send, on the page that answers the failure, after a
reload and at the next sign-in (L2, L7)."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from django_tyntec2fa.models import FailureCounter
from django_tyntec2fa.providers import sinks

from ..steps import LastCode, PasswordLogin, refused, wrong_code
from .helpers import url

CODE_INPUT = re.compile(r"<input[^>]*name=\"code\"[^>]*>")
WAIT = "Too many wrong codes. Please wait before you try again."
LOCKED = "Two-factor sign-in is locked; please contact support."


def code_input(html: str) -> str:
    found = CODE_INPUT.search(html)
    assert found is not None, html
    return found.group(0)


def five_wrong_codes(pending: Client, last_code: LastCode) -> str:
    """Three wrong codes kill the first code, a new code, two more wrong ones: the
    page that answers the 5th, the failure that starts the account's wait."""
    for _ in range(3):
        refused(pending, url("challenge"), {"code": wrong_code(last_code())})
    assert pending.post(url("challenge-send"), {"channel": "SMS"}).status_code == 302
    html = refused(pending, url("challenge"), {"code": wrong_code(last_code())})
    assert "You have 1 try left." in html.content.decode()  # 4 failures: one before the wait
    return refused(pending, url("challenge"), {"code": wrong_code(last_code())}).content.decode()


def test_the_fifth_wrong_code_says_when_not_a_try_left_l2(
    midday: None, pending: Client, last_code: LastCode, settings: Any
) -> None:
    settings.TYNTEC2FA_RESEND_COOLDOWN = 0
    html = five_wrong_codes(pending, last_code)
    assert "try left" not in html and "tries left" not in html
    assert WAIT in html and re.search(r"You can try again at \d\d:\d\d:\d\d UTC\.", html)
    assert " disabled" in code_input(html)
    assert 'role="alert"' in html  # announced on arrival (issue 23.10)
    # The right code is refused with the same answer: the page never offered a try.
    html = refused(pending, url("challenge"), {"code": last_code()}).content.decode()
    assert WAIT in html and " disabled" in code_input(html)
    # A reload still says it, the field disabled, with the countdown (issue 23.11).
    html = pending.get(url("challenge")).content.decode()
    assert WAIT in html and " disabled" in code_input(html)
    assert 'id="tyntec2fa-wait"' in html and 'role="alert"' in html


def test_the_lock_says_what_to_do_with_no_send_l2(
    midday: None,
    pending: Client,
    client: Client,
    alice: Any,
    last_code: LastCode,
    password_login: PasswordLogin,
    settings: Any,
) -> None:
    settings.TYNTEC2FA_RESEND_COOLDOWN = 0
    settings.TYNTEC2FA_LOCKOUT_THRESHOLD = 6
    five_wrong_codes(pending, last_code)
    FailureCounter.objects.filter(user=alice).update(blocked_until=None)  # the wait ended
    html = refused(pending, url("challenge"), {"code": wrong_code(last_code())}).content.decode()
    for page in (html, pending.get(url("challenge")).content.decode()):
        assert LOCKED in page and "try left" not in page and "tries left" not in page
        assert "Send a new code" not in page and "Call me instead" not in page
        assert "Send a code by text message" not in page
        assert "get a code on your phone" not in page
        assert 'role="alert"' in page
    # At the next sign-in too: no code sent, the page says it is locked.
    pending.post(url("challenge-cancel"))
    sent = len(sinks.outbox)
    password_login(client, alice)
    assert len(sinks.outbox) == sent
    page = client.get(url("challenge")).content.decode()
    assert LOCKED in page and "Send a code by text message" not in page
