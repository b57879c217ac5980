"""The recovery code pages: "Use a recovery code" at sign-in (E4, L2, L4) and the page
that generates a set and shows it once (E3, G4, S7); the phones page's count."""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.test import Client
from django.utils import timezone, translation

from django_tyntec2fa.flows import recovery
from django_tyntec2fa.models import Challenge, FailureCounter, RecoveryCode

from ..steps import AssertNeverCached, FullLogin, PasswordLogin, refused
from .helpers import url

pytestmark = pytest.mark.django_db

CODES = re.compile(r"<li>([0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4})</li>")


def generate_page(client: Client) -> tuple[Any, list[str]]:
    """POST the generation form; returns the answer and the codes it shows."""
    response = client.post(url("recovery-codes"))
    return response, CODES.findall(response.content.decode())


def _flow(alice: Any) -> list[str]:
    """A set for Alice through the flow, as right after a fresh second factor."""
    with mock.patch("django_tyntec2fa.flows.sensitive.recent_for", return_value=True):
        return recovery.generate(None, alice).codes


# --- "Use a recovery code" at sign-in ----------------------------------------------------


def test_the_challenge_page_links_to_the_recovery_page(pending: Client) -> None:
    html = pending.get(url("challenge")).content.decode()
    assert f'href="{url("recover")}"' in html and "Use a recovery code" in html


