"""System checks of the cost defences: W016 no country allow-list in production (P1,
R3), E016 an unusable setting."""

from __future__ import annotations

import pytest
from django.core import checks
from django.test import override_settings

from django_tyntec2fa.checks import check_destinations


def ids(messages: list) -> set[str]:
    return {message.id for message in messages}


@pytest.mark.parametrize(
    ("debug", "countries", "warned"),
    [
        (False, None, True),
        (True, None, False),
        (False, ["DE"], False),
        (False, ["+49", "AT"], False),
    ],
)
def test_w016_warns_without_a_country_allow_list_in_production_p1(
    debug: bool, countries: list[str] | None, warned: bool
) -> None:
    """P1: production needs the allow-list set explicitly; DEBUG does not."""
    with override_settings(DEBUG=debug, TYNTEC2FA_SMS_COUNTRIES=countries):
        found = check_destinations()
    assert ids(found) == ({"django_tyntec2fa.W016"} if warned else set())
    assert all(message.hint for message in found)


def test_w016_is_seen_by_manage_py_check() -> None:
    with override_settings(DEBUG=False, TYNTEC2FA_SMS_COUNTRIES=None):
        found = checks.run_checks(tags=["tyntec2fa"])
    assert "django_tyntec2fa.W016" in ids(found)


@pytest.mark.parametrize(
    "setting",
    [
        {"TYNTEC2FA_SMS_COUNTRIES": ["DE", "Germany"]},
        {"TYNTEC2FA_SMS_COUNTRIES": ["+999"]},
        {"TYNTEC2FA_SMS_COUNTRIES": 49},
        {"TYNTEC2FA_VOICE_COUNTRIES": ["XX"]},
        {"TYNTEC2FA_BLOCKED_NUMBER_TYPES": ["PREMIUM"]},
        {"TYNTEC2FA_NUMBER_LOOKUP": "no.such.module.lookup"},
        {"TYNTEC2FA_NUMBER_LOOKUP": 42},
        {"TYNTEC2FA_SEND_BUDGET_HOURLY": 0},
        {"TYNTEC2FA_SEND_BUDGET_DAILY": "lots"},
        {"TYNTEC2FA_CONVERSION_MIN_RATE": 20},
        {"TYNTEC2FA_CONVERSION_BLOCK_SECONDS": -1},
    ],
)
def test_e016_an_unusable_cost_defence_setting(setting: dict) -> None:
    with override_settings(DEBUG=True, **setting):
        found = check_destinations()
    assert ids(found) == {"django_tyntec2fa.E016"}
    assert all(message.hint for message in found)


def test_e016_accepts_every_documented_value() -> None:
    with override_settings(
        DEBUG=False,
        TYNTEC2FA_SMS_COUNTRIES=["DE", "+43", "ch"],
        TYNTEC2FA_VOICE_COUNTRIES=["DE"],
        TYNTEC2FA_BLOCKED_NUMBER_TYPES=["VOIP", "PAGER", "UAN", "INTERNATIONAL_NETWORK"],
        TYNTEC2FA_NUMBER_LOOKUP="tests.abuse.test_lookup.premium_lookup",
        TYNTEC2FA_SEND_BUDGET_HOURLY=500,
        TYNTEC2FA_SEND_BUDGET_DAILY=5000,
        TYNTEC2FA_CONVERSION_MIN_RATE=0.25,
    ):
        assert check_destinations() == []
