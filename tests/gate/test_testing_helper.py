"""``django_tyntec2fa.testing.force_second_factor``: the helper users' tests rely on."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.test import Client

from django_tyntec2fa.core import session
from django_tyntec2fa.testing import force_second_factor

from ..steps import PasswordLogin
from .helpers import session_data


def whoami(client: Client, path: str = "/whoami/") -> Any:
    return json.loads(client.get(path).content)


def test_force_second_factor_signs_in_a_user_with_a_phone(client: Client, alice: Any) -> None:
    force_second_factor(client, alice)
    assert whoami(client)["username"] == alice.get_username()
    assert whoami(client, "/protected/recent/")["authenticated"] is True
    data = session_data(client)
    assert data[SESSION_KEY] == str(alice.pk)
    assert session.PROOF_KEY in data


def test_plain_force_login_is_only_pending(client: Client, alice: Any) -> None:
    """The contrast: force_login alone does not pass the second factor."""
    client.force_login(alice)
    assert client.get("/whoami/").status_code == 302


def test_force_second_factor_replaces_a_pending_login(
    client: Client, alice: Any, bob: Any, password_login: PasswordLogin
) -> None:
    password_login(client, alice)
    force_second_factor(client, bob)
    assert session.PENDING_KEY not in session_data(client)
    assert whoami(client)["username"] == bob.get_username()


def test_force_second_factor_for_a_user_without_phone(client: Client, carol: Any) -> None:
    force_second_factor(client, carol)
    assert whoami(client, "/protected/")["username"] == carol.get_username()


def test_testing_package_imports_without_django() -> None:
    """The fake tyntec server imports this package first and must stay Django-free."""
    code = (
        "import sys, django_tyntec2fa.testing, django_tyntec2fa.testing.fake_tyntec; "
        "print(any(name == 'django' or name.startswith('django.') for name in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"
