"""Trusted browsers in the admin (S9): listed without their hashes, read-only, and
revoked by the action "Revoke the trust", which needs the delete permission."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from django_tyntec2fa.models import AuditEvent, TrustedBrowser

from .conftest import verified_client

LIST = "admin:tyntec2fa_trustedbrowser_changelist"
SECRET_DIGEST = "a1" * 32
AUTH_DIGEST = "b2" * 32


@pytest.fixture
def browser(alice: Any) -> TrustedBrowser:
    return TrustedBrowser.objects.create(
        user=alice,
        secret_digest=SECRET_DIGEST,
        auth_digest=AUTH_DIGEST,
        description="Firefox (Linux)",
        expires_at=timezone.now() + timedelta(days=30),
    )


def _revoke(client: Client, browser: TrustedBrowser) -> Any:
    return client.post(
        reverse(LIST),
        {"action": "revoke_browsers", "_selected_action": [str(browser.pk)]},
        follow=True,
    )


def test_s9_list_and_page_show_no_digest(staff: Client, browser: TrustedBrowser) -> None:
    listing = staff.get(reverse(LIST)).content.decode()
    assert "Firefox (Linux)" in listing
    page = staff.get(
        reverse("admin:tyntec2fa_trustedbrowser_change", args=[browser.pk])
    ).content.decode()
    for text in (listing, page):
        assert SECRET_DIGEST not in text and AUTH_DIGEST not in text


def test_s9_read_only(staff: Client, browser: TrustedBrowser) -> None:
    assert staff.get(reverse("admin:tyntec2fa_trustedbrowser_add")).status_code == 403
    url = reverse("admin:tyntec2fa_trustedbrowser_delete", args=[browser.pk])
    assert staff.post(url, {"post": "yes"}).status_code == 403
    assert TrustedBrowser.objects.filter(pk=browser.pk).exists()


def test_s9_revoke_action(staff: Client, browser: TrustedBrowser) -> None:
    assert "1 browser revoked." in _revoke(staff, browser).content.decode()
    assert not TrustedBrowser.objects.exists()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.BROWSER_REVOKED)
    assert "operator" in event.detail


def test_s9_revoke_needs_the_delete_permission(db: None, browser: TrustedBrowser) -> None:
    clerk = get_user_model().objects.create_user("clerk", password="pw-clerk-123", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_trustedbrowser"))
    client = verified_client(clerk)
    listing = client.get(reverse(LIST)).content.decode()
    assert "Firefox (Linux)" in listing and "revoke_browsers" not in listing
    _revoke(client, browser)
    assert TrustedBrowser.objects.filter(pk=browser.pk).exists()
