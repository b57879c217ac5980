"""No recovery code anywhere in the database after it was generated (issue 11, G4):
every column of every table, the sessions decoded, after a set was generated on the
page and through the API, and after one was used; nor in a log record."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.urls import reverse

from .helpers import password, post, session_login

pytestmark = pytest.mark.django_db
CODE = re.compile(r"<li>([0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4})</li>")


def every_value() -> list[str]:
    """Every non-null value of every column of every table, as text; sessions also
    decoded (their stored form is signed and may be compressed)."""
    values: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608  (names from introspection)
            for row in cursor.fetchall():
                values.extend(
                    value.hex() if isinstance(value, (bytes, memoryview)) else str(value)
                    for value in (bytes(v) if isinstance(v, memoryview) else v for v in row)
                    if value is not None
                )
    for stored in Session.objects.all():
        values.append(str(SessionStore().decode(stored.session_data)))
    return values


def spellings(code: str) -> set[str]:
    plain = code.replace("-", "")
    return {code, plain, code.upper(), plain.upper()}


def test_no_code_in_any_column_after_generation_g4(
    client: Client, alice: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    session_login(client, alice)
    generated = client.post(reverse("tyntec2fa:recovery-codes"))  # the HTML page
    assert generated.status_code == 302  # its one GET shows the set (issue 23.12)
    waiting = every_value()  # the session holds the set until that GET, not readable
    codes = CODE.findall(client.get(generated.url).content.decode())
    assert len(codes) == 10
    assert not [code for code in codes for v in waiting if any(s in v for s in spellings(code))]
    api = post(client, "recovery-codes")  # the API's set replaces the page's
    assert api.status_code == 200
    codes += api.json()["codes"]
    post(client, "logout")
    password(client, alice)
    assert post(client, "challenge-recover", {"code": codes[0]}).status_code == 400  # replaced
    assert post(client, "challenge-recover", {"code": codes[-1]}).status_code == 200

    values = every_value()
    assert len(values) > 50  # the scan really read the tables
    found = [code for code in codes for value in values if any(s in value for s in spellings(code))]
    assert found == []
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "recovery_used" in logged and "recovery_failed" in logged  # the audit log ran
    assert not any(s in logged for code in codes for s in spellings(code))