def test_the_recovery_page_is_reachable_by_a_pending_login_only(
    client: Client, pending: Client
) -> None:
    page = pending.get(url("recover"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'autocomplete="off"' in html and 'name="code"' in html
    assert '<label for="id_code">' in html
    assert Client().get(url("recover")).status_code == 302  # nobody: to the login page


def test_a_right_code_signs_in_and_goes_to_next_e4(
    client: Client, alice: Any, password_login: PasswordLogin, assert_never_cached: Any
) -> None:
    codes = _flow(alice)
    password_login(client, alice, next_url="/protected/")
    before = client.session.session_key
    response = client.post(url("recover"), {"code": codes[0].upper()})
    assert response.status_code == 302 and response.url == "/protected/"
    assert_never_cached(response)
    assert client.session.session_key != before  # S3
    assert client.get("/protected/").status_code == 200
    assert Challenge.objects.get(user=alice).status == Challenge.Status.CANCELLED
    assert recovery.status(alice).remaining == 9
    # Signed in with a recent second factor: the generation page opens without step-up.
    assert client.get(url("recovery-codes")).status_code == 200


def test_a_wrong_code_is_refused_on_the_field_with_the_tries_left_l4(
    client: Client, alice: Any, password_login: PasswordLogin
) -> None:
    _flow(alice)
    password_login(client, alice)
    response = refused(client, url("recover"), {"code": "0000-0000-0000"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "That recovery code is not valid" in html and "4 tries left" in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_code_helptext id_code_error"' in html
    assert "0000-0000-0000" not in html  # the box never shows what was typed
    assert FailureCounter.objects.get(user=alice).failures == 1
    assert client.get("/protected/").status_code == 302  # still not signed in


def test_a_locked_account_stays_locked_l2(
    client: Client, alice: Any, password_login: PasswordLogin, settings: Any
) -> None:
    codes = _flow(alice)
    password_login(client, alice)
    FailureCounter.objects.create(user=alice, failures=20, locked=True)
    page = client.get(url("recover")).content.decode()
    assert "locked" in page and " disabled" in page
    html = refused(client, url("recover"), {"code": codes[0]}).content.decode()
    assert "locked" in html and " disabled" in html
    assert recovery.status(alice).remaining == 10
    assert client.get("/protected/").status_code == 302


def test_the_wait_after_wrong_codes_disables_the_field_l2(
    client: Client, alice: Any, password_login: PasswordLogin, settings: Any
) -> None:
    settings.TYNTEC2FA_BACKOFF_AFTER = 1
    _flow(alice)
    password_login(client, alice)
    response = refused(client, url("recover"), {"code": "0000-0000-0000"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "You can try again at" in html
    assert html.count("You can try again at") == 1  # on the field only, no second box
    field = re.search(r"<input[^>]*name=\"code\"[^>]*>", html)
    assert field is not None and " disabled" in field.group(0)


def test_an_empty_code_is_a_field_error(pending: Client) -> None:
    response = pending.post(url("recover"), {"code": ""})
    assert response.status_code == 400 and "This field is required" in response.content.decode()


def test_feature_off_the_page_is_gone(pending: Client, settings: Any) -> None:
    settings.TYNTEC2FA_RECOVERY_CODES = 0
    assert pending.get(url("recover")).status_code == 404
    assert "Use a recovery code" not in pending.get(url("challenge")).content.decode()


# --- Generating a set ------------------------------------------------------------------------


def test_a_set_is_shown_once_with_download_and_print_g4_s7(
    verified: Client, alice: Any, assert_never_cached: AssertNeverCached
) -> None:
    page = verified.get(url("recovery-codes"))
    assert page.status_code == 200 and "You have no recovery codes yet." in page.content.decode()
    response, codes = generate_page(verified)
    html = response.content.decode()
    assert response.status_code == 200 and len(codes) == 10
    assert_never_cached(response)
    assert 'download="recovery-codes.txt"' in html
    link = re.search(r'href="data:text/plain;charset=utf-8,([^"]+)"', html)
    assert link is not None
    text = urllib.parse.unquote(link.group(1).replace("&amp;", "&"))
    assert all(code in text for code in codes)
    assert 'id="tyntec2fa-print"' in html and "window.print()" in html and "@media print" in html
    # Never again: not on the next GET, not in the session.
    again = verified.get(url("recovery-codes")).content.decode()
    assert not any(code in again for code in codes)
    assert "You have 10 unused recovery codes." in again
    stored = str(dict(verified.session.items()))
    assert not any(code in stored or code.replace("-", "") in stored for code in codes)


def test_generating_needs_a_recent_second_factor_e3(verified: Client, alice: Any) -> None:
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=301), tick=False):
        page = verified.get(url("recovery-codes"))
        assert page.status_code == 302
        assert page.url.startswith(url("step-up") + "?next=")
        response = verified.post(url("recovery-codes"))
        assert response.status_code == 302 and response.url.startswith(url("step-up"))
    assert not RecoveryCode.objects.exists()


def test_a_pending_login_cannot_generate(pending: Client) -> None:
    assert pending.post(url("recovery-codes")).status_code == 302
    assert not RecoveryCode.objects.exists()


def test_the_phones_page_shows_the_count_the_date_and_warns_at_two(
    verified: Client, alice: Any
) -> None:
    html = verified.get(url("devices")).content.decode()
    assert "Generate recovery codes" in html
    codes = _flow(alice)
    html = verified.get(url("devices")).content.decode()
    assert "You have 10 unused recovery codes." in html and "They were made on" in html
    # The date alone: English times end in "p.m.", which doubled the sentence's stop.
    made = re.search(r"They were made on ([^<]*)", html)
    assert made and not made.group(1).endswith("..") and re.search(r"\d{4}\.$", made.group(1))
    assert "running out" not in html
    RecoveryCode.objects.filter(user=alice).exclude(
        pk__in=list(RecoveryCode.objects.filter(user=alice).values_list("pk", flat=True)[:2])
    ).update(used_at=timezone.now())
    html = verified.get(url("devices")).content.decode()
    assert "You have 2 unused recovery codes." in html and "running out" in html
    assert not any(code in html for code in codes)


def test_the_first_phone_offers_a_set(client: Client, carol: Any, last_code: Any) -> None:
    client.force_login(carol)
    client.post(url("enroll"), {"number": "+4915712345678", "channel": "SMS"})
    response = client.post(url("enroll-confirm"), {"code": last_code()})
    assert response.status_code == 302 and response.url == url("recovery-codes")
    page = client.get(response.url)
    assert page.status_code == 200 and "Generate recovery codes" in page.content.decode()
    response, codes = generate_page(client)
    assert len(codes) == 10


def test_full_login_then_generate_then_sign_in_with_one(
    client: Client, alice: Any, full_login: FullLogin, password_login: PasswordLogin
) -> None:
    full_login(client, alice)
    _response, codes = generate_page(client)
    client.logout()
    password_login(client, alice)
    response = client.post(url("recover"), {"code": codes[5]})
    assert response.status_code == 302
    assert client.get("/protected/").status_code == 200


@pytest.mark.parametrize(
    ("language", "link", "heading", "wrong", "generate"),
    [
        (
            "de",
            "Einen Wiederherstellungscode verwenden",
            "Wiederherstellungscode",
            "Dieser Wiederherstellungscode ist ungültig.",
            "Ihre neuen Wiederherstellungscodes",
        ),
        (
            "fr",
            "Utiliser un code de récupération",
            "Code de récupération",
            "Ce code de récupération n’est pas valide.",
            "Vos nouveaux codes de récupération",
        ),
    ],
)
def test_the_recovery_pages_speak_german_and_french(
    client: Client,
    alice: Any,
    full_login: FullLogin,
    password_login: PasswordLogin,
    language: str,
    link: str,
    heading: str,
    wrong: str,
    generate: str,
) -> None:
    with translation.override(language):
        full_login(client, alice)
        assert generate in client.post(url("recovery-codes")).content.decode()
        client.logout()
        password_login(client, alice)
        assert link in client.get(url("challenge")).content.decode()
        assert heading in client.get(url("recover")).content.decode()
        page = refused(client, url("recover"), {"code": "zzzz-zzzz-zzzz"}).content.decode()
        assert wrong in page
