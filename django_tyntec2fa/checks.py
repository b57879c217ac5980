"""System checks for the ``TYNTEC2FA_*`` settings and the app's place in the project.

One id means one problem, and ``docs/settings.md`` lists every id with one line. An
Error and a Warning never share a number, and a retired number is never given to
another problem. A misconfigured second factor is a security bug, so out-of-range values
are Errors, which stop ``runserver`` and ``migrate``, rather than silently clamped
values. Messages and hints explain in words; the requirement ids of docs/security.md
stay in the comments.

The checks are registered by the app's ``ready()``, so they do not run when the app is
missing from ``INSTALLED_APPS``; ``SecondFactorMiddleware`` itself reports that case.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured, ViewDoesNotExist
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string
from django_ratelimit.core import rate_re

from .conf import LOCAL_PROVIDER, TYNTEC_PROVIDER, Settings, app_settings

TAG = "tyntec2fa"
PIN_LENGTH_RANGE = (6, 10)  # NIST SP 800-63B-4 3.1.3.2 (>= 6 digits, G2); tyntec's maximum is 10
OTP_TTL_RANGE = (30, 600)  # tyntec's minimum; NIST's 10 minute maximum (G6)
MAX_ATTEMPTS_RANGE = (1, 10)  # L1
LOCKOUT_THRESHOLD_RANGE = (1, 100)  # NIST SP 800-63B-4 3.2.2: at most 100 failures (L2)
FALLBACK_AFTER_RANGE = (5, 600)  # a text message takes seconds; a code lives 600 s at most
RECOVERY_CODES_RANGE = (0, 50)  # 0: off; a longer list than 50 is no longer read by anyone
TRUST_BROWSER_DAYS_RANGE = (0, 365)  # 0: off; a year at most, as a password is not forever

GATE_MIDDLEWARE = "django_tyntec2fa.gate.middleware.SecondFactorMiddleware"
AUTH_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"
#: The include that docs/installation.md gives; any prefix works.
URLS_INCLUDE = 'path("2fa/", include("django_tyntec2fa.urls"))'

#: Broken URLconfs: Django's own URL checks report them, these checks stay quiet.
URLCONF_ERRORS = (ImportError, ImproperlyConfigured, ViewDoesNotExist)


def _raw(name: str) -> Any:
    """The value as written in the settings module, for the messages."""
    return getattr(settings, f"TYNTEC2FA_{name}", None)


def _readable(name: str) -> tuple[bool, Any]:
    """(True, the typed value) or (False, None) when the value has the wrong type."""
    try:
        return True, getattr(app_settings, name)
    except (TypeError, ValueError):
        return False, None


def _invalid(name: str, valid: Callable[[Any], bool]) -> bool:
    """The setting cannot be read as its type, or ``valid`` refuses the typed value."""
    readable, value = _readable(name)
    return not readable or not valid(value)


def _between(bounds: tuple[int, int]) -> Callable[[Any], bool]:
    return lambda value: bounds[0] <= value <= bounds[1]


def _names_a_callable(value: Any) -> bool:
    """A callable, or the import path of one."""
    if isinstance(value, str):
        try:
            value = import_string(value)
        except ImportError:
            return False
    return callable(value)


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


def _middleware() -> list[str]:
    return list(getattr(settings, "MIDDLEWARE", None) or [])


# --- The provider: E001, E002, E003, E007 -------------------------------------------------


@register(Tags.security, TAG)
def check_provider(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """E001 provider not a Provider class, E002 no API key, E003 API URL not HTTPS,
    E007 the local provider in production (R5)."""
    from .providers.base import Provider
    from .providers.local import LocalProvider
    from .providers.tyntec.client import TyntecProvider

    try:
        provider = import_string(app_settings.PROVIDER)
    except ImportError:
        provider = None
    if not (isinstance(provider, type) and issubclass(provider, Provider)):
        return [
            Error(
                f"TYNTEC2FA_PROVIDER {app_settings.PROVIDER!r} is not the import path of a "
                "provider class.",
                hint=f"Use '{TYNTEC_PROVIDER}', '{LOCAL_PROVIDER}' or your own subclass of "
                "django_tyntec2fa.providers.base.Provider.",
                id="django_tyntec2fa.E001",
            )
        ]
    errors: list[CheckMessage] = []
    if issubclass(provider, TyntecProvider) and not app_settings.API_KEY:
        errors.append(
            Error(
                "The tyntec provider is configured but TYNTEC2FA_API_KEY is empty.",
                hint="Set TYNTEC2FA_API_KEY from the environment or a secret store "
                "(my.tyntec.com > API settings), never as a literal in the repository.",
                id="django_tyntec2fa.E002",
            )
        )
    if (
        issubclass(provider, TyntecProvider)
        and not settings.DEBUG
        and not _is_safe_url(app_settings.API_URL)
    ):
        errors.append(
            Error(
                f"TYNTEC2FA_API_URL {app_settings.API_URL!r} is not HTTPS.",
                hint="The API key and the codes travel in this connection; use https:// "
                "(plain http is accepted only with DEBUG=True or for a loopback address).",
                id="django_tyntec2fa.E003",
            )
        )
    if (
        issubclass(provider, LocalProvider)
        and not settings.DEBUG
        and not app_settings.ALLOW_LOCAL_PROVIDER
    ):
        errors.append(
            Error(
                "The local provider prints codes instead of sending them and DEBUG is False.",
                hint=f"Set TYNTEC2FA_PROVIDER = '{TYNTEC_PROVIDER}' for production, or "
                "TYNTEC2FA_ALLOW_LOCAL_PROVIDER = True for a test environment.",
                id="django_tyntec2fa.E007",
            )
        )
    return errors


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


# --- Codes, attempts, timeouts: E004, E005, E006, E008, E009 ------------------------------


@register(Tags.security, TAG)
def check_policy(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """E004 PIN length (G2), E005 code lifetime (G6), E006 attempts per code (L1),
    E008 timeout, E009 lockout threshold (L2). A value of the wrong type is the same
    problem as one out of range: the setting's own id."""
    errors: list[CheckMessage] = []
    if _invalid("PIN_LENGTH", _between(PIN_LENGTH_RANGE)):
        errors.append(
            Error(
                f"TYNTEC2FA_PIN_LENGTH is {_raw('PIN_LENGTH')!r}; it must be a whole number "
                "from 6 to 10.",
                hint="Codes shorter than 6 digits are too easy to guess (NIST SP 800-63B-4); "
                "tyntec sends at most 10 digits.",
                id="django_tyntec2fa.E004",
            )
        )
    if _invalid("OTP_TTL", _between(OTP_TTL_RANGE)):
        errors.append(
            Error(
                f"TYNTEC2FA_OTP_TTL is {_raw('OTP_TTL')!r}; it must be a number of seconds "
                "from 30 to 600.",
                hint="A code must expire within 10 minutes; tyntec's minimum is 30 seconds.",
                id="django_tyntec2fa.E005",
            )
        )
    if _invalid("MAX_ATTEMPTS", _between(MAX_ATTEMPTS_RANGE)):
        errors.append(
            Error(
                f"TYNTEC2FA_MAX_ATTEMPTS is {_raw('MAX_ATTEMPTS')!r}; it must be a whole "
                "number from 1 to 10.",
                hint="Each wrong code is a guess at the code; 3 is tyntec's default.",
                id="django_tyntec2fa.E006",
            )
        )
    if _invalid("TIMEOUT", lambda timeout: min(timeout) > 0):
        errors.append(
            Error(
                f"TYNTEC2FA_TIMEOUT is {_raw('TIMEOUT')!r}; it must be a positive number of "
                "seconds or a (connect, read) pair of them.",
                hint="Use (connect, read) seconds, e.g. (2.05, 4). A request without a "
                "timeout can hang a worker forever.",
                id="django_tyntec2fa.E008",
            )
        )
    if _invalid("LOCKOUT_THRESHOLD", _between(LOCKOUT_THRESHOLD_RANGE)):
        errors.append(
            Error(
                f"TYNTEC2FA_LOCKOUT_THRESHOLD is {_raw('LOCKOUT_THRESHOLD')!r}; it must be a "
                "whole number from 1 to 100.",
                hint="After this many wrong codes in a row the second factor is locked; "
                "NIST SP 800-63B-4 allows at most 100. Larger values are treated as 100.",
                id="django_tyntec2fa.E009",
            )
        )
    return errors


