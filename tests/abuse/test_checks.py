"""System checks of the SMS-pumping and cost defences and of the rate limits: W016 no
country allow-list in production (P1), E023-E028 an unusable cost-defence setting, W013
and E021 a rate-limit cache that is not shared (P7), E030 a rate that does not parse."""

from __future__ import annotations

from typing import Any

import pytest

from django_tyntec2fa.checks import RATE_SETTINGS

from ..system_checks import app_check_ids, app_checks

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": "redis://127.0.0.1:6379/15",
}


# --- Where codes may go ----------------------------------------------------------------


@pytest.mark.parametrize(("debug", "reported"), [(False, True), (True, False)])
def test_no_country_allow_list_in_production_w016_p1(debug: bool, reported: bool) -> None:
    """Production needs the allow-list set explicitly; DEBUG does not."""
    found = app_check_ids(DEBUG=debug, TYNTEC2FA_SMS_COUNTRIES=None)
    assert found == (["django_tyntec2fa.W016"] if reported else [])


@pytest.mark.parametrize(
    "setting",
    [
        {"TYNTEC2FA_SMS_COUNTRIES": ["DE", "Germany"]},
        {"TYNTEC2FA_SMS_COUNTRIES": ["+999"]},
        {"TYNTEC2FA_SMS_COUNTRIES": 49},
        {"TYNTEC2FA_VOICE_COUNTRIES": ["XX"]},
    ],
)
def test_country_list_with_something_else_than_countries_e023(setting: dict[str, Any]) -> None:
    found = app_checks(**setting)
    assert [message.id for message in found] == ["django_tyntec2fa.E023"]
    assert next(iter(setting)) in found[0].msg


@pytest.mark.parametrize("value", [["PREMIUM"], ["VOIP", "MOBILE_PHONE"], 7])
def test_unknown_number_type_e024(value: Any) -> None:
    assert app_check_ids(TYNTEC2FA_BLOCKED_NUMBER_TYPES=value) == ["django_tyntec2fa.E024"]


@pytest.mark.parametrize(
    "value", ["no.such.module.lookup", "django_tyntec2fa.conf.LOCAL_PROVIDER", 42]
)
def test_number_lookup_that_is_not_a_callable_e025(value: Any) -> None:
    assert app_check_ids(TYNTEC2FA_NUMBER_LOOKUP=value) == ["django_tyntec2fa.E025"]


# --- What sending may cost -------------------------------------------------------------


@pytest.mark.parametrize(
    "setting",
    [
        {"TYNTEC2FA_SEND_BUDGET_HOURLY": 0},
        {"TYNTEC2FA_SEND_BUDGET_HOURLY": -5},
        {"TYNTEC2FA_SEND_BUDGET_DAILY": "lots"},
    ],
)
def test_send_budget_that_is_not_a_positive_number_e026(setting: dict[str, Any]) -> None:
    assert app_check_ids(**setting) == ["django_tyntec2fa.E026"]


@pytest.mark.parametrize(
    "setting",
    [
        {"TYNTEC2FA_CONVERSION_MIN_SENDS": -1},
        {"TYNTEC2FA_CONVERSION_BLOCK_SECONDS": -1},
        {"TYNTEC2FA_CONVERSION_WINDOW": "an hour"},
    ],
)
def test_negative_conversion_count_or_duration_e027(setting: dict[str, Any]) -> None:
    assert app_check_ids(**setting) == ["django_tyntec2fa.E027"]


@pytest.mark.parametrize("value", [20, -0.1, 1.5, "a fifth"])
def test_conversion_rate_outside_0_to_1_e028(value: Any) -> None:
    assert app_check_ids(TYNTEC2FA_CONVERSION_MIN_RATE=value) == ["django_tyntec2fa.E028"]


@pytest.mark.parametrize("value", [-1, "many"])
def test_country_floor_that_is_not_a_whole_number_e040(value: Any) -> None:
    assert app_check_ids(TYNTEC2FA_CONVERSION_COUNTRY_MIN_SENDS=value) == ["django_tyntec2fa.E040"]


def test_every_documented_cost_defence_value_passes() -> None:
    found = app_check_ids(
        TYNTEC2FA_SMS_COUNTRIES=["DE", "+43", "ch"],
        TYNTEC2FA_VOICE_COUNTRIES=["DE"],
        TYNTEC2FA_BLOCKED_NUMBER_TYPES=["VOIP", "PAGER", "UAN", "INTERNATIONAL_NETWORK"],
        TYNTEC2FA_NUMBER_LOOKUP="tests.abuse.test_lookup.premium_lookup",
        TYNTEC2FA_SEND_BUDGET_HOURLY=500,
        TYNTEC2FA_SEND_BUDGET_DAILY=None,
        TYNTEC2FA_CONVERSION_MIN_SENDS=0,
        TYNTEC2FA_CONVERSION_MIN_RATE=0.25,
        TYNTEC2FA_CONVERSION_COUNTRY_MIN_SENDS=0,
    )
    assert found == []


