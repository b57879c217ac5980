"""The configured provider, built once per process and rebuilt when settings change.

One instance per process matters: ``TyntecProvider`` keeps one keep-alive HTTP
session, and building a provider per request would open a TCP connection each time.
"""

from __future__ import annotations

import threading

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from ..conf import app_settings
from .base import Provider

_lock = threading.Lock()
_cache: dict[str, Provider] = {}


def get_provider(path: str | None = None) -> Provider:
    """Return the provider named by ``path``, by default ``TYNTEC2FA_PROVIDER``; one
    instance per import path (``contrib.two_factor`` asks for tyntec's by name)."""
    path = path or app_settings.PROVIDER
    provider = _cache.get(path)
    if provider is None:
        with _lock:
            provider = _cache.get(path)
            if provider is None:
                provider = import_string(path)()
                _cache[path] = provider
    return provider


def reset_provider() -> None:
    """Forget the cached provider (closing its HTTP session, if any)."""
    with _lock:
        for provider in _cache.values():
            close = getattr(provider, "close", None)
            if close is not None:
                close()
        _cache.clear()


@receiver(setting_changed)
def _on_setting_changed(*, setting: str, **kwargs: object) -> None:
    if setting.startswith("TYNTEC2FA_"):
        reset_provider()
