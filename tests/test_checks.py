"""One test per system check id, positive and negative (R3; G2, G6, L1, R5)."""

from __future__ import annotations

import pytest
from django.test import override_settings

from django_tyntec2fa.checks import check_policy, check_provider

TYNTEC = "django_tyntec2fa.providers.tyntec.TyntecProvider"
LOCAL = "django_tyntec2fa.providers.local.LocalProvider"


def ids(messages: list) -> set[str]:
    return {message.id for message in messages}


def test_default_settings_pass_every_check() -> None:
    assert check_provider() == []
    assert check_policy() == []


@pytest.mark.parametrize(
    "path", ["no.such.module.Provider", "django_tyntec2fa.conf.Settings", "os.path"]
)
def test_e001_provider_not_importable_or_not_a_provider(path: str) -> None:
    with override_settings(TYNTEC2FA_PROVIDER=path):
        assert ids(check_provider()) == {"django_tyntec2fa.E001"}


def test_e001_accepts_both_shipped_providers() -> None:
    for path in (TYNTEC, LOCAL):
        with override_settings(TYNTEC2FA_PROVIDER=path, TYNTEC2FA_API_KEY="k"):
            assert "django_tyntec2fa.E001" not in ids(check_provider())


def test_e002_tyntec_provider_without_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TYNTEC2FA_API_KEY", raising=False)
    with override_settings(TYNTEC2FA_PROVIDER=TYNTEC, TYNTEC2FA_API_KEY=""):
        assert "django_tyntec2fa.E002" in ids(check_provider())
    with override_settings(TYNTEC2FA_PROVIDER=TYNTEC, TYNTEC2FA_API_KEY="secret"):
        assert "django_tyntec2fa.E002" not in ids(check_provider())


def test_e002_api_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TYNTEC2FA_API_KEY", "from-env")
    with override_settings(TYNTEC2FA_PROVIDER=TYNTEC):
        assert "django_tyntec2fa.E002" not in ids(check_provider())


@pytest.mark.parametrize(
    ("url", "debug", "expected"),
    [
        ("http://api.tyntec.com", False, True),
        ("ftp://api.tyntec.com", False, True),
        ("https://api.tyntec.com", False, False),
        ("http://api.tyntec.com", True, False),
        ("http://127.0.0.1:8765", False, False),  # the fake server in a test environment
        ("http://localhost:8765", False, False),
        ("http://10.0.0.5:8765", False, True),
    ],
)
def test_e003_https_unless_debug(url: str, debug: bool, expected: bool) -> None:
    with override_settings(
        TYNTEC2FA_PROVIDER=TYNTEC, TYNTEC2FA_API_KEY="k", TYNTEC2FA_API_URL=url, DEBUG=debug
    ):
        assert ("django_tyntec2fa.E003" in ids(check_provider())) is expected


@pytest.mark.parametrize(
    ("value", "expected"), [(4, True), (5, True), (6, False), (10, False), (11, True)]
)
def test_e004_pin_length_g2(value: int, expected: bool) -> None:
    """G2: fewer than 6 digits is an Error, whatever the provider."""
    with override_settings(TYNTEC2FA_PIN_LENGTH=value):
        assert ("django_tyntec2fa.E004" in ids(check_policy())) is expected


@pytest.mark.parametrize(
    ("value", "expected"), [(29, True), (30, False), (600, False), (601, True)]
)
def test_e005_otp_ttl_g6(value: int, expected: bool) -> None:
    with override_settings(TYNTEC2FA_OTP_TTL=value):
        assert ("django_tyntec2fa.E005" in ids(check_policy())) is expected


@pytest.mark.parametrize(("value", "expected"), [(0, True), (1, False), (10, False), (11, True)])
def test_e006_max_attempts(value: int, expected: bool) -> None:
    with override_settings(TYNTEC2FA_MAX_ATTEMPTS=value):
        assert ("django_tyntec2fa.E006" in ids(check_policy())) is expected


