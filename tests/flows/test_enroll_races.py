"""Issue 23.8 on PostgreSQL: two accounts enrolled one number before either confirmed
it; both confirm at once, each with its right code. Exactly one gets the number; the
other is refused (``DeviceError``). The database decides (the partial unique
constraint ``tyntec2fa_device_one_owner``), also when the flow's own check is skipped.
Run with ``--ds=tests.settings_postgres -m postgres``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import get_user_model

from django_tyntec2fa import flows
from django_tyntec2fa.flows import devices
from django_tyntec2fa.models import PhoneDevice

from .test_races import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROUNDS = 5


def both_confirm(make_request: Any, last_code: Any, number: str) -> Counter[str]:
    """Two new accounts enroll ``number``, then confirm it at the same moment."""
    users = [get_user_model().objects.create_user(f"{who}-{number}") for who in ("ann", "ben")]
    codes = {}
    for user in users:
        flows.enroll(make_request(user), user, number=number)
        codes[last_code(number)] = user
    return run_together(
        list(codes), lambda code: flows.confirm(make_request(codes[code]), codes[code], code=code)
    )


@pytest.mark.parametrize("flow_check", [True, False], ids=["flow", "database-only"])
def test_two_accounts_confirming_one_number_at_once_one_wins_e1(
    make_request, last_code, settings, flow_check: bool
) -> None:
    settings.TYNTEC2FA_RESEND_COOLDOWN = 0
    skip = mock.patch.object(devices, "_refuse_taken", lambda user, number: None)
    with skip if not flow_check else mock.MagicMock():
        for n in range(ROUNDS):
            number = f"+491571234{n:04d}"
            assert both_confirm(make_request, last_code, number) == Counter(
                verified=1, DeviceError=1
            )
            assert PhoneDevice.objects.filter(number=number, confirmed=True).count() == 1
