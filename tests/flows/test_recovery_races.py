"""E4 and L4 for recovery codes on PostgreSQL: K concurrent uses of one code in K
pending sessions of one user complete exactly one login, and the count of codes left
goes down by exactly one (the conditional UPDATE of ``flows/recovery.py``).

Real threads, each with its own database connection, released together by a barrier
(as ``test_races.py``). Run with
``.venv/bin/python -m pytest -m postgres --ds=tests.settings_postgres tests/flows``.
"""

from __future__ import annotations

import threading
from typing import Any
from unittest import mock

import pytest
from django.db import connection

from django_tyntec2fa.core import session
from django_tyntec2fa.exceptions import InvalidCode
from django_tyntec2fa.flows import recovery
from django_tyntec2fa.models import AuditEvent, RecoveryCode

from .conftest import password_step
from .test_races import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

K = 20


@pytest.fixture(autouse=True)
def _race_settings(settings: Any) -> None:
    assert connection.vendor == "postgresql", "races need --ds=tests.settings_postgres"
    # Neither a wait nor the lock may refuse a thread: every use must reach the code.
    settings.TYNTEC2FA_LOCKOUT_THRESHOLD = 100
    settings.TYNTEC2FA_BACKOFF_AFTER = 100


def test_k_concurrent_uses_of_one_code_complete_exactly_one_login_e4_l4(
    user, device, make_request
) -> None:
    with mock.patch("django_tyntec2fa.flows.sensitive.recent_for", return_value=True):
        codes = recovery.generate(None, user).codes
    requests = [make_request() for _index in range(K)]
    for request in requests:
        password_step(request, user)
    queue = iter(requests)
    lock = threading.Lock()

    def use(code: str) -> None:
        with lock:
            request = next(queue)
        recovery.recover_login(request, code)

    outcomes = run_together([codes[0]] * K, use)
    assert outcomes == {"verified": 1, InvalidCode.__name__: K - 1}
    assert sum(session.is_verified(request) for request in requests) == 1
    assert recovery.status(user).remaining == len(codes) - 1
    assert RecoveryCode.objects.filter(user=user, used_at__isnull=False).count() == 1
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.RECOVERY_USED).count() == 1
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.RECOVERY_FAILED).count() == K - 1
