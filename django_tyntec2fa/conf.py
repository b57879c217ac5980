"""Typed access to the ``TYNTEC2FA_*`` settings.

Every property reads ``django.conf.settings`` on each access, so ``override_settings``
works and nothing is captured at import time. Defaults live here and nowhere else;
nothing is ever written back into ``settings``.
"""

from __future__ import annotations

import os
from typing import Any

from django.apps import apps
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

LOCAL_PROVIDER = "django_tyntec2fa.providers.local.LocalProvider"
TYNTEC_PROVIDER = "django_tyntec2fa.providers.tyntec.TyntecProvider"

#: Number types that can never legitimately receive a code, whatever the setting says.
ALWAYS_BLOCKED_NUMBER_TYPES = frozenset({"PREMIUM_RATE", "SHARED_COST", "TOLL_FREE"})
#: Blocked unless ``TYNTEC2FA_BLOCKED_NUMBER_TYPES`` says otherwise; VOIP is allowed.
DEFAULT_BLOCKED_NUMBER_TYPES = (
    "PREMIUM_RATE",
    "SHARED_COST",
    "TOLL_FREE",
    "PAGER",
    "INTERNATIONAL_NETWORK",
)

#: (connect, read) seconds, sized for a user waiting at the login (docs/faults.md):
#: connect allows one lost SYN (resent after 1 s, RFC 6298); tyntec answers a send once
#: it has queued the message (delivery is reported later, by events), so a healthy
#: answer takes well under a second and 4 s means tyntec is unwell.
DEFAULT_TIMEOUT: tuple[float, float] = (2.05, 4.0)


APP_NAME = "django_tyntec2fa"
GATE_NAME = "SecondFactorMiddleware"


def require_installed(what: str = "") -> None:
    """Raise the ``ImproperlyConfigured`` that names the fix when the app is missing
    from ``INSTALLED_APPS`` (its system checks do not run then): from the middleware,
    and from the models, which a ``urls.py`` importing the app's views pulls in before
    any handler is built (``manage.py check``, ``runserver``). Nothing before the app
    registry is ready (while Django loads the installed apps, the app is there)."""
    if not apps.apps_ready or apps.is_installed(APP_NAME):
        return
    if not what:
        middleware = getattr(django_settings, "MIDDLEWARE", None) or []
        gate = any(str(entry).rsplit(".", 1)[-1] == GATE_NAME for entry in middleware)
        what = f"{GATE_NAME} is in MIDDLEWARE" if gate else f"{APP_NAME}'s models are imported"
    raise ImproperlyConfigured(
        f"{what} but {APP_NAME} is not installed: add '{APP_NAME}' to INSTALLED_APPS."
    )


def _get(name: str, default: Any) -> Any:
    return getattr(django_settings, f"TYNTEC2FA_{name}", default)


def _rate_or_none(name: str, default: str) -> str | None:
    value = _get(name, default)
    return None if value is None else str(value)


