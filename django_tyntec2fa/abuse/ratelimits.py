"""Rate limits on sending and checking codes, with django-ratelimit (P3, L9, P6, U2).

Groups and the settings that give their rates (django-ratelimit rate strings such as
``"5/10m"``, read on every call so ``override_settings`` works):

========================== ============================ ==================
group                      key                          setting
========================== ============================ ==================
``tyntec2fa.send.user``    the user's pk                ``SEND_RATE_USER``
``tyntec2fa.send.number``  the E.164 number (U2)        ``SEND_RATE_NUMBER``
``tyntec2fa.send.voice``   the E.164 number, voice      ``SEND_RATE_NUMBER_VOICE``
                           calls only (P8)
``tyntec2fa.send.ip``      the client IP (P6)           ``SEND_RATE_IP``
``tyntec2fa.send.session`` the browser session          ``SEND_RATE_SESSION``
``tyntec2fa.send.prefix``  the number without its last  ``SEND_RATE_PREFIX``
                           4 digits (``velocity``)
``tyntec2fa.verify.user``  the user's pk                ``VERIFY_RATE_USER``
``tyntec2fa.verify.ip``    the client IP, any account   ``VERIFY_RATE_IP``
``tyntec2fa.login.ip``     the client IP (P6)           ``LOGIN_RATE_IP``
``tyntec2fa.login.user``   the submitted username,      ``LOGIN_RATE_USER``
                           normalised (U2)
========================== ============================ ==================

Every call counts against every group of its kind, refused calls too. The counters
live in the cache django-ratelimit uses (``RATELIMIT_USE_CACHE``); in production it must
be shared by all workers (Redis, Memcached, the database cache), never LocMem (P7).
``TYNTEC2FA_RATELIMIT_ENABLE = False`` switches all of them off.
"""

from __future__ import annotations

import ipaddress
import math
import time
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import get_usage

from ..choices import Channel
from ..conf import app_settings
from ..exceptions import RateLimited, ResendNotAllowed
from .counters import counter_cache, limits_reachable
from .phone import normalize_number
from .velocity import number_prefix, session_bucket


def client_ip(request: HttpRequest | None) -> str:
    """The client's IP address, or ``""`` when there is none (P6).

    ``REMOTE_ADDR`` by default: ``X-Forwarded-For`` is ignored, since any client can
    send it. With ``TYNTEC2FA_TRUSTED_PROXY_COUNT = N`` the Nth entry from the right
    of ``X-Forwarded-For`` is used, the one the outermost trusted proxy appended; when
    the header has fewer entries or that entry is not an IP address, ``REMOTE_ADDR``
    (a proxy's address) is used, never a value the client chose.
    """
    if request is None:
        return ""
    remote = _valid_ip(request.META.get("REMOTE_ADDR", ""))
    proxies = app_settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    entries = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    entries = [entry for entry in entries if entry]
    if len(entries) < proxies:
        return remote
    return _valid_ip(entries[-proxies]) or remote


def check_send(
    request: HttpRequest | None,
    user: Any,
    number: str,
    channel: str | None = None,
    *,
    trusted: bool = False,
) -> None:
    """Count one code sent to ``number`` for ``user`` from this request's IP and
    session, and to the number's prefix (P3); a voice call (``channel`` ``"VOICE"``)
    also counts against the number's lower voice limit (P8). A ``trusted`` phone
    (``conversion.is_trusted``) skips the prefix limit: pumping a prefix must not stop
    the codes of the people who proved their number there.

    Raises ``RateLimited`` (``retry_after`` = seconds until the tightest window ends)
    when a limit is exceeded; ``DeviceError`` when ``number`` is not a valid number.
    """
    number = normalize_number(number)
    checks = [
        ("tyntec2fa.send.user", app_settings.SEND_RATE_USER, f"user:{user.pk}"),
        ("tyntec2fa.send.number", app_settings.SEND_RATE_NUMBER, number),
        ("tyntec2fa.send.ip", app_settings.SEND_RATE_IP, ip_key(request)),
    ]
    if not trusted:
        prefix = f"prefix:{number_prefix(number)}"
        checks.append(("tyntec2fa.send.prefix", app_settings.SEND_RATE_PREFIX, prefix))
    if channel == Channel.VOICE:
        checks.append(("tyntec2fa.send.voice", app_settings.SEND_RATE_NUMBER_VOICE, number))
    # Only a request with a session has one; a session is not created just to count.
    bucket = session_bucket(request) if app_settings.RATELIMIT_ENABLE else None
    if bucket is not None:
        checks.append(
            ("tyntec2fa.send.session", app_settings.SEND_RATE_SESSION, f"session:{bucket}")
        )
    _enforce(request, checks)