@pytest.mark.parametrize(
    ("debug", "allowed", "expected"),
    [(False, False, True), (False, True, False), (True, False, False)],
)
def test_e007_local_provider_in_production_r5(debug: bool, allowed: bool, expected: bool) -> None:
    with override_settings(
        TYNTEC2FA_PROVIDER=LOCAL, DEBUG=debug, TYNTEC2FA_ALLOW_LOCAL_PROVIDER=allowed
    ):
        assert ("django_tyntec2fa.E007" in ids(check_provider())) is expected


@pytest.mark.parametrize(
    ("value", "expected"), [((3, 10), False), (5, False), ((0, 10), True), (-1, True)]
)
def test_e008_timeout(value: object, expected: bool) -> None:
    with override_settings(TYNTEC2FA_TIMEOUT=value):
        assert ("django_tyntec2fa.E008" in ids(check_policy())) is expected


@pytest.mark.parametrize(
    ("setting", "check_id"),
    [
        ("TYNTEC2FA_PIN_LENGTH", "E004"),
        ("TYNTEC2FA_OTP_TTL", "E005"),
        ("TYNTEC2FA_MAX_ATTEMPTS", "E006"),
        ("TYNTEC2FA_TIMEOUT", "E008"),
    ],
)
def test_wrong_type_is_an_error_not_a_crash(setting: str, check_id: str) -> None:
    with override_settings(**{setting: "not a number"}):
        assert f"django_tyntec2fa.{check_id}" in ids(check_policy())


def test_every_message_has_a_hint() -> None:
    with override_settings(
        TYNTEC2FA_PIN_LENGTH=4,
        TYNTEC2FA_OTP_TTL=5,
        TYNTEC2FA_MAX_ATTEMPTS=0,
        TYNTEC2FA_TIMEOUT=0,
        TYNTEC2FA_PROVIDER=TYNTEC,
        TYNTEC2FA_API_KEY="",
        TYNTEC2FA_API_URL="http://api.tyntec.com",
    ):
        messages = check_policy() + check_provider()
    assert len(messages) >= 6
    assert all(message.hint for message in messages)


def test_checks_run_through_django_check_framework() -> None:
    """The checks are registered: ``manage.py check`` sees them."""
    from django.core import checks

    with override_settings(TYNTEC2FA_PIN_LENGTH=4):
        found = checks.run_checks(tags=["tyntec2fa"])
    assert "django_tyntec2fa.E004" in ids(found)


LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/15",
    }
}


@pytest.mark.parametrize(
    ("caches", "debug", "expected"),
    [
        (LOCMEM, True, {"django_tyntec2fa.W013"}),
        (LOCMEM, False, {"django_tyntec2fa.E013"}),
        (
            {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}},
            False,
            {"django_tyntec2fa.E013"},
        ),
        (REDIS, False, set()),
        (REDIS, True, set()),
    ],
)
def test_e013_ratelimit_cache_must_be_shared_p7(
    caches: dict, debug: bool, expected: set[str]
) -> None:
    from django_tyntec2fa.checks import check_ratelimit_cache

    with override_settings(CACHES=caches, DEBUG=debug):
        assert ids(check_ratelimit_cache()) == expected


def test_e013_follows_ratelimit_use_cache() -> None:
    from django_tyntec2fa.checks import check_ratelimit_cache

    caches = {**REDIS, "limits": LOCMEM["default"]}
    with override_settings(CACHES=caches, DEBUG=False, RATELIMIT_USE_CACHE="limits"):
        assert ids(check_ratelimit_cache()) == {"django_tyntec2fa.E013"}
    with override_settings(CACHES=LOCMEM, DEBUG=False, TYNTEC2FA_RATELIMIT_ENABLE=False):
        assert ids(check_ratelimit_cache()) == set()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, set()),
        ("", set()),
        ("django_tyntec2fa.api.tokens.authtoken_issuer", set()),
        ("no.such.module.issuer", {"django_tyntec2fa.E017"}),
        ("django_tyntec2fa.conf.LOCAL_PROVIDER", {"django_tyntec2fa.E017"}),  # not callable
    ],
)
def test_e017_token_issuer_must_be_an_importable_callable(
    value: str | None, expected: set[str]
) -> None:
    from django_tyntec2fa.checks import check_token_issuer

    with override_settings(TYNTEC2FA_API_TOKEN_ISSUER=value):
        assert ids(check_token_issuer()) == expected
