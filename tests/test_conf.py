"""Settings are read on every access, with defaults in one place."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings

from django_tyntec2fa.conf import DEFAULT_TIMEOUT, LOCAL_PROVIDER, app_settings


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TYNTEC2FA_API_KEY", raising=False)
    with override_settings():
        for name in (
            "TYNTEC2FA_PROVIDER",
            "TYNTEC2FA_LOCAL_SINK",
            "TYNTEC2FA_ALLOW_LOCAL_PROVIDER",
        ):
            delattr(settings, name)
        assert app_settings.PROVIDER == LOCAL_PROVIDER
        assert app_settings.API_KEY is None
        assert app_settings.API_URL == "https://api.tyntec.com"
        assert app_settings.TIMEOUT == DEFAULT_TIMEOUT
        assert app_settings.PIN_LENGTH == 6
        assert app_settings.OTP_TTL == 300
        assert app_settings.MAX_ATTEMPTS == 3
        assert app_settings.APPLICATION_ID is None
        assert app_settings.SENDER is None
        assert app_settings.CALLER is None
        assert app_settings.ALLOW_LOCAL_PROVIDER is False
        assert app_settings.LOCAL_SINK.endswith("ConsoleSink")


def test_read_on_every_access() -> None:
    with override_settings(TYNTEC2FA_PIN_LENGTH=8):
        assert app_settings.PIN_LENGTH == 8
    assert app_settings.PIN_LENGTH == 6


def test_timeout_accepts_a_number_or_a_pair() -> None:
    with override_settings(TYNTEC2FA_TIMEOUT=2):
        assert app_settings.TIMEOUT == (2.0, 2.0)
    with override_settings(TYNTEC2FA_TIMEOUT=[1, 4]):
        assert app_settings.TIMEOUT == (1.0, 4.0)


def test_api_url_trailing_slash_is_dropped() -> None:
    with override_settings(TYNTEC2FA_API_URL="https://api.tyntec.com/"):
        assert app_settings.API_URL == "https://api.tyntec.com"


def test_settings_are_never_written_back() -> None:
    _ = app_settings.PIN_LENGTH, app_settings.OTP_TTL, app_settings.API_URL
    assert not hasattr(settings, "TYNTEC2FA_PIN_LENGTH")
    assert not hasattr(settings, "TYNTEC2FA_API_URL")
