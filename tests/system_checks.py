"""The system-check tests' baseline: a production configuration for which the app's
checks report nothing, and ``app_check_ids``, which runs every check of the app (as
``manage.py check`` does) on that baseline with some settings changed.

Each check test changes what one id is about and expects exactly that id, so a test
shows both that its check fires and that no other check fires with it.
"""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.test import override_settings

PREFIX = "django_tyntec2fa."
#: The test settings (DEBUG=False, the local provider allowed) plus what production
#: needs: a rate-limit cache shared by every process (never connected to here) and a
#: country allow-list.
BASELINE: dict[str, Any] = {
    "DEBUG": False,
    "CACHES": {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
        }
    },
    "TYNTEC2FA_SMS_COUNTRIES": ["DE", "AT", "CH"],
}


def app_check_ids(**changes: Any) -> list[str]:
    """The ids the app's checks report on the baseline with ``changes``, sorted (an id
    reported twice appears twice)."""
    return sorted(message.id for message in app_checks(**changes))


def app_checks(databases: list[str] | None = None, **changes: Any) -> list[checks.CheckMessage]:
    """The app's check messages on the baseline with ``changes``; ``databases`` also
    runs the database checks on those aliases (as ``check --database`` does)."""
    # No database unless asked: Django 6.1 hands every alias to the checks when
    # ``databases`` is None, and the app's tag also selects its database check (W036).
    with override_settings(**{**BASELINE, **changes}):
        found = checks.run_checks(tags=["tyntec2fa"], databases=databases or [])
    return [message for message in found if str(message.id).startswith(PREFIX)]
