"""System checks for the ``TYNTEC2FA_*`` settings. Ids are stable; docs/settings.md lists them.

A misconfigured second factor is a security bug, so out-of-range values are Errors,
which stop ``runserver``/``migrate``, rather than silently clamped values.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.utils.module_loading import import_string

from .conf import LOCAL_PROVIDER, app_settings

PREFIX = "django_tyntec2fa"
PIN_LENGTH_RANGE = (6, 10)  # NIST SP 800-63B-4 3.1.3.2 (>= 6 digits); tyntec's maximum is 10
OTP_TTL_RANGE = (30, 600)  # tyntec's minimum; NIST's 10 minute maximum (G6)
MAX_ATTEMPTS_RANGE = (1, 10)
LOCKOUT_THRESHOLD_RANGE = (1, 100)  # NIST SP 800-63B-4 3.2.2: at most 100 failures (L2)


def _provider_class() -> type | None:
    try:
        return import_string(app_settings.PROVIDER)
    except ImportError:
        return None


def _read(getter: Callable[[], Any], name: str, check_id: str) -> tuple[Any, list[CheckMessage]]:
    """Read a setting; a value of the wrong type is an Error, not a crash."""
    try:
        return getter(), []
    except (TypeError, ValueError):
        return None, [
            Error(
                f"TYNTEC2FA_{name} has a value of the wrong type.",
                hint=f"See docs/settings.md for the type of TYNTEC2FA_{name}.",
                id=f"{PREFIX}.{check_id}",
            )
        ]


def _out_of_range(value: int | None, bounds: tuple[int, int]) -> bool:
    return value is not None and not bounds[0] <= value <= bounds[1]


@register(Tags.security, "tyntec2fa")
def check_provider(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """E001 provider importable, E002 API key, E003 HTTPS, E007 local provider in production."""
    from .providers.base import Provider
    from .providers.tyntec import TyntecProvider

    errors: list[CheckMessage] = []
    provider = _provider_class()
    if provider is None or not (isinstance(provider, type) and issubclass(provider, Provider)):
        return [
            Error(
                f"TYNTEC2FA_PROVIDER {app_settings.PROVIDER!r} is not an importable Provider class.",
                hint="Use 'django_tyntec2fa.providers.tyntec.TyntecProvider', "
                f"'{LOCAL_PROVIDER}' or your own subclass of providers.base.Provider.",
                id=f"{PREFIX}.E001",
            )
        ]
    if issubclass(provider, TyntecProvider):
        if not app_settings.API_KEY:
            errors.append(
                Error(
                    "The tyntec provider is configured but TYNTEC2FA_API_KEY is empty.",
                    hint="Set TYNTEC2FA_API_KEY from the environment or a secret store "
                    "(my.tyntec.com > API settings), never as a literal in the repository.",
                    id=f"{PREFIX}.E002",
                )
            )
        if not settings.DEBUG and not _is_safe_url(app_settings.API_URL):
            errors.append(
                Error(
                    f"TYNTEC2FA_API_URL {app_settings.API_URL!r} is not HTTPS.",
                    hint="The API key and the codes travel in this connection; use https:// "
                    "(plain http is accepted only with DEBUG=True or for a loopback address).",
                    id=f"{PREFIX}.E003",
                )
            )
    if (
        issubclass(provider, _local_provider_class())
        and not settings.DEBUG
        and not app_settings.ALLOW_LOCAL_PROVIDER
    ):
        errors.append(
            Error(
                "The local provider prints codes instead of sending them and DEBUG is False.",
                hint="Configure TYNTEC2FA_PROVIDER = "
                "'django_tyntec2fa.providers.tyntec.TyntecProvider' for production, or set "
                "TYNTEC2FA_ALLOW_LOCAL_PROVIDER = True for a test environment.",
                id=f"{PREFIX}.E007",
            )
        )
    return errors


@register(Tags.security, "tyntec2fa")
def check_policy(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """E004 PIN length (G2), E005 lifetime (G6), E006 attempts (L1), E008 timeout,
    E009 lockout threshold (L2)."""
    errors: list[CheckMessage] = []
    pin_length, found = _read(lambda: app_settings.PIN_LENGTH, "PIN_LENGTH", "E004")
    errors += found
    if _out_of_range(pin_length, PIN_LENGTH_RANGE):
        errors.append(
            Error(
                f"TYNTEC2FA_PIN_LENGTH is {pin_length}; it must be between 6 and 10.",
                hint="Codes shorter than 6 digits can be guessed (NIST SP 800-63B-4, "
                "security requirement G2); tyntec sends at most 10 digits.",
                id=f"{PREFIX}.E004",
            )
        )
    ttl, found = _read(lambda: app_settings.OTP_TTL, "OTP_TTL", "E005")
    errors += found
    if _out_of_range(ttl, OTP_TTL_RANGE):
        errors.append(
            Error(
                f"TYNTEC2FA_OTP_TTL is {ttl} seconds; it must be between 30 and 600.",
                hint="A code must die within 10 minutes (G6); tyntec's minimum is 30 seconds.",
                id=f"{PREFIX}.E005",
            )
        )
    attempts, found = _read(lambda: app_settings.MAX_ATTEMPTS, "MAX_ATTEMPTS", "E006")
    errors += found
    if _out_of_range(attempts, MAX_ATTEMPTS_RANGE):
        errors.append(
            Error(
                f"TYNTEC2FA_MAX_ATTEMPTS is {attempts}; it must be between 1 and 10.",
                hint="Each wrong code is a guess at the code (L1); 3 is tyntec's default.",
                id=f"{PREFIX}.E006",
            )
        )
    timeout, found = _read(lambda: app_settings.TIMEOUT, "TIMEOUT", "E008")
    errors += found
    if timeout is not None and min(timeout) <= 0:
        errors.append(
            Error(
                f"TYNTEC2FA_TIMEOUT is {timeout}; both values must be positive.",
                hint="Use (connect, read) seconds, e.g. (3.05, 10). A request without a "
                "timeout can hang a worker forever.",
                id=f"{PREFIX}.E008",
            )
        )
    threshold, found = _read(lambda: app_settings.LOCKOUT_THRESHOLD, "LOCKOUT_THRESHOLD", "E009")
    errors += found
    if _out_of_range(threshold, LOCKOUT_THRESHOLD_RANGE):
        errors.append(
            Error(
                f"TYNTEC2FA_LOCKOUT_THRESHOLD is {threshold}; "
                "TYNTEC2FA_LOCKOUT_THRESHOLD must be 1..100.",
                hint="Consecutive wrong codes lock the factor at this count; NIST SP 800-63B "
                "allows at most 100 (L2). Larger values are treated as 100.",
                id=f"{PREFIX}.E009",
            )
        )
    return errors


def _local_provider_class() -> type:
    from .providers.local import LocalProvider

    return LocalProvider


def _is_safe_url(url: str) -> bool:
    """HTTPS, or plain HTTP to this machine only (the fake tyntec server in tests)."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return True
    if parts.scheme != "http" or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


