"""Remember this browser at sign-in (S9): the box on the code page, the cookie, and
the password sign-ins it spares the code, through the app's LoginView and Django's."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import timezone

from django_tyntec2fa import signals
from django_tyntec2fa.core import session
from django_tyntec2fa.core.lockout import record_failure
from django_tyntec2fa.flows import trust
from django_tyntec2fa.models import AuditEvent, TrustedBrowser

from .. import steps
from ..people import PASSWORD
from .conftest import APP_LOGIN, CHALLENGE, DAYS, trusting_login

pytestmark = pytest.mark.django_db

BOX = "Don't ask for a code on this browser for 30 days"


def sign_in(client: Client, user: Any, path: str = steps.LOGIN) -> Any:
    return client.post(path, {"username": user.get_username(), "password": PASSWORD})


def asked(client: Client, response: Any) -> bool:
    """The sign-in answered ``response`` is waiting for its code (S1)."""
    return (
        response.status_code == 302
        and session.PENDING_KEY in client.session
        and SESSION_KEY not in client.session
    )


def signed_in_as(client: Client) -> str:
    return client.get("/whoami/").json()["username"]


def test_s9_box_offered_only_when_the_setting_is_on(client: Client, alice: Any, settings):
    steps.password_login(client, alice)
    assert BOX in client.get(CHALLENGE).content.decode()
    settings.TYNTEC2FA_TRUST_BROWSER_DAYS = 0
    assert "remember" not in client.get(CHALLENGE).content.decode()


def test_s9_box_says_one_day(client: Client, alice: Any, settings):
    settings.TYNTEC2FA_TRUST_BROWSER_DAYS = 1
    steps.password_login(client, alice)
    assert "on this browser for 1 day<" in client.get(CHALLENGE).content.decode()


def test_s9_step_up_page_offers_no_box(client: Client, alice: Any):
    steps.full_login(client, alice)
    assert "remember" not in client.get("/2fa/step-up/").content.decode()


def test_s9_ticked_box_sets_an_httponly_cookie_like_the_session_cookie(
    client: Client, alice: Any, settings
):
    settings.SESSION_COOKIE_SECURE = True
    settings.SESSION_COOKIE_SAMESITE = "Strict"
    settings.SESSION_COOKIE_PATH = "/"
    response = trusting_login(client, alice)
    cookie = response.cookies[trust.COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["secure"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/"
    assert int(cookie["max-age"]) == DAYS * 24 * 3600
    browser = TrustedBrowser.objects.get(user=alice)
    assert browser.description == "Chrome (Android)"
    assert (browser.expires_at - timezone.now()).days == DAYS - 1
    # Nothing in the cookie names the user: the row's id and the secret, signed.
    assert alice.get_username() not in cookie.value
    assert cookie.value.startswith(f"{browser.pk}:")
    secret = cookie.value.split(":")[1]
    assert secret not in browser.secret_digest and browser.secret_digest == trust.keyed_hash(secret)
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.BROWSER_TRUSTED, user=alice).exists()


def test_s9_cookie_follows_an_insecure_session_cookie(client: Client, alice: Any, settings):
    settings.SESSION_COOKIE_SECURE = False
    settings.SESSION_COOKIE_SAMESITE = "Lax"
    cookie = trusting_login(client, alice).cookies[trust.COOKIE_NAME]
    assert not cookie["secure"]
    assert cookie["samesite"] == "Lax"


def test_s9_no_box_no_trust(client: Client, alice: Any):
    response = trusting_login(client, alice, remember=False)
    assert trust.COOKIE_NAME not in response.cookies
    assert not TrustedBrowser.objects.exists()


def test_s9_browser_trusted_signal(client: Client, alice: Any):
    seen: list[dict[str, Any]] = []

    def receiver(**kwargs: Any) -> None:
        seen.append(kwargs)

    signals.browser_trusted.connect(receiver)
    try:
        trusting_login(client, alice)
    finally:
        signals.browser_trusted.disconnect(receiver)
    assert [kwargs["user"] for kwargs in seen] == [alice]
    assert seen[0]["browser"] == TrustedBrowser.objects.get()


@pytest.mark.parametrize("path", [steps.LOGIN, APP_LOGIN])
def test_s9_trusted_browser_skips_the_code(trusted_client: Client, alice: Any, path: str):
    used: list[Any] = []

    def receiver(browser: Any, **kwargs: Any) -> None:
        used.append(browser)

    signals.trusted_browser_used.connect(receiver)
    try:
        response = sign_in(trusted_client, alice, path)
    finally:
        signals.trusted_browser_used.disconnect(receiver)
    assert response.status_code == 302
    assert response["Location"] != CHALLENGE
    assert trusted_client.get("/protected/").status_code == 200
    assert signed_in_as(trusted_client) == alice.get_username()
    browser = TrustedBrowser.objects.get()
    assert used == [browser]
    assert browser.last_used_at is not None
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.BROWSER_SIGNIN)
    assert event.user == alice and "trusted browser" in event.detail


def test_s9_trusted_sign_in_is_no_recent_second_factor(trusted_client: Client, alice: Any):
    sign_in(trusted_client, alice)
    assert trusted_client.get("/protected/").status_code == 200
    response = trusted_client.get("/protected/recent/")
    assert response.status_code == 302
    assert response["Location"].startswith("/2fa/step-up/")
    assert trusted_client.session[session.PROOF_KEY]["at"] is None


def test_s9_another_user_on_that_browser_is_asked(trusted_client: Client, alice: Any, bob: Any):
    cookie = trusted_client.cookies[trust.COOKIE_NAME].value
    response = sign_in(trusted_client, bob, APP_LOGIN)
    assert asked(trusted_client, response)
    # Alice's trust stays for Alice: her cookie is neither used nor dropped.
    assert trust.COOKIE_NAME not in response.cookies
    assert trusted_client.cookies[trust.COOKIE_NAME].value == cookie
    assert TrustedBrowser.objects.filter(user=alice).exists()


def test_s9_locked_account_is_not_opened(trusted_client: Client, alice: Any, settings):
    settings.TYNTEC2FA_LOCKOUT_THRESHOLD = 1
    record_failure(None, alice)
    assert asked(trusted_client, sign_in(trusted_client, alice))
    assert trusted_client.get("/protected/").status_code == 302
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.BROWSER_SIGNIN).exists()


def test_s9_expired_trust_asks_and_is_dropped(trusted_client: Client, alice: Any):
    TrustedBrowser.objects.update(expires_at=timezone.now())
    response = sign_in(trusted_client, alice, APP_LOGIN)
    assert response["Location"] == CHALLENGE
    assert response.cookies[trust.COOKIE_NAME].value == ""  # deleted
    assert not TrustedBrowser.objects.exists()


def test_s9_setting_off_ignores_the_cookie(trusted_client: Client, alice: Any, settings):
    settings.TYNTEC2FA_TRUST_BROWSER_DAYS = 0
    assert asked(trusted_client, sign_in(trusted_client, alice))


def test_s9_password_change_ends_the_trust(trusted_client: Client, alice: Any):
    revoked: list[str] = []

    def receiver(reason: str, **kwargs: Any) -> None:
        revoked.append(reason)

    signals.trusted_browsers_revoked.connect(receiver)
    try:
        alice.set_password(PASSWORD)  # a new hash, even for the same password
        alice.save()
    finally:
        signals.trusted_browsers_revoked.disconnect(receiver)
    assert revoked == [trust.PASSWORD_CHANGED]
    assert not TrustedBrowser.objects.exists()
    assert asked(trusted_client, sign_in(trusted_client, alice))


def test_s9_password_binding_holds_without_the_cleanup(trusted_client: Client, alice: Any):
    # A password changed by a bulk update sends no post_save: the binding still ends it.
    TrustedBrowser.objects.update(auth_digest="0" * 64)
    assert asked(trusted_client, sign_in(trusted_client, alice))
    assert not TrustedBrowser.objects.exists()


def test_s9_a_save_without_the_password_costs_no_query(alice: Any, django_assert_num_queries):
    with django_assert_num_queries(1):  # the UPDATE itself
        alice.save(update_fields=["last_login"])


@pytest.mark.parametrize(
    "value",
    [
        "garbage",
        "1:secret",
        "",
        "::::",
        "\u00e9\u00e9",
        "99999999999999999999999999:x:y",
    ],
)
def test_s9_garbled_cookie_is_ignored(trusted_client: Client, alice: Any, value: str):
    trusted_client.cookies[trust.COOKIE_NAME] = value
    response = sign_in(trusted_client, alice, APP_LOGIN)
    assert response.status_code == 302
    assert response["Location"] == CHALLENGE
    if value:
        assert response.cookies[trust.COOKIE_NAME].value == ""


def test_s9_forged_secret_or_id_is_refused(trusted_client: Client, alice: Any):
    browser = TrustedBrowser.objects.get()
    for forged in (f"{browser.pk}:not-the-secret", f"{browser.pk + 1}:whatever"):
        trusted_client.cookies[trust.COOKIE_NAME] = trust._signer().sign(forged)
        response = sign_in(trusted_client, alice, APP_LOGIN)
        assert response["Location"] == CHALLENGE
        assert response.cookies[trust.COOKIE_NAME].value == ""
    assert TrustedBrowser.objects.get().last_used_at is None


def test_s9_wrong_password_is_still_wrong(trusted_client: Client, alice: Any):
    response = trusted_client.post(
        steps.LOGIN, {"username": alice.get_username(), "password": "wrong"}
    )
    assert response.status_code == 200
    assert signed_in_as(trusted_client) == ""


def test_s9_gate_adds_no_query_for_a_trusted_browser(trusted_client: Client, alice: Any):
    """Ordinary requests of a trusted browser cost what they cost without its cookie."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sign_in(trusted_client, alice)
    trusted_client.get("/protected/")
    with CaptureQueriesContext(connection) as with_cookie:
        assert trusted_client.get("/protected/").status_code == 200
    cookie = trusted_client.cookies.pop(trust.COOKIE_NAME)
    with CaptureQueriesContext(connection) as without_cookie:
        assert trusted_client.get("/protected/").status_code == 200
    assert cookie.value
    assert len(with_cookie) == len(without_cookie)
    assert not any("trustedbrowser" in query["sql"] for query in with_cookie.captured_queries)


def test_s9_recovery_code_page_offers_the_box_too(client: Client, alice: Any):
    from django_tyntec2fa.flows import recovery

    steps.full_login(client, alice)
    codes = recovery.generate(client.get("/whoami/").wsgi_request, alice).codes
    client.logout()
    steps.password_login(client, alice)
    assert BOX in client.get("/2fa/recover/").content.decode()
    response = client.post("/2fa/recover/", {"code": codes[0], "remember": "1"})
    assert response.status_code == 302
    assert response.cookies[trust.COOKIE_NAME].value
    assert TrustedBrowser.objects.filter(user=alice).count() == 1