#: Cache key of the enrollment cooldown of one number (``claim_enrollment_send``).
_ENROLL_COOLDOWN_KEY = "tyntec2fa:enroll-cooldown"


@dataclass(frozen=True)
class EnrollmentSend:
    """The claim of one enrollment send to a number (``claim_enrollment_send``)."""

    key: str | None

    def release(self) -> None:
        """Nothing went out (a limit, a block, the provider refused): give the
        cooldown back, so the user may try again at once."""
        if self.key is not None:
            with limits_reachable("send"):
                counter_cache().delete(self.key)


def claim_enrollment_send(number: str) -> EnrollmentSend:
    """Start the number's enrollment cooldown, or raise ``ResendNotAllowed`` (with
    ``retry_after``) while it runs (issue 23.2).

    An enrollment send starts a new challenge, so the resend cooldown of a challenge
    (``RESEND_COOLDOWN``) would never apply to it: re-posting the number sent a text
    each time. The cooldown is the number's, whoever asks and whatever the route (the
    page or the API, one account or several), and ``cache.add`` claims it atomically
    across workers (P7). It is not switched off with the rate limits, like the resend
    cooldown."""
    seconds = app_settings.RESEND_COOLDOWN
    if seconds <= 0:
        return EnrollmentSend(None)
    key = f"{_ENROLL_COOLDOWN_KEY}:{normalize_number(number)}"
    ends = time.time() + seconds
    with limits_reachable("send"):
        cache = counter_cache()
        if cache.add(key, ends, timeout=seconds):
            return EnrollmentSend(key)
        held = cache.get(key)
    wait = math.ceil(float(held) - time.time()) if isinstance(held, int | float) else seconds
    raise ResendNotAllowed(
        "enrollment cooldown of the number",
        message=_("Please wait a moment before you ask for another code."),
        retry_after=min(max(wait, 1), seconds),
    )


def check_verify(request: HttpRequest | None, user: Any) -> None:
    """Count one code check for ``user`` from this request's IP; raises ``RateLimited``."""
    checks = [
        ("tyntec2fa.verify.user", app_settings.VERIFY_RATE_USER, f"user:{user.pk}"),
        ("tyntec2fa.verify.ip", app_settings.VERIFY_RATE_IP, ip_key(request)),
    ]
    _enforce(request, checks)


def check_login(request: HttpRequest | None, username: str) -> None:
    """Count one password step from this request's IP for ``username``, before the
    password is checked, so that a refusal never depends on it; raises ``RateLimited``.

    Every attempt counts, a right password too: the count is taken before anyone knows.
    The username is normalised (``login_key``) so that "Alice " and "alice" share a
    count; it need not exist, so the answer is the same for a name nobody has (U1). A
    limit set to None is off.
    """
    checks = [("tyntec2fa.login.ip", app_settings.LOGIN_RATE_IP, ip_key(request))]
    name = login_key(username)
    if name:
        checks.append(("tyntec2fa.login.user", app_settings.LOGIN_RATE_USER, f"login:{name}"))
    _enforce(request, [(group, rate, value) for group, rate, value in checks if rate])


def login_key(username: str) -> str:
    """``username`` as a bucket key: Unicode-normalised (NFKC, as Django normalises
    usernames), without surrounding spaces, case-folded (U2)."""
    return unicodedata.normalize("NFKC", username).strip().casefold()


def _enforce(request: HttpRequest | None, checks: list[tuple[str, str, str]]) -> None:
    if not app_settings.RATELIMIT_ENABLE:
        return
    # django-ratelimit only reads request.method (with method=ALL it is not even
    # that); flows may run without a request, so give it a stand-in.
    target = request if request is not None else HttpRequest()
    refused: list[tuple[str, int]] = []
    for group, rate, value in checks:
        usage = get_usage(
            target, group=group, key=lambda _group, _request, v=value: v, rate=rate, increment=True
        )
        if usage is not None and usage["should_limit"]:
            refused.append((group, int(usage["time_left"])))
    if refused:
        wait = max(max(seconds for _group, seconds in refused), 1)
        groups = ", ".join(group for group, _seconds in refused)
        raise RateLimited(f"rate limit {groups}", retry_after=wait)


def ip_key(request: HttpRequest | None) -> str:
    """The client IP as a bucket key; IPv6 by /64, since one client usually holds one."""
    ip = client_ip(request)
    if ":" in ip:
        return "ip:" + str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return f"ip:{ip or 'unknown'}"


def _valid_ip(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return ""
