"""Django-side helpers of ``bench_gate`` and ``bench_login``: one test client per
middleware stack in one process, the users of each variant, quiet receivers."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings_peers")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.signals import user_logged_in, user_logged_out  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.client import ClientHandler  # noqa: E402

from django_tyntec2fa.gate.receivers import on_user_logged_in, on_user_logged_out  # noqa: E402

from .settings_peers import STACKS  # noqa: E402

PASSWORD = "bench-pass-2fa"  # noqa: S105  (a throwaway benchmark user)


def migrate() -> None:
    """Create the tables (quietly)."""
    call_command("migrate", verbosity=0, interactive=False)


def client(stack: str) -> Client:
    """A test client whose requests run through ``STACKS[stack]``.

    Django's handler reads ``MIDDLEWARE`` once, when it builds its chain; building it
    under ``override_settings`` gives each client its own stack in the same process.
    """
    browser = Client()
    handler = ClientHandler(enforce_csrf_checks=False)
    with override_settings(MIDDLEWARE=STACKS[stack]):
        handler.load_middleware()
    browser.handler = handler
    return browser


@contextlib.contextmanager
def without_our_receivers() -> Iterator[None]:
    """Our login/logout receivers off, so a peer's login pays nothing for our app
    being installed in the same project (our receiver asks the policy: one query)."""
    user_logged_in.disconnect(dispatch_uid="tyntec2fa.user_logged_in")
    user_logged_out.disconnect(dispatch_uid="tyntec2fa.user_logged_out")
    try:
        yield
    finally:
        user_logged_in.connect(on_user_logged_in, dispatch_uid="tyntec2fa.user_logged_in")
        user_logged_out.connect(on_user_logged_out, dispatch_uid="tyntec2fa.user_logged_out")


def make_user(username: str) -> Any:
    """A user with the benchmark password."""
    return get_user_model().objects.create_user(username, f"{username}@example.org", PASSWORD)


def our_device(user: Any, number: str = "+4915123456789") -> Any:
    """A confirmed, primary phone of ours: the user needs the second factor."""
    from django_tyntec2fa.models import PhoneDevice

    return PhoneDevice.objects.create(user=user, number=number, confirmed=True, is_primary=True)