class Settings:
    """One property per setting; see ``docs/settings.md`` for the reference."""

    @property
    def PROVIDER(self) -> str:
        """Import path of the provider class."""
        return str(_get("PROVIDER", LOCAL_PROVIDER))

    @property
    def API_KEY(self) -> str | None:
        """tyntec API key; falls back to the ``TYNTEC2FA_API_KEY`` environment variable."""
        value = _get("API_KEY", None)
        if value is None:
            value = os.environ.get("TYNTEC2FA_API_KEY") or None
        return value

    @property
    def API_URL(self) -> str:
        """Base URL of the tyntec API, without the ``/2fa/v1`` path."""
        return str(_get("API_URL", "https://api.tyntec.com")).rstrip("/")

    @property
    def TIMEOUT(self) -> tuple[float, float]:
        """(connect, read) timeout in seconds; a single number is used for both."""
        return normalize_timeout(_get("TIMEOUT", DEFAULT_TIMEOUT))

    @property
    def SEND_RETRIES(self) -> int:
        """Retries of send/resend when the connection failed before the request went out."""
        return int(_get("SEND_RETRIES", 2))

    @property
    def BREAKER_FAILURES(self) -> int:
        """Failed tyntec calls in a row (timeouts, connection failures, 429, 5xx) that
        open the circuit breaker; 0 switches it off."""
        return int(_get("BREAKER_FAILURES", 5))

    @property
    def BREAKER_WINDOW(self) -> int:
        """Seconds a failure is remembered; a longer gap starts the count again."""
        return int(_get("BREAKER_WINDOW", 60))

    @property
    def BREAKER_COOL_OFF(self) -> int:
        """Seconds the breaker stays open before one call probes whether tyntec is back."""
        return int(_get("BREAKER_COOL_OFF", 30))

    @property
    def PIN_LENGTH(self) -> int:
        """Digits in a generated code, 6 to 10. A shorter code is a system-check Error:
        NIST SP 800-63B-4 asks for at least 6 digits."""
        return int(_get("PIN_LENGTH", 6))

    @property
    def OTP_TTL(self) -> int:
        """Lifetime of a code in seconds (30-600), counted on this server's clock whatever
        the provider says."""
        return int(_get("OTP_TTL", 300))

    @property
    def MAX_ATTEMPTS(self) -> int:
        """Wrong codes allowed per code (1-10); after the last one even the right code is
        refused and the user asks for a new code."""
        return int(_get("MAX_ATTEMPTS", 3))

    @property
    def APPLICATION_ID(self) -> str | None:
        """tyntec 2FA application to send with; tyntec's default application when unset."""
        return _get("APPLICATION_ID", None)

    @property
    def SENDER(self) -> str | None:
        """SMS sender override for every send."""
        return _get("SENDER", None)

    @property
    def CALLER(self) -> str | None:
        """Voice caller id override for every send."""
        return _get("CALLER", None)

    @property
    def LOCAL_SINK(self) -> str:
        """Import path of the local provider's delivery sink."""
        return str(_get("LOCAL_SINK", "django_tyntec2fa.providers.sinks.ConsoleSink"))

    @property
    def ALLOW_LOCAL_PROVIDER(self) -> bool:
        """Explicit opt-in to run the local provider with ``DEBUG=False``; without it the
        local provider refuses to start there (it prints codes)."""
        return bool(_get("ALLOW_LOCAL_PROVIDER", False))

    @property
    def LOCAL_DELIVERY(self) -> Any:
        """What the local provider reports about each delivery: ``"delivered"``,
        ``"failed"``, ``"unknown"`` (an event without a status) or ``"silent"`` (no
        event), or a dict by channel (``{"SMS": "failed", "VOICE": "delivered"}``)."""
        return _get("LOCAL_DELIVERY", "delivered")

    @property
    def LOCAL_DELIVERY_DELAY(self) -> float:
        """Seconds after a send before the local provider's delivery event appears."""
        return float(_get("LOCAL_DELIVERY_DELAY", 0))

    @property
    def SERVICE_NAME(self) -> str:
        """The name the local provider's messages start with, so the user knows who sent
        the code."""
        return str(_get("SERVICE_NAME", "") or "")

    # --- The login flow -------------------------------------------------------------

    @property
    def REQUIRED(self) -> Any:
        """Who must use a second factor even without a phone yet (they are sent to
        enrollment): a callable ``user -> bool`` or its import path; ``None`` means only
        users with a confirmed phone."""
        return _get("REQUIRED", None)

    @property
    def LOGIN_TIMEOUT(self) -> int:
        """Seconds between the password step and the code before the login starts over."""
        return int(_get("LOGIN_TIMEOUT", 600))

    @property
    def RESEND_COOLDOWN(self) -> int:
        """Seconds before a code can be sent again for the same challenge, and before
        another enrollment code can go to the same number (issue 23.2)."""
        return int(_get("RESEND_COOLDOWN", 30))

    @property
    def MAX_RESENDS(self) -> int:
        """Resends per challenge; after that the user starts a new login."""
        return int(_get("MAX_RESENDS", 3))

    @property
    def FALLBACK_AFTER(self) -> int:
        """Seconds after a text message with no delivery reported before the code page
        offers "Call me instead" first (at once when the SMS failed)."""
        return int(_get("FALLBACK_AFTER", 20))

    @property
    def AUTO_VOICE_FALLBACK(self) -> bool:
        """Call the phone by itself, once per code, when the SMS failed or was not
        delivered within ``FALLBACK_AFTER`` seconds; every send limit still applies."""
        return bool(_get("AUTO_VOICE_FALLBACK", False))

    @property
    def STEP_UP_MAX_AGE(self) -> int:
        """Default age in seconds of a second factor that counts as recent: older, and a
        sensitive page or action asks for a fresh code (step-up)."""
        return int(_get("STEP_UP_MAX_AGE", 300))

    @property
    def RECOVERY_CODES(self) -> int:
        """Recovery codes in a set (1-50); 0 switches recovery codes off: no set can be
        generated and no code is accepted, even one generated earlier."""
        return int(_get("RECOVERY_CODES", 10))

    @property
    def TRUST_BROWSER_DAYS(self) -> int:
        """Days a browser the user chose to trust skips the code at their password
        sign-in (0-365); 0, the default, switches "remember this browser" off: the box
        is not offered and no cookie is accepted, even one set earlier (S9)."""
        return int(_get("TRUST_BROWSER_DAYS", 0))

    @property
    def LOCKOUT_THRESHOLD(self) -> int:
        """Consecutive failures after which the factor is locked until an operator unlocks
        it; values above 100 count as 100."""
        return int(_get("LOCKOUT_THRESHOLD", 20))

    @property
    def BACKOFF_AFTER(self) -> int:
        """Consecutive failures after which each further failure imposes a wait."""
        return int(_get("BACKOFF_AFTER", 5))

    @property
    def BACKOFF_BASE(self) -> int:
        """Seconds of the first wait; it doubles with each further failure."""
        return int(_get("BACKOFF_BASE", 30))

    @property
    def BACKOFF_MAX(self) -> int:
        """The longest wait, in seconds."""
        return int(_get("BACKOFF_MAX", 3600))

    @property
    def ALLOWED_REDIRECT_HOSTS(self) -> list[str]:
        """Hosts besides the request's own that ``next`` may point to; any other ``next``
        falls back to ``LOGIN_REDIRECT_URL``."""
        return list(_get("ALLOWED_REDIRECT_HOSTS", []))

    @property
    def TRUSTED_PROXY_COUNT(self) -> int:
        """Reverse proxies in front of Django that append to ``X-Forwarded-For``. 0 (the
        default) uses ``REMOTE_ADDR`` and ignores the header entirely, so a client cannot
        choose the IP its requests are counted under."""
        return int(_get("TRUSTED_PROXY_COUNT", 0))

    @property
    def NOTIFY(self) -> Any:
        """Security notices by email (``flows/notices.py``): ``True`` sends them with
        Django's mail framework, ``False`` sends none, a callable ``(event, user,
        context) -> None`` or its import path sends them instead."""
        return _get("NOTIFY", True)

    @property
    def SHOW_RISK_NOTICE(self) -> bool:
        """Show the notice that SMS and voice are a weaker factor at enrollment."""
        return bool(_get("SHOW_RISK_NOTICE", True))

    # --- Rate limits (django-ratelimit rate strings, read per request) ---------------

    @property
    def SEND_RATE_USER(self) -> str:
        """Codes sent per account."""
        return str(_get("SEND_RATE_USER", "5/10m"))

    @property
    def SEND_RATE_NUMBER(self) -> str:
        """Codes sent per phone number."""
        return str(_get("SEND_RATE_NUMBER", "5/10m"))

    @property
    def SEND_RATE_NUMBER_VOICE(self) -> str:
        """Voice calls per phone number, on top of ``SEND_RATE_NUMBER`` (toll fraud targets
        calls)."""
        return str(_get("SEND_RATE_NUMBER_VOICE", "3/h"))

    @property
    def SEND_RATE_IP(self) -> str:
        """Codes sent per client IP."""
        return str(_get("SEND_RATE_IP", "20/h"))

    @property
    def VERIFY_RATE_USER(self) -> str:
        """Codes checked per account."""
        return str(_get("VERIFY_RATE_USER", "10/m"))

    @property
    def VERIFY_RATE_IP(self) -> str:
        """Codes checked per client IP, across accounts, so one IP cannot try codes against
        many pending logins."""
        return str(_get("VERIFY_RATE_IP", "30/m"))

    @property
    def LOGIN_RATE_IP(self) -> str | None:
        """Password steps per client IP, right or wrong (the app's ``LoginView`` and
        ``POST /api/login/``); None switches this limit off (a site that throttles
        logins with django-axes)."""
        return _rate_or_none("LOGIN_RATE_IP", "30/m")

    @property
    def LOGIN_RATE_USER(self) -> str | None:
        """Password steps per submitted username (case and spaces ignored), right or
        wrong; None switches this limit off."""
        return _rate_or_none("LOGIN_RATE_USER", "10/10m")

    @property
    def RATELIMIT_ENABLE(self) -> bool:
        """Switch the rate limits off (tests of other behaviour only)."""
        return bool(_get("RATELIMIT_ENABLE", True))

    # --- The JSON API (django_tyntec2fa.api) --------------------------------------------

    @property
    def API_TOKEN_ISSUER(self) -> str | None:
        """Import path of a callable ``(request, user) -> dict`` that mints an API token
        after the second factor. Unset (``None``): DRF's authtoken when
        ``rest_framework.authtoken`` is installed; ``""``: no tokens, sessions only."""
        value = _get("API_TOKEN_ISSUER", None)
        return None if value is None else str(value)

    @property
    def SEND_RATE_SESSION(self) -> str:
        """Codes sent per browser session."""
        return str(_get("SEND_RATE_SESSION", "5/10m"))

    @property
    def SEND_RATE_PREFIX(self) -> str:
        """Codes sent per number prefix, the E.164 number without its last 4 digits: an SMS
        pumping run uses consecutive numbers."""
        return str(_get("SEND_RATE_PREFIX", "20/h"))

    # --- SMS pumping and cost defences (docs/abuse.md) ---------------------------------

    @property
    def SMS_COUNTRIES(self) -> list[str] | None:
        """Countries codes may be sent to: ISO 3166 alpha-2 codes ("DE") or calling
        codes ("+49"). ``None`` allows every country; a system check warns about that when
        ``DEBUG`` is off."""
        value = _get("SMS_COUNTRIES", None)
        return None if value is None else _entries(value)

    @property
    def VOICE_COUNTRIES(self) -> list[str] | None:
        """Countries calls may go to, on top of ``SMS_COUNTRIES`` (a call needs both
        lists). ``None``: the SMS list alone decides."""
        value = _get("VOICE_COUNTRIES", None)
        return None if value is None else _entries(value)

    @property
    def BLOCKED_NUMBER_TYPES(self) -> frozenset[str]:
        """phonenumbers number types that never get a code; premium rate, shared
        cost and toll-free are always blocked, whatever the setting says."""
        value = _get("BLOCKED_NUMBER_TYPES", DEFAULT_BLOCKED_NUMBER_TYPES)
        return ALWAYS_BLOCKED_NUMBER_TYPES | frozenset(_entries(value))

    @property
    def NUMBER_LOOKUP(self) -> Any:
        """A callable ``number -> destinations.LookupResult`` or its import path, asked
        before every send (e.g. to refuse recently ported numbers); ``None``: no lookup."""
        return _get("NUMBER_LOOKUP", None)

    @property
    def NUMBER_LOOKUP_FAIL_OPEN(self) -> bool:
        """Send anyway when the lookup fails; the default refuses (fail closed)."""
        return bool(_get("NUMBER_LOOKUP_FAIL_OPEN", False))

    @property
    def SEND_BUDGET_HOURLY(self) -> int | None:
        """Codes the whole site may send per clock hour; ``None``: no budget."""
        value = _get("SEND_BUDGET_HOURLY", None)
        return None if value is None else int(value)

    @property
    def SEND_BUDGET_DAILY(self) -> int | None:
        """Codes the whole site may send per UTC day; ``None``: no budget."""
        value = _get("SEND_BUDGET_DAILY", None)
        return None if value is None else int(value)

    @property
    def CONVERSION_MIN_SENDS(self) -> int:
        """Counted codes sent to a number prefix within the window before its conversion
        can block it; ``0`` switches every conversion block off."""
        return int(_get("CONVERSION_MIN_SENDS", 10))

    @property
    def CONVERSION_COUNTRY_MIN_SENDS(self) -> int:
        """Counted codes sent to a country within the window before its conversion can
        block it; the floor rises with the country's normal traffic."""
        return int(_get("CONVERSION_COUNTRY_MIN_SENDS", 500))

    @property
    def CONVERSION_MIN_RATE(self) -> float:
        """Verified / sent below which a country or prefix is blocked."""
        return float(_get("CONVERSION_MIN_RATE", 0.2))

    @property
    def CONVERSION_BLOCK_SECONDS(self) -> int:
        """Length of a first block in seconds; each repeated block doubles it."""
        return int(_get("CONVERSION_BLOCK_SECONDS", 3600))

    @property
    def CONVERSION_WINDOW(self) -> int:
        """Seconds of sends and verifications the conversion is computed over."""
        return int(_get("CONVERSION_WINDOW", 3600))


def _entries(value: Any) -> list[str]:
    """A list of upper-case strings from a string or an iterable of strings."""
    if isinstance(value, str):
        value = [value]
    return [str(entry).strip().upper() for entry in value]


def normalize_timeout(value: Any) -> tuple[float, float]:
    """Return ``(connect, read)`` from a number or a two-item sequence."""
    if isinstance(value, (int, float)):
        return (float(value), float(value))
    connect, read = value
    return (float(connect), float(read))


app_settings = Settings()
