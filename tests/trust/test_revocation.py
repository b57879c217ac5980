"""What ends a trusted browser (S9): the user forgets it (one or all), a phone is added
or removed, recovery codes are regenerated, the user signs out everywhere, the support
desk disables the second factor. Each is audited and sent as a signal with its reason."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from django_tyntec2fa import flows, signals
from django_tyntec2fa.flows import support, trust
from django_tyntec2fa.models import AuditEvent, PhoneDevice, TokenProof, TrustedBrowser

from ..people import PASSWORD
from .conftest import APP_LOGIN, trusting_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def reasons() -> Iterator[list[tuple[Any, int, str]]]:
    """(user, count, reason) of every ``trusted_browsers_revoked``."""
    seen: list[tuple[Any, int, str]] = []

    def receiver(user: Any, count: int, reason: str, **kwargs: Any) -> None:
        seen.append((user, count, reason))

    signals.trusted_browsers_revoked.connect(receiver)
    yield seen
    signals.trusted_browsers_revoked.disconnect(receiver)


@pytest.fixture
def verified(client: Client, alice: Any) -> Client:
    """Alice signed in with a code on a browser she trusted."""
    trusting_login(client, alice)
    return client


def asked(client: Client, user: Any) -> bool:
    client.cookies.pop("sessionid", None)
    response = client.post(APP_LOGIN, {"username": user.get_username(), "password": PASSWORD})
    return response["Location"] == "/2fa/challenge/"


def test_s9_forget_one_asks_first_then_forgets(verified: Client, alice: Any, reasons):
    browser = TrustedBrowser.objects.get()
    page = verified.get(f"/2fa/browsers/{browser.pk}/forget/")
    assert page.status_code == 200
    assert "Chrome (Android)" in page.content.decode()
    assert TrustedBrowser.objects.exists()  # a GET changes nothing
    response = verified.post(f"/2fa/browsers/{browser.pk}/forget/")
    assert response.status_code == 302
    assert response.cookies[trust.COOKIE_NAME].value == ""  # this browser's own cookie
    assert not TrustedBrowser.objects.exists()
    assert reasons == [(alice, 1, trust.FORGOTTEN)]
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.BROWSER_REVOKED).count() == 1
    assert "The browser was forgotten." in verified.get("/2fa/devices/").content.decode()


def test_s9_forget_another_users_browser_is_404(verified: Client, bob: Any):
    theirs = TrustedBrowser.objects.create(
        user=bob, secret_digest="x", auth_digest="y", expires_at="2999-01-01T00:00Z"
    )
    assert verified.get(f"/2fa/browsers/{theirs.pk}/forget/").status_code == 404
    assert verified.post(f"/2fa/browsers/{theirs.pk}/forget/").status_code == 404
    assert TrustedBrowser.objects.filter(pk=theirs.pk).exists()


def test_s9_forget_needs_a_verified_session(client: Client, alice: Any):
    response = client.post("/2fa/browsers/forget/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_s9_phones_page_lists_the_browsers(verified: Client):
    page = verified.get("/2fa/devices/").content.decode()
    assert "Trusted browsers" in page
    assert "Chrome (Android)" in page and "this browser" in page
    assert 'href="/2fa/browsers/forget/"' in page
    assert 'href="/2fa/sign-out-everywhere/"' in page


def test_s9_forget_all(verified: Client, alice: Any, reasons):
    TrustedBrowser.objects.create(
        user=alice, secret_digest="x", auth_digest="y", expires_at="2999-01-01T00:00Z"
    )
    assert verified.get("/2fa/browsers/forget/").status_code == 200
    verified.post("/2fa/browsers/forget/")
    assert not TrustedBrowser.objects.exists()
    assert reasons == [(alice, 2, trust.FORGOTTEN)]


def test_s9_forgotten_browser_is_asked_again(verified: Client, alice: Any):
    cookie = verified.cookies[trust.COOKIE_NAME].value
    browser = TrustedBrowser.objects.get()
    verified.post(f"/2fa/browsers/{browser.pk}/forget/")
    verified.cookies[trust.COOKIE_NAME] = cookie  # a copy of the old cookie
    assert asked(verified, alice)


def test_s9_phone_added_ends_the_trust(verified: Client, alice: Any, reasons):
    device = PhoneDevice.objects.filter(user=alice).first()
    signals.device_added.send(sender=type(alice), request=None, user=alice, device=device)
    assert not TrustedBrowser.objects.exists()
    assert reasons == [(alice, 1, trust.DEVICE_ADDED)]


def test_s9_phone_removed_ends_the_trust(verified: Client, alice: Any, reasons):
    backup = PhoneDevice.objects.filter(user=alice, is_primary=False).first()
    request = verified.get("/whoami/").wsgi_request  # a verified, recent session
    flows.remove(request, alice, backup.pk)  # the flow sends device_removed
    assert not TrustedBrowser.objects.exists()
    assert reasons == [(alice, 1, trust.DEVICE_REMOVED)]
    assert asked(verified, alice)


def test_s9_recovery_codes_regenerated_end_the_trust(verified: Client, alice: Any, reasons):
    signals.recovery_codes_generated.send(sender=type(alice), request=None, user=alice, count=10)
    assert not TrustedBrowser.objects.exists()
    assert reasons == [(alice, 1, trust.RECOVERY_GENERATED)]


def test_s9_recovery_generate_flow_ends_the_trust(verified: Client, alice: Any):
    """A new set that replaces one ends the trust; the user's first set does not (it
    replaces nothing, and the user may have just trusted this browser)."""
    recovery = pytest.importorskip("django_tyntec2fa.flows.recovery")
    request = verified.get("/whoami/").wsgi_request  # a verified, recent session
    recovery.generate(request, alice)
    assert TrustedBrowser.objects.count() == 1
    recovery.generate(request, alice)
    assert not TrustedBrowser.objects.exists()


def test_s9_other_users_trust_stays(verified: Client, alice: Any, bob: Any, reasons):
    TrustedBrowser.objects.create(
        user=bob, secret_digest="x", auth_digest="y", expires_at="2999-01-01T00:00Z"
    )
    trust.revoke(None, alice, reason=trust.OPERATOR)
    assert list(TrustedBrowser.objects.values_list("user", flat=True)) == [bob.pk]


def test_s9_nothing_to_revoke_is_silent(alice: Any, reasons):
    assert trust.revoke(None, alice, reason=trust.OPERATOR) == 0
    assert reasons == []
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.BROWSER_REVOKED).exists()


def test_s9_sign_out_everywhere(verified: Client, alice: Any, reasons):
    TokenProof.record("some-token-key", alice)
    assert verified.get("/2fa/sign-out-everywhere/").status_code == 200
    response = verified.post("/2fa/sign-out-everywhere/")
    assert response.status_code == 302
    assert response.cookies[trust.COOKIE_NAME].value == ""
    assert not TrustedBrowser.objects.exists()
    assert not TokenProof.objects.exists()
    assert reasons == [(alice, 1, trust.SIGNED_OUT_EVERYWHERE)]
    assert verified.get("/whoami/").json()["authenticated"] is False


def test_s9_disable_command_forgets_the_browsers(verified: Client, alice: Any, reasons):
    call_command("tyntec2fa_disable", alice.get_username(), "--yes")
    assert not TrustedBrowser.objects.exists()
    assert reasons[0] == (alice, 1, trust.DISABLED)


def test_s9_support_disable_counts_them(verified: Client, alice: Any):
    assert support.disable(None, alice).browsers_revoked == 1
