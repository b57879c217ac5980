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
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone, translation

from django_tyntec2fa.flows import recovery
from django_tyntec2fa.models import Challenge, FailureCounter, RecoveryCode

from ..steps import AssertNeverCached, FullLogin, PasswordLogin, refused
from .helpers import url

pytestmark = pytest.mark.django_db

CODES = re.compile(r"<li>([0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4})</li>")


def generate_page(client: Client, **data: str) -> tuple[Any, list[str]]:
    """POST the generation form and follow its redirect; returns the page that shows
    the new set and its codes."""
    response = client.post(url("recovery-codes"), data, follow=True)
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


ALREADY = "Your new recovery codes were shown once and are not shown again."


def digests(user: Any) -> set[str]:
    return set(RecoveryCode.objects.filter(user=user).values_list("digest", flat=True))


def test_generating_is_a_post_redirect_get_and_a_reload_makes_no_new_set_s2(
    verified: Client, alice: Any, assert_never_cached: AssertNeverCached
) -> None:
    """Issue 23.12: the page that showed a new set was the POST's answer, so a reload
    generated another set (the codes just written down were dead) and Back then Forward
    met "confirm form resubmission". Now the POST redirects; its GET shows the set once;
    that GET again (a reload, Back then Forward) says "already shown" and offers the
    button, and the set in the database stays the one shown."""
    response = verified.post(url("recovery-codes"), {"next": "/protected/"})
    assert response.status_code == 302
    assert response.url == url("recovery-codes") + "?new=1&next=/protected/"
    made = digests(alice)
    assert len(made) == 10
    # Between the POST and its GET neither the session (here: the database) nor the
    # cookie holds a readable code: the session has them XOR the cookie's pad.
    row = Session.objects.get(session_key=verified.session.session_key).session_data
    pad = response.cookies["tyntec2fa_new_codes"]
    assert pad["httponly"] and pad["path"] == url("recovery-codes")
    page = verified.get(response.url)
    html = page.content.decode()
    codes = CODES.findall(html)
    assert len(codes) == 10 and ALREADY not in html
    assert_never_cached(page)
    assert "I have saved my codes, continue" in html
    for secret in (row, str(dict(verified.session.items())), pad.value):
        assert not any(code in secret or code.replace("-", "") in secret for code in codes)
    assert page.cookies["tyntec2fa_new_codes"]["max-age"] == 0  # the pad is dropped too
    for _reload in range(2):
        again = verified.get(response.url).content.decode()
        assert ALREADY in again and not CODES.findall(again)
        assert "Generate a new set" in again
        assert digests(alice) == made


def test_the_set_is_shown_only_to_the_login_and_browser_that_made_it(
    verified: Client, alice: Any
) -> None:
    """Without the browser's pad, or after the session's login changed, the set is
    not shown (and forgotten): "already shown"."""
    response = verified.post(url("recovery-codes"))
    verified.cookies["tyntec2fa_new_codes"] = "AAAA"
    html = verified.get(response.url).content.decode()
    assert ALREADY in html and not CODES.findall(html)
    response = verified.post(url("recovery-codes"))
    alice.set_password("another-pw-123")
    alice.save()
    html = verified.get(response.url).content.decode()
    assert not CODES.findall(html)


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
        assert generate in generate_page(client)[0].content.decode().replace("\u00ad", "")
        client.logout()
        password_login(client, alice)
        assert link in client.get(url("challenge")).content.decode().replace("\u00ad", "")
        assert heading in client.get(url("recover")).content.decode().replace("\u00ad", "")
        page = refused(client, url("recover"), {"code": "zzzz-zzzz-zzzz"}).content.decode()
        assert wrong in page


def test_german_headings_hyphenate_instead_of_breaking_bare(verified: Client, alice: Any) -> None:
    """Issue 23.14: at 320 px "Wiederherstellungscodes" broke as "Wiederherstellung|scodes".
    The page says its language, its headings hyphenate (``hyphens: auto``), and the
    German long words carry a soft hyphen for browsers without a hyphenation
    dictionary (Chromium on Linux): the break is "Wiederherstellungs-|codes"."""
    with translation.override("de"):
        html = verified.get(url("recovery-codes")).content.decode()
        new = generate_page(verified)[0].content.decode()
        status_page = verified.get(url("recovery-codes")).content.decode()
    assert '<html lang="de"' in html
    assert re.search(r"h1, h2, h3 \{ hyphens: auto; -webkit-hyphens: auto; \}", html)
    assert "<h1>Wieder\u00adher\u00adstellungs\u00adcodes</h1>" in html
    assert "Ihre neuen Wieder\u00adher\u00adstellungs\u00adcodes</h2>" in new
    assert "<h1>Wieder\u00adher\u00adstellungs\u00adcodes</h1>" in status_page