# --- The gate (middleware order) and the session cookie (S8) ---------------------------

GATE_MIDDLEWARE = "django_tyntec2fa.middleware.SecondFactorMiddleware"
AUTH_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"


def _position(middleware: Sequence[str], path: str) -> int | None:
    """Index of ``path`` (or a subclass of it) in ``middleware``, else None."""
    target = import_string(path)
    for index, entry in enumerate(middleware):
        if entry == path:
            return index
        try:
            found = import_string(entry)
        except ImportError:
            continue  # Django reports an unimportable middleware itself
        if isinstance(found, type) and issubclass(found, target):
            return index
    return None


@register(Tags.security, "tyntec2fa")
def check_middleware(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """E010 gate middleware missing, E011 gate before AuthenticationMiddleware."""
    middleware = list(getattr(settings, "MIDDLEWARE", None) or [])
    gate = _position(middleware, GATE_MIDDLEWARE)
    if gate is None:
        # An Error, not a Warning: without the gate a user with a phone who signs in is
        # sent back to the login page instead of the challenge, and sessions logged in
        # before the app was installed keep working without a second factor. A project
        # that protects every view with the decorators may silence it.
        return [
            Error(
                "SecondFactorMiddleware missing from MIDDLEWARE.",
                hint=f"Add '{GATE_MIDDLEWARE}' to MIDDLEWARE after '{AUTH_MIDDLEWARE}'.",
                id=f"{PREFIX}.E010",
            )
        ]
    auth = _position(middleware, AUTH_MIDDLEWARE)
    if auth is None or gate < auth:
        return [
            Error(
                "SecondFactorMiddleware must come after AuthenticationMiddleware.",
                hint=f"Move '{GATE_MIDDLEWARE}' below '{AUTH_MIDDLEWARE}' in MIDDLEWARE; "
                "it needs the session and request.user.",
                id=f"{PREFIX}.E011",
            )
        ]
    return []


@register(Tags.security, "tyntec2fa")
def check_session_cookie(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """W012 unsafe session cookie in production (S8)."""
    if settings.DEBUG:
        return []
    unsafe = []
    if not settings.SESSION_COOKIE_SECURE:
        unsafe.append("SESSION_COOKIE_SECURE = True")
    if not settings.SESSION_COOKIE_HTTPONLY:
        unsafe.append("SESSION_COOKIE_HTTPONLY = True")
    if str(settings.SESSION_COOKIE_SAMESITE).lower() not in {"lax", "strict"}:
        unsafe.append("SESSION_COOKIE_SAMESITE = 'Lax' (or 'Strict')")
    if not unsafe:
        return []
    return [
        Warning(
            "The session cookie carries the pending login and the proof of the second "
            "factor, but it is not protected: DEBUG is False and it lacks "
            + ", ".join(unsafe)
            + ".",
            hint="Set " + "; ".join(unsafe) + " (security requirement S8; NIST SP 800-63B-4 "
            "5.1.1). Consider SESSION_COOKIE_NAME = '__Host-sessionid'.",
            id=f"{PREFIX}.W012",
        )
    ]


#: Cache backends whose counters are per process or not kept at all: with several
#: workers each one counts alone, so a limit of 5 becomes 5 per worker (P7).
UNSHARED_CACHES = frozenset(
    {
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
        "django.core.cache.backends.filebased.FileBasedCache",
    }
)


@register(Tags.security, Tags.caches, "tyntec2fa")
def check_ratelimit_cache(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """W013 / E013: the rate limits need a cache shared by every process (P7)."""
    if not app_settings.RATELIMIT_ENABLE:
        return []
    alias = getattr(settings, "RATELIMIT_USE_CACHE", "default")
    backend = settings.CACHES.get(alias, {}).get("BACKEND", "")
    if backend not in UNSHARED_CACHES:
        return []
    level, check_id = (Warning, "W013") if settings.DEBUG else (Error, "E013")
    return [
        level(
            f"The rate limits count in the cache {alias!r} ({backend.rsplit('.', 1)[-1]}), "
            "which is not shared between processes.",
            hint="Use Redis (django.core.cache.backends.redis.RedisCache) or Memcached for "
            "that cache, or point RATELIMIT_USE_CACHE at one (security requirement P7). "
            "Silence the warning only for a single-process development server.",
            id=f"{PREFIX}.{check_id}",
        )
    ]


# --- SMS pumping and cost defences (P1-P4, E6; docs/abuse.md) ------------------------------


@register(Tags.security, "tyntec2fa")
def check_destinations(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """W016 no country allow-list in production (P1); E016 an unusable cost-defence setting."""
    from .abuse.destinations import NUMBER_TYPES, invalid_countries

    problems: list[str] = []
    for name in ("SMS_COUNTRIES", "VOICE_COUNTRIES"):
        entries, found = _read(lambda name=name: getattr(app_settings, name), name, "E016")
        problems += [message.msg for message in found]
        if entries and (bad := invalid_countries(entries)):
            problems.append(f"TYNTEC2FA_{name} has unknown entries {bad}.")
    types, found = _read(lambda: app_settings.BLOCKED_NUMBER_TYPES, "BLOCKED_NUMBER_TYPES", "E016")
    problems += [message.msg for message in found]
    if types and (unknown := sorted(types - NUMBER_TYPES)):
        problems.append(f"TYNTEC2FA_BLOCKED_NUMBER_TYPES has unknown types {unknown}.")
    hook = app_settings.NUMBER_LOOKUP
    if isinstance(hook, str) and hook:
        try:
            hook = import_string(hook)
        except ImportError:
            hook = None
    if app_settings.NUMBER_LOOKUP not in (None, "") and not callable(hook):
        problems.append("TYNTEC2FA_NUMBER_LOOKUP is not a callable or its import path.")
    problems += _number_problems()
    errors: list[CheckMessage] = [
        Error(
            problem,
            hint="See docs/settings.md (SMS pumping and cost defences) for the accepted values.",
            id=f"{PREFIX}.E016",
        )
        for problem in problems
    ]
    if not settings.DEBUG and _quiet(lambda: app_settings.SMS_COUNTRIES) is None:
        errors.append(
            Warning(
                "TYNTEC2FA_SMS_COUNTRIES is not set: codes may be sent to every country.",
                hint="List the countries your users live in, e.g. ['DE', 'AT', 'CH'] or "
                "['+49'], and a shorter TYNTEC2FA_VOICE_COUNTRIES: SMS pumping and toll "
                "fraud target countries you do not serve (security requirement P1).",
                id=f"{PREFIX}.W016",
            )
        )
    return errors


def _number_problems() -> list[str]:
    """Budgets must be positive integers or None; the conversion settings in range."""
    problems: list[str] = []
    for name in ("SEND_BUDGET_HOURLY", "SEND_BUDGET_DAILY"):
        value, found = _read(lambda name=name: getattr(app_settings, name), name, "E016")
        problems += [message.msg for message in found]
        if value is not None and value < 1:
            problems.append(f"TYNTEC2FA_{name} is {value}; use a positive number or None.")
    for name in ("CONVERSION_MIN_SENDS", "CONVERSION_BLOCK_SECONDS", "CONVERSION_WINDOW"):
        value, found = _read(lambda name=name: getattr(app_settings, name), name, "E016")
        problems += [message.msg for message in found]
        if value is not None and value < 0:
            problems.append(f"TYNTEC2FA_{name} is {value}; it must not be negative.")
    rate, found = _read(lambda: app_settings.CONVERSION_MIN_RATE, "CONVERSION_MIN_RATE", "E016")
    problems += [message.msg for message in found]
    if rate is not None and not 0 <= rate <= 1:
        problems.append(f"TYNTEC2FA_CONVERSION_MIN_RATE is {rate}; it must be between 0 and 1.")
    return problems


def _quiet(getter: Callable[[], Any]) -> Any:
    """A setting's value, or a sentinel when it cannot be read (E016 reports that)."""
    try:
        return getter()
    except (TypeError, ValueError):
        return ""


# --- Side doors around the second factor: token views, API authentication (S6) -------------


@register(Tags.security, Tags.urls, "tyntec2fa")
def check_token_views(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """W014 a view that mints API tokens from a password alone is routed."""
    from .api.checks import routed_token_views

    return routed_token_views()


@register(Tags.security, "tyntec2fa")
def check_api_authentication(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """E015 / W015 a DRF default authentication class skips or may skip the second factor."""
    from .api.checks import authentication_classes

    return authentication_classes()


@register(Tags.security, "tyntec2fa")
def check_token_issuer(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """E017 ``TYNTEC2FA_API_TOKEN_ISSUER`` names nothing callable (else: a 500 at the
    first login that asks for a token)."""
    path = app_settings.API_TOKEN_ISSUER
    if not path:  # None: DRF's authtoken when installed; "": sessions only
        return []
    try:
        issuer = import_string(path)
    except ImportError:
        issuer = None
    if callable(issuer):
        return []
    return [
        Error(
            f"TYNTEC2FA_API_TOKEN_ISSUER {path!r} is not an importable callable.",
            hint="Name a callable (request, user) -> dict, e.g. "
            "'django_tyntec2fa.api.tokens.authtoken_issuer', or set it to '' for sessions only.",
            id=f"{PREFIX}.E017",
        )
    ]