# --- The circuit breaker around tyntec: E041, E042 (docs/faults.md) ----------------------


@register(Tags.security, TAG)
def check_breaker(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """E041 a breaker threshold that is not a whole number, 0 or more; E042 a breaker
    window or cool-off that is not a positive whole number of seconds."""
    found: list[CheckMessage] = []
    if _invalid("BREAKER_FAILURES", lambda value: value >= 0):
        found.append(
            Error(
                f"TYNTEC2FA_BREAKER_FAILURES is {_raw('BREAKER_FAILURES')!r}; it must be a "
                "whole number, 0 or more.",
                hint="It is the number of failed tyntec calls in a row (timeouts, connection "
                "failures, 429, 5xx) that open the circuit breaker; 0 switches it off.",
                id="django_tyntec2fa.E041",
            )
        )
    for name in ("BREAKER_WINDOW", "BREAKER_COOL_OFF"):
        if _invalid(name, lambda value: value >= 1):
            found.append(
                Error(
                    f"TYNTEC2FA_{name} is {_raw(name)!r}; it must be a whole number of "
                    "seconds, 1 or more.",
                    hint="The window is how long a failure is remembered, the cool-off how "
                    "long the breaker stays open before one call probes tyntec (defaults "
                    "60 and 30).",
                    id="django_tyntec2fa.E042",
                )
            )
    return found


# --- Recovery codes: E043 (docs/recovery.md) ---------------------------------------------


@register(Tags.security, TAG)
def check_recovery(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """E043 ``TYNTEC2FA_RECOVERY_CODES`` is not a whole number from 0 to 50."""
    if not _invalid("RECOVERY_CODES", _between(RECOVERY_CODES_RANGE)):
        return []
    return [
        Error(
            f"TYNTEC2FA_RECOVERY_CODES is {_raw('RECOVERY_CODES')!r}; it must be a whole "
            "number from 0 to 50.",
            hint="It is the number of recovery codes in a set (10 by default); 0 switches "
            "recovery codes off.",
            id="django_tyntec2fa.E043",
        )
    ]


# --- Security notices: E044 (docs/recovery.md) -------------------------------------------


@register(Tags.security, TAG)
def check_notify(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """E044 ``TYNTEC2FA_NOTIFY`` is neither True, False, a callable nor the import path
    of one (else: no notice would ever reach the user, and only the log would say so)."""
    value = app_settings.NOTIFY
    if isinstance(value, bool) or _names_a_callable(value):
        return []
    return [
        Error(
            f"TYNTEC2FA_NOTIFY {value!r} is not True, False, a callable or the import path of one.",
            hint="Use True (email the user with Django's mail framework), False (no "
            "notices), or a function (event, user, context) -> None that sends them your "
            "way, or its import path.",
            id="django_tyntec2fa.E044",
        )
    ]


# --- Remember this browser: E050 (S9, docs/recovery.md) --------------------------------------


@register(Tags.security, TAG)
def check_trust_browser(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """E050 ``TYNTEC2FA_TRUST_BROWSER_DAYS`` is not a whole number from 0 to 365."""
    if not _invalid("TRUST_BROWSER_DAYS", _between(TRUST_BROWSER_DAYS_RANGE)):
        return []
    return [
        Error(
            f"TYNTEC2FA_TRUST_BROWSER_DAYS is {_raw('TRUST_BROWSER_DAYS')!r}; it must be a "
            "whole number from 0 to 365.",
            hint="It is how many days a trusted browser skips the code (0, the default, "
            "switches 'remember this browser' off).",
            id="django_tyntec2fa.E050",
        )
    ]


# --- Delivery status and voice fallback: E060, E061, E062 (docs/flows.md) -----------------


@register(Tags.security, TAG)
def check_fallback(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """E060 ``TYNTEC2FA_FALLBACK_AFTER`` outside 5-600 seconds; E061
    ``TYNTEC2FA_AUTO_VOICE_FALLBACK`` not True or False; E062 a local delivery outcome
    or delay the local provider does not know (else: a refused send in development)."""
    found: list[CheckMessage] = []
    if _invalid("FALLBACK_AFTER", _between(FALLBACK_AFTER_RANGE)):
        found.append(
            Error(
                f"TYNTEC2FA_FALLBACK_AFTER is {_raw('FALLBACK_AFTER')!r}; it must be a whole "
                "number of seconds from 5 to 600.",
                hint="It is how long a text message may go without a delivery report "
                "before the code page offers a call first (default 20).",
                id="django_tyntec2fa.E060",
            )
        )
    if _raw("AUTO_VOICE_FALLBACK") is not None and not isinstance(
        _raw("AUTO_VOICE_FALLBACK"), bool
    ):
        found.append(
            Error(
                f"TYNTEC2FA_AUTO_VOICE_FALLBACK is {_raw('AUTO_VOICE_FALLBACK')!r}; it must "
                "be True or False.",
                hint="True makes the app call the phone by itself, once per code, when the "
                "text message was not delivered; False (the default) only offers the call.",
                id="django_tyntec2fa.E061",
            )
        )
    if not _local_delivery_valid():
        found.append(
            Error(
                f"TYNTEC2FA_LOCAL_DELIVERY is {_raw('LOCAL_DELIVERY')!r} and "
                f"TYNTEC2FA_LOCAL_DELIVERY_DELAY {_raw('LOCAL_DELIVERY_DELAY')!r}; the local "
                "provider cannot report such deliveries.",
                hint='Use "delivered", "failed", "unknown" or "silent", or a dict of them by '
                'channel ({"SMS": "failed"}), and a delay of 0 or more seconds.',
                id="django_tyntec2fa.E062",
            )
        )
    return found


def _local_delivery_valid() -> bool:
    from .providers.local import LOCAL_OUTCOMES  # the provider's own list

    readable, value = _readable("LOCAL_DELIVERY")
    outcomes = list(value.values()) if isinstance(value, dict) else [value]
    keys_ok = not isinstance(value, dict) or set(value) <= {"SMS", "VOICE"}
    return (
        readable
        and keys_ok
        and all(outcome in LOCAL_OUTCOMES for outcome in outcomes)
        and not _invalid("LOCAL_DELIVERY_DELAY", lambda delay: 0 <= delay <= 3600)
    )


# --- Who must use a second factor: E029 ------------------------------------------------


@register(Tags.security, TAG)
def check_required(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """E029 ``TYNTEC2FA_REQUIRED`` is neither None, a callable nor the import path of
    one (else: an ImproperlyConfigured at every password login)."""
    value = app_settings.REQUIRED
    if value is None or _names_a_callable(value):
        return []
    return [
        Error(
            f"TYNTEC2FA_REQUIRED {value!r} is not a callable or the import path of one.",
            hint="Use None (only users with a phone), a function user -> bool, or its import "
            "path, e.g. 'django_tyntec2fa.core.policy.staff_required' or "
            "'django_tyntec2fa.core.policy.all_users'.",
            id="django_tyntec2fa.E029",
        )
    ]


# --- The gate (middleware order, the app's URLs) and LOGIN_URL --------------------------


@register(Tags.security, TAG)
def check_middleware(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """E010 the gate missing, E018 AuthenticationMiddleware missing, E011 the gate
    before AuthenticationMiddleware."""
    middleware = _middleware()
    gate = _position(middleware, GATE_MIDDLEWARE)
    if gate is None:
        # An Error, not a Warning: without the gate a user with a phone who signs in is
        # sent back to the login page instead of the challenge, and sessions logged in
        # before the app was installed keep working without a second factor. A project
        # that protects every view with the decorators may silence it.
        return [
            Error(
                "SecondFactorMiddleware is missing from MIDDLEWARE.",
                hint=f"Add '{GATE_MIDDLEWARE}' to MIDDLEWARE after '{AUTH_MIDDLEWARE}'.",
                id="django_tyntec2fa.E010",
            )
        ]
    auth = _position(middleware, AUTH_MIDDLEWARE)
    if auth is None:
        return [
            Error(
                "AuthenticationMiddleware is missing from MIDDLEWARE; SecondFactorMiddleware "
                "needs request.user.",
                hint=f"Add '{AUTH_MIDDLEWARE}' to MIDDLEWARE, after SessionMiddleware and "
                f"before '{GATE_MIDDLEWARE}'.",
                id="django_tyntec2fa.E018",
            )
        ]
    if gate < auth:
        return [
            Error(
                "SecondFactorMiddleware comes before AuthenticationMiddleware in MIDDLEWARE.",
                hint=f"Move '{GATE_MIDDLEWARE}' below '{AUTH_MIDDLEWARE}'; it needs the "
                "session and request.user.",
                id="django_tyntec2fa.E011",
            )
        ]
    return []


@register(Tags.urls, TAG)
def check_app_urls(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """E032 the gate is installed but the app's URLs (namespace ``tyntec2fa``) are not:
    the first login that owes a code would be a 500 ``NoReverseMatch``."""
    if _position(_middleware(), GATE_MIDDLEWARE) is None:
        return []  # E010 reports the missing gate
    try:
        reverse("tyntec2fa:challenge")
    except NoReverseMatch:
        pass
    except URLCONF_ERRORS:
        return []
    else:
        return []
    return [
        Error(
            "The app's URLs are not included: SecondFactorMiddleware sends a login that "
            "owes a code to the challenge page, which cannot be found, so that login "
            "fails with NoReverseMatch.",
            hint=f"Add {URLS_INCLUDE} to the urlpatterns of ROOT_URLCONF (any prefix works; "
            "keep the namespace 'tyntec2fa' that the app's urls.py sets).",
            id="django_tyntec2fa.E032",
        )
    ]


@register(Tags.urls, TAG)
def check_login_url(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """E031 ``LOGIN_URL`` is a URL name that does not reverse (a path is never checked)."""
    value = getattr(settings, "LOGIN_URL", None)
    if not value:
        return []
    try:
        resolve_url(value)
    except NoReverseMatch:
        pass
    except URLCONF_ERRORS:
        return []
    else:
        return []
    return [
        Error(
            f"LOGIN_URL {value!r} is neither a path nor the name of a URL pattern.",
            hint="Every page that asks for a login and every login that waited too long for "
            "its code redirect to LOGIN_URL. Use a path such as '/accounts/login/' or the "
            "name of a routed URL pattern.",
            id="django_tyntec2fa.E031",
        )
    ]


# --- The session cookie: W012, W019, W020 (S8) ------------------------------------------
# It carries the pending login and the proof of the second factor.


@register(Tags.security, TAG)
def check_session_cookie(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """With DEBUG=False: W012 not Secure, W019 not HttpOnly, W020 no SameSite Lax/Strict
    (NIST SP 800-63B-4 5.1.1)."""
    if settings.DEBUG:
        return []
    found: list[CheckMessage] = []
    if not settings.SESSION_COOKIE_SECURE:
        found.append(
            Warning(
                "SESSION_COOKIE_SECURE is False while DEBUG is False: the session cookie, "
                "which carries the pending login and the proof of the second factor, may "
                "travel over plain HTTP.",
                hint="Set SESSION_COOKIE_SECURE = True; consider SESSION_COOKIE_NAME = "
                "'__Host-sessionid' as well.",
                id="django_tyntec2fa.W012",
            )
        )
    if not settings.SESSION_COOKIE_HTTPONLY:
        found.append(
            Warning(
                "SESSION_COOKIE_HTTPONLY is False while DEBUG is False: scripts on the page "
                "can read the session cookie, which carries the proof of the second factor.",
                hint="Set SESSION_COOKIE_HTTPONLY = True.",
                id="django_tyntec2fa.W019",
            )
        )
    if str(settings.SESSION_COOKIE_SAMESITE).lower() not in {"lax", "strict"}:
        found.append(
            Warning(
                f"SESSION_COOKIE_SAMESITE is {settings.SESSION_COOKIE_SAMESITE!r} while DEBUG "
                "is False: other sites' requests carry the session cookie.",
                hint="Set SESSION_COOKIE_SAMESITE = 'Lax' (or 'Strict').",
                id="django_tyntec2fa.W020",
            )
        )
    return found


# --- Rate limits: W013, E021 (P7), E030 -------------------------------------------------

#: Cache backends whose counters are per process or not kept at all: with several
#: workers each one counts alone, so a limit of 5 becomes 5 per worker (P7).
UNSHARED_CACHES = frozenset(
    {
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
        "django.core.cache.backends.filebased.FileBasedCache",
    }
)
#: The rate-limit settings: every setting with ``_RATE_`` in its name is a rate.
#: The password step's limits are not among them: they may be None (switched off), and
#: each has its own id (E080, E081).
LOGIN_RATE_SETTINGS = {
    "LOGIN_RATE_IP": "django_tyntec2fa.E080",
    "LOGIN_RATE_USER": "django_tyntec2fa.E081",
}
RATE_SETTINGS = tuple(
    sorted(name for name in vars(Settings) if "_RATE_" in name and name not in LOGIN_RATE_SETTINGS)
)


@register(Tags.security, Tags.caches, TAG)
def check_ratelimit_cache(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """The rate limits count in a cache that is not shared between processes: W013 with
    DEBUG (a development server), E021 without (P7)."""
    if not app_settings.RATELIMIT_ENABLE:
        return []
    alias = getattr(settings, "RATELIMIT_USE_CACHE", "default")
    backend = settings.CACHES.get(alias, {}).get("BACKEND", "")
    if backend not in UNSHARED_CACHES:
        return []
    message = (
        f"The rate limits count in the cache {alias!r} ({backend.rsplit('.', 1)[-1]}), "
        "which is not shared between processes: with several workers each one counts alone."
    )
    fix = (
        "Use Redis (django.core.cache.backends.redis.RedisCache) or Memcached for that "
        "cache, or point RATELIMIT_USE_CACHE at one."
    )
    if settings.DEBUG:
        return [
            Warning(
                message,
                hint=f"{fix} A development server that runs a single process may add "
                "'django_tyntec2fa.W013' to SILENCED_SYSTEM_CHECKS.",
                id="django_tyntec2fa.W013",
            )
        ]
    return [Error(message, hint=fix, id="django_tyntec2fa.E021")]


def is_rate(value: str) -> bool:
    """A django-ratelimit rate as a whole: a count, a slash, an optional multiplier and
    one of s, m, h, d (``"5/m"``, ``"5/10m"``, ``"100/d"``) with a period above zero; or
    the import path of a callable ``(group, request) -> rate``, which django-ratelimit
    accepts too."""
    if "." in value:
        return _names_a_callable(value)
    match = rate_re.fullmatch(value)
    return match is not None and int(match.group(2) or 1) > 0


@register(Tags.security, TAG)
def check_rates(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """E030, once per rate setting that is not a rate (else: a 500 at the first send or
    check of a code). The value checked is the one django-ratelimit is given."""
    return [
        Error(
            f"TYNTEC2FA_{name} is {_raw(name)!r}, which is not a rate.",
            hint='Write a rate as a count, a slash and a period: "5/m" (5 per minute), '
            '"5/10m" (5 per 10 minutes), "20/h", "100/d"; the period is s, m, h or d, in '
            "lower case.",
            id="django_tyntec2fa.E030",
        )
        for name in RATE_SETTINGS
        if not is_rate(getattr(app_settings, name))
    ]


@register(Tags.security, TAG)
def check_login_rates(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """E080 ``TYNTEC2FA_LOGIN_RATE_IP``, E081 ``TYNTEC2FA_LOGIN_RATE_USER`` is neither
    a rate nor None (else: a 500 at every password step)."""
    found: list[CheckMessage] = []
    for name, check_id in LOGIN_RATE_SETTINGS.items():
        value = _raw(name)
        if value is None or (isinstance(value, str) and is_rate(value)):
            continue
        found.append(
            Error(
                f"TYNTEC2FA_{name} is {value!r}, which is neither a rate nor None.",
                hint='Write a rate such as "10/10m" or "30/m" (a count, a slash and a period '
                "of s, m, h or d), or None to switch the password step's limit off when "
                "another package (e.g. django-axes) throttles logins.",
                id=check_id,
            )
        )
    return found


# --- SMS pumping and cost defences: W016 (P1), E023-E028 (docs/abuse.md) -------------------


@register(Tags.security, TAG)
def check_destinations(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """W016 no country allow-list in production (P1); E023 a country list that names
    something else than countries; E024 an unknown number type; E025 a number lookup
    that is not a callable."""
    from .abuse.destinations import NUMBER_TYPES, invalid_countries

    found: list[CheckMessage] = []
    for name in ("SMS_COUNTRIES", "VOICE_COUNTRIES"):
        readable, entries = _readable(name)
        bad = invalid_countries(entries) if readable and entries else []
        if not readable or bad:
            what = f"has unknown entries {bad}" if bad else f"is {_raw(name)!r}"
            found.append(
                Error(
                    f"TYNTEC2FA_{name} {what}; it must be a list of countries.",
                    hint="Name countries by ISO 3166 alpha-2 code ('DE') or calling code "
                    "('+49'), e.g. ['DE', 'AT', '+41'].",
                    id="django_tyntec2fa.E023",
                )
            )
    name = "BLOCKED_NUMBER_TYPES"
    readable, types = _readable(name)
    unknown = sorted(types - NUMBER_TYPES) if readable else []
    if not readable or unknown:
        what = f"has unknown types {unknown}" if unknown else f"is {_raw(name)!r}"
        found.append(
            Error(
                f"TYNTEC2FA_BLOCKED_NUMBER_TYPES {what}; it must be a list of number types.",
                hint="Use libphonenumber's type names, e.g. ['PAGER', 'VOIP', "
                "'INTERNATIONAL_NETWORK']; docs/settings.md lists them.",
                id="django_tyntec2fa.E024",
            )
        )
    lookup = app_settings.NUMBER_LOOKUP
    if lookup not in (None, "") and not _names_a_callable(lookup):
        found.append(
            Error(
                f"TYNTEC2FA_NUMBER_LOOKUP {lookup!r} is not a callable or the import path of one.",
                hint="Use a function number -> django_tyntec2fa.abuse.destinations.LookupResult, "
                "its import path, or None for no lookup.",
                id="django_tyntec2fa.E025",
            )
        )
    readable, countries = _readable("SMS_COUNTRIES")
    if not settings.DEBUG and readable and countries is None:
        found.append(
            Warning(
                "TYNTEC2FA_SMS_COUNTRIES is not set: codes may be sent to every country.",
                hint="List the countries your users live in, e.g. ['DE', 'AT', 'CH'] or "
                "['+49'], and a shorter TYNTEC2FA_VOICE_COUNTRIES: SMS pumping and toll "
                "fraud target countries you do not serve.",
                id="django_tyntec2fa.W016",
            )
        )
    return found


@register(Tags.security, TAG)
def check_cost_limits(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """E026 a send budget that is not a positive whole number or None, E027 a negative
    conversion count or duration, E028 a conversion rate outside 0-1, E040 a country
    floor that is not a whole number, 0 or more (P3, P4)."""
    found: list[CheckMessage] = []
    for name in ("SEND_BUDGET_HOURLY", "SEND_BUDGET_DAILY"):
        if _invalid(name, lambda value: value is None or value >= 1):
            found.append(
                Error(
                    f"TYNTEC2FA_{name} is {_raw(name)!r}; it must be a positive whole number "
                    "or None.",
                    hint="The budget is the number of codes the whole site may send in that "
                    "period; None means no budget.",
                    id="django_tyntec2fa.E026",
                )
            )
    for name in ("CONVERSION_MIN_SENDS", "CONVERSION_BLOCK_SECONDS", "CONVERSION_WINDOW"):
        if _invalid(name, lambda value: value >= 0):
            found.append(
                Error(
                    f"TYNTEC2FA_{name} is {_raw(name)!r}; it must be a whole number, 0 or more.",
                    hint="See docs/abuse.md for what the conversion settings count; "
                    "TYNTEC2FA_CONVERSION_MIN_SENDS = 0 switches the conversion blocks off.",
                    id="django_tyntec2fa.E027",
                )
            )
    if _invalid("CONVERSION_MIN_RATE", _between((0, 1))):
        found.append(
            Error(
                f"TYNTEC2FA_CONVERSION_MIN_RATE is {_raw('CONVERSION_MIN_RATE')!r}; it must "
                "be a number from 0 to 1.",
                hint="It is verified codes divided by sent codes, e.g. 0.2 blocks a country "
                "or prefix where fewer than one code in five is entered.",
                id="django_tyntec2fa.E028",
            )
        )
    if _invalid("CONVERSION_COUNTRY_MIN_SENDS", lambda value: value >= 0):
        found.append(
            Error(
                "TYNTEC2FA_CONVERSION_COUNTRY_MIN_SENDS is "
                f"{_raw('CONVERSION_COUNTRY_MIN_SENDS')!r}; it must be a whole number, 0 or more.",
                hint="It is the least number of codes to a country before its conversion can "
                "block the whole country (docs/abuse.md); 0 means prefix blocks only.",
                id="django_tyntec2fa.E040",
            )
        )
    return found


# --- Side doors around the second factor: token views, API authentication (S6) -------------


@register(Tags.security, Tags.urls, TAG)
def check_token_views(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """W014 a view that mints API tokens from a password alone is routed."""
    from .api.checks import routed_token_views

    return routed_token_views()


@register(Tags.security, TAG)
def check_api_authentication(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """E015 a DRF default authentication class skips the second factor; W022 one is not
    known to enforce it."""
    from .api.checks import authentication_classes

    return authentication_classes()


@register(Tags.database, TAG)
def check_authtoken_migrated(
    app_configs: Sequence[Any] | None = None,
    databases: Sequence[str] | None = None,
    **kwargs: Any,
) -> list[CheckMessage]:
    """W036 DRF's authtoken issues the API's tokens but is not migrated (a database
    check: ``manage.py check --database default``, ``migrate``)."""
    from .api.checks import authtoken_unmigrated

    return authtoken_unmigrated(databases)


@register(Tags.security, TAG)
def check_token_issuer(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """E017 ``TYNTEC2FA_API_TOKEN_ISSUER`` names nothing callable (else: a 500 at the
    first login that asks for a token)."""
    path = app_settings.API_TOKEN_ISSUER
    if not path or _names_a_callable(path):  # None: DRF's authtoken; "": sessions only
        return []
    return [
        Error(
            f"TYNTEC2FA_API_TOKEN_ISSUER {path!r} is not the import path of a callable.",
            hint="Name a callable (request, user) -> dict, e.g. "
            "'django_tyntec2fa.api.tokens.authtoken_issuer', or set it to '' for sessions only.",
            id="django_tyntec2fa.E017",
        )
    ]