# --- The rate limits -------------------------------------------------------------------


def test_the_rate_settings_are_every_rate_limit() -> None:
    assert RATE_SETTINGS == (
        "SEND_RATE_IP",
        "SEND_RATE_NUMBER",
        "SEND_RATE_NUMBER_VOICE",
        "SEND_RATE_PREFIX",
        "SEND_RATE_SESSION",
        "SEND_RATE_USER",
        "VERIFY_RATE_IP",
        "VERIFY_RATE_USER",
    )


@pytest.mark.parametrize("name", RATE_SETTINGS)
@pytest.mark.parametrize(
    "value", ["5", "five/m", "5/M", "5/minute", "5 / m", "5/0m", "/m", "5/m ", None, 5, (5, 60)]
)
def test_rate_string_that_does_not_parse_e030(name: str, value: Any) -> None:
    """ "5/M" would count per second and "5/0m" fail at the first send."""
    found = app_checks(**{f"TYNTEC2FA_{name}": value})
    assert [message.id for message in found] == ["django_tyntec2fa.E030"]
    assert f"TYNTEC2FA_{name}" in found[0].msg


def test_every_bad_rate_is_its_own_error_e030() -> None:
    found = app_checks(TYNTEC2FA_SEND_RATE_IP="lots", TYNTEC2FA_VERIFY_RATE_USER="10/minute")
    assert [message.id for message in found] == ["django_tyntec2fa.E030"] * 2


@pytest.mark.parametrize("value", ["5/M", "lots", "", 5, ("5", "m")])
def test_login_rate_ip_that_is_neither_a_rate_nor_none_e080(value: Any) -> None:
    found = app_checks(TYNTEC2FA_LOGIN_RATE_IP=value)
    assert [message.id for message in found] == ["django_tyntec2fa.E080"]
    assert "TYNTEC2FA_LOGIN_RATE_IP" in found[0].msg


@pytest.mark.parametrize("value", ["10/minute", "10/0m", "", 10])
def test_login_rate_user_that_is_neither_a_rate_nor_none_e081(value: Any) -> None:
    found = app_checks(TYNTEC2FA_LOGIN_RATE_USER=value)
    assert [message.id for message in found] == ["django_tyntec2fa.E081"]
    assert "TYNTEC2FA_LOGIN_RATE_USER" in found[0].msg


@pytest.mark.parametrize("value", [None, "10/10m", "30/m", "1/s"])
def test_login_rates_may_be_rates_or_none(value: Any) -> None:
    """None switches the password step's limit off (a site that uses django-axes)."""
    assert app_check_ids(TYNTEC2FA_LOGIN_RATE_IP=value, TYNTEC2FA_LOGIN_RATE_USER=value) == []


def rate(group: str, request: Any) -> str:
    return "5/m"


@pytest.mark.parametrize(
    "value", ["5/m", "5/10m", "20/h", "100/d", "1/s", "0/m", "5/10", f"{__name__}.rate"]
)
def test_django_ratelimit_rates_pass(value: str) -> None:
    """ "5/10" is 5 per 10 seconds; an import path names a callable (group, request)
    -> rate, which django-ratelimit accepts too."""
    assert app_check_ids(TYNTEC2FA_SEND_RATE_USER=value) == []


@pytest.mark.parametrize(
    "caches",
    [LOCMEM, {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}],
)
def test_rate_limit_cache_not_shared_in_production_e021_p7(caches: dict[str, Any]) -> None:
    found = app_checks(CACHES=caches)
    assert [message.id for message in found] == ["django_tyntec2fa.E021"]
    assert "SILENCED_SYSTEM_CHECKS" not in found[0].hint


def test_rate_limit_cache_not_shared_in_development_w013_p7() -> None:
    found = app_checks(CACHES=LOCMEM, DEBUG=True)
    assert [message.id for message in found] == ["django_tyntec2fa.W013"]
    assert "SILENCED_SYSTEM_CHECKS" in found[0].hint


def test_the_rate_limit_cache_is_the_one_ratelimit_use_cache_names() -> None:
    caches = {"default": REDIS, "limits": LOCMEM["default"]}
    assert app_check_ids(CACHES=caches, RATELIMIT_USE_CACHE="limits") == ["django_tyntec2fa.E021"]
    assert app_check_ids(CACHES={**LOCMEM, "limits": REDIS}, RATELIMIT_USE_CACHE="limits") == []


def test_the_rate_limit_cache_is_not_checked_without_rate_limits() -> None:
    assert app_check_ids(CACHES=LOCMEM, TYNTEC2FA_RATELIMIT_ENABLE=False) == []
