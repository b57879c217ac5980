"""Steps of a login on the test project (tests/urls.py) that the gate tests share."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.test import Client
from django.urls import reverse

from django_tyntec2fa.models import Challenge, PhoneDevice

from .. import steps
from ..people import PASSWORD
from ..steps import LOGIN  # noqa: F401  (shared)

ALICE_PHONE = "+4915123456789"
BOB_PHONE = "+4916091234567"
ADMIN_LOGIN = "/admin/login/"
#: The app's own LoginView in tests/urls.py: it answers the password with the code page.
LOGIN_2FA = "/accounts/login-2fa/"
GATE = "django_tyntec2fa.gate.middleware.SecondFactorMiddleware"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def make_user(username: str, phone: str | None = None, *, staff: bool = False) -> Any:
    """A user with the test password and, when given, a confirmed primary phone."""
    user = get_user_model().objects.create_user(
        username, email=f"{username}@example.org", password=PASSWORD
    )
    if staff:
        user.is_staff = user.is_superuser = True
        user.save()
    if phone:
        PhoneDevice.objects.create(user=user, number=phone, confirmed=True, is_primary=True)
    return user


def submit_code(client: Client, code: str, **data: str) -> Any:
    """POST the code to the challenge page."""
    return client.post(reverse("tyntec2fa:challenge"), {"code": code, **data})


def session_data(client: Client) -> dict[str, Any]:
    """The session of ``client`` as stored (empty without a session cookie)."""
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    if cookie is None or not cookie.value:
        return {}
    return dict(import_module(settings.SESSION_ENGINE).SessionStore(cookie.value).load())


def legacy_login(client: Client, user: Any) -> str:
    """A session logged in the way it was before the app was installed: Django's
    auth keys, no pending login, no proof of a second factor. Returns its key."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = MODEL_BACKEND
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key
    return str(store.session_key)


def without_gate(middleware: list[str]) -> list[str]:
    """``MIDDLEWARE`` without SecondFactorMiddleware."""
    return [entry for entry in middleware if entry != GATE]


def store_has(key: str) -> bool:
    """True when the session store holds a session under ``key``."""
    return bool(import_module(settings.SESSION_ENGINE).SessionStore().exists(key))


def session_key(client: Client) -> str:
    """The key in the client's session cookie."""
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def whoami(client: Client) -> dict[str, Any]:
    """What the test project's /whoami/ says about the client's session."""
    return json.loads(client.get("/whoami/").content)


def live_login_challenges(user: Any) -> list[Challenge]:
    """The user's pending login challenges."""
    return list(
        Challenge.objects.filter(
            user=user, purpose=Challenge.Purpose.LOGIN, status=Challenge.Status.PENDING
        )
    )


def assert_keys_rotate(client: Client, password_step: Callable[[], Any]) -> None:
    """S3: the session keys before the password, after it and after the code all
    differ, and the old ones no longer exist in the session store."""
    before = client.session.session_key  # creates and saves an (empty) session
    assert store_has(before)
    password_step()
    after_password = session_key(client)
    assert submit_code(client, steps.last_code(ALICE_PHONE)).status_code == 302
    after_code = session_key(client)
    assert len({before, after_password, after_code}) == 3
    assert not store_has(before)
    assert not store_has(after_password)
    assert store_has(after_code)
    assert whoami(client)["authenticated"] is True
