"""A right code whose API token cannot be issued leaves no half-done login (issue
23.9). DRF's authtoken installed but not migrated is found before the code is
checked: 503 ``token_unavailable`` with ``Retry-After``, nothing verified, the code still
usable once the table is there. An issuer that fails after the code was accepted undoes
the login: 503, nobody signed in. Check W036 names the missing migration."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from rest_framework.authtoken.models import Token

from django_tyntec2fa.models import AuditEvent, Challenge

from ..steps import LastCode
from ..system_checks import app_checks
from .helpers import ALICE_PRIMARY, LOGIN_HEADER, PASSWORD, assert_error, get, password, post

VERIFIED = AuditEvent.Kind.VERIFIED


@pytest.fixture
def unmigrated(monkeypatch: pytest.MonkeyPatch) -> Any:
    """authtoken's table is not there (installed, never migrated): every query of it
    fails with "no such table" (SQLite) or "relation does not exist" (PostgreSQL).
    Calling the fixture's value brings the table back."""
    monkeypatch.setattr(Token._meta, "db_table", "authtoken_token_not_migrated")
    return lambda: monkeypatch.undo()


def test_an_unmigrated_authtoken_refuses_before_the_code_is_used(
    client: Client, alice: Any, last_code: LastCode, unmigrated: Any
) -> None:
    """A cookie client that asks for a token with its code."""
    password(client, alice)
    code = last_code(ALICE_PRIMARY)

    refused = post(client, "challenge-verify", {"code": code, "token": True})

    body = assert_error(refused, 503, "token_unavailable")
    assert int(refused["Retry-After"]) >= 1
    assert "API token" in body["detail"]
    assert not AuditEvent.objects.filter(kind=VERIFIED).exists()
    challenge = Challenge.objects.get(user=alice, purpose=Challenge.Purpose.LOGIN)
    assert (challenge.status, challenge.attempts) == (Challenge.Status.PENDING, 0)
    # Once migrated, the same code signs in and the token comes with it.
    unmigrated()
    signed_in = post(client, "challenge-verify", {"code": code, "token": True})
    assert signed_in.status_code == 200, signed_in.content
    assert signed_in.json()["token"]["key"] == Token.objects.get(user=alice).key


def test_an_app_is_refused_at_the_password_step_already(
    client: Client, alice: Any, last_code: LastCode, unmigrated: Any
) -> None:
    """An app (``"token": true`` at the password step) is told before a code is sent."""
    credentials = {"username": alice.get_username(), "password": PASSWORD, "token": True}

    refused = post(client, "login", credentials)

    assert_error(refused, 503, "token_unavailable")
    assert int(refused["Retry-After"]) >= 1
    assert not Challenge.objects.exists()
    unmigrated()
    login_token = password(client, alice, token=True).json()["login_token"]
    headers = {LOGIN_HEADER: login_token}
    signed_in = post(client, "challenge-verify", {"code": last_code(ALICE_PRIMARY)}, headers)
    assert signed_in.json()["token"]["key"] == Token.objects.get(user=alice).key


def test_an_issuer_that_fails_after_the_code_undoes_the_login(
    client: Client, alice: Any, last_code: LastCode, settings: Any
) -> None:
    settings.TYNTEC2FA_API_TOKEN_ISSUER = "tests.api.issuers.broken_issuer"
    password(client, alice)

    refused = post(client, "challenge-verify", {"code": last_code(ALICE_PRIMARY), "token": True})

    assert_error(refused, 503, "token_unavailable")
    assert int(refused["Retry-After"]) >= 1
    # Not signed in, and no pending login is left half done: sign in again.
    assert get(client, "login").json() == {"status": "anonymous"}
    assert client.get("/probe/verified/", headers={"accept": "application/json"}).status_code == 401
    assert AuditEvent.objects.filter(kind=VERIFIED).count() == 1  # the code was right


@pytest.mark.django_db
def test_authtoken_installed_but_not_migrated_w036() -> None:
    with transaction.atomic():
        MigrationRecorder.Migration.objects.filter(app="authtoken").delete()
        found = app_checks(databases=["default"])
        transaction.set_rollback(True)
    assert [message.id for message in found] == ["django_tyntec2fa.W036"]
    assert "authtoken.0001_initial" in found[0].msg
    assert "migrate authtoken" in found[0].hint


@pytest.mark.django_db
def test_a_migrated_authtoken_or_another_issuer_passes(settings: Any) -> None:
    assert app_checks(databases=["default"]) == []
    with transaction.atomic():
        MigrationRecorder.Migration.objects.filter(app="authtoken").delete()
        settings.TYNTEC2FA_API_TOKEN_ISSUER = "tests.api.issuers.fake_issuer"
        assert app_checks(databases=["default"]) == []
        transaction.set_rollback(True)
