"""What the pages say after an action (issue 23.13): Back to a removed phone's page
says it was removed, not "not found"; adding a phone, making one primary, signing in
with a recovery code and signing out everywhere are confirmed, as a removal is."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import translation

from django_tyntec2fa.flows import recovery
from django_tyntec2fa.models import PhoneDevice
from django_tyntec2fa.views import feedback

from ..steps import AssertNeverCached, LastCode, PasswordLogin
from .helpers import ALICE_BACKUP, BROWSER_HEADERS, url

pytestmark = pytest.mark.django_db

NEW_NUMBER = "+4915712345678"


def _notice(client: Client) -> str:
    """The phones page's notice, which it shows once, as a live region."""
    html = client.get(url("devices")).content.decode()
    start = html.find('<p class="notice" role="status">')
    return html[start : html.index("</p>", start)] if start >= 0 else ""


def _messages(client: Client) -> list[str]:
    """Django's messages waiting for the project's next page."""
    response = client.get("/protected/")
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_back_after_removing_a_phone_says_it_was_removed(
    verified: Client, assert_never_cached: AssertNeverCached
) -> None:
    backup = PhoneDevice.objects.get(number=ALICE_BACKUP)
    page = url("device-remove", pk=backup.pk)
    assert verified.get(page).status_code == 200
    assert verified.post(page).status_code == 302
    for method in ("get", "post"):  # Back, then the form posted again
        response = getattr(verified, method)(page)
        assert response.status_code == 410
        html = response.content.decode()
        assert "This phone was removed" in html
        assert f'href="{url("devices")}"' in html
        assert_never_cached(response)


def test_back_to_a_removed_phone_is_worded_in_german_and_french(verified: Client) -> None:
    backup = PhoneDevice.objects.get(number=ALICE_BACKUP)
    verified.post(url("device-remove", pk=backup.pk))
    for language, words in (
        ("de", "Dieses Telefon wurde entfernt"),
        ("fr", "Ce téléphone a été supprimé"),
    ):
        with translation.override(language):
            html = verified.get(url("device-remove", pk=backup.pk)).content.decode()
        assert words in html, language


def test_making_a_phone_primary_is_confirmed(verified: Client) -> None:
    backup = PhoneDevice.objects.get(number=ALICE_BACKUP)
    assert verified.post(url("device-primary", pk=backup.pk)).status_code == 302
    assert f"Sign-in codes now go to “{backup}” first." in _notice(verified)
    assert _notice(verified) == ""  # once


def test_adding_a_phone_is_confirmed(verified: Client, last_code: LastCode) -> None:
    answer = verified.post(url("enroll"), {"number": NEW_NUMBER, "channel": "SMS"})
    assert answer.status_code == 302
    done = verified.post(url("enroll-confirm"), {"code": last_code(NEW_NUMBER)})
    assert done.status_code == 302 and done.url == url("devices")
    device = PhoneDevice.objects.get(number=NEW_NUMBER)
    assert f"The phone “{device}” was added." in _notice(verified)


def test_signing_in_with_a_recovery_code_is_confirmed(
    client: Client, alice: Any, password_login: PasswordLogin
) -> None:
    with mock.patch("django_tyntec2fa.flows.sensitive.recent_for", return_value=True):
        codes = recovery.generate(None, alice).codes
    password_login(client, alice, next_url="/protected/")
    assert client.post(url("recover"), {"code": codes[0]}).status_code == 302
    left = len(codes) - 1
    assert _messages(client) == [
        f"You signed in with a recovery code. You have {left} recovery codes left."
    ]


def test_signing_out_everywhere_is_confirmed_on_the_next_page(verified: Client) -> None:
    """The sign-in page it goes to is the project's: Django's messages carry it."""
    answer = verified.post(url("sign-out-everywhere"))
    assert answer.status_code == 302
    assert _messages(verified) == [
        "You are signed out. Your trusted browsers and app sign-ins were ended too."
    ]


def test_without_djangos_messages_the_notice_waits_in_the_session(
    verified: Client, settings: Any
) -> None:
    """A project without ``django.contrib.messages``: the notice waits in the session
    for the app's next page that shows notices (``feedback.flash``)."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "messages" not in m]
    browser = Client(headers=BROWSER_HEADERS)  # its handler loads the middleware anew
    browser.cookies = verified.cookies
    browser.post(url("sign-out-everywhere"))
    assert browser.session[feedback.NOTICE_KEY].startswith("You are signed out.")
