"""Remember this browser (S9): a browser the user chose to trust skips the code at that
user's next password sign-ins, for ``TYNTEC2FA_TRUST_BROWSER_DAYS`` days.

The trust is a ``TrustedBrowser`` row and a cookie holding the row's id and a random
secret, signed with ``SECRET_KEY``. The row keeps a keyed hash of the secret, never the
secret, and the digest of the user's session auth hash, so a password change ends the
trust as it ends the user's sessions. The cookie names no user: a browser trusted by one
user spares no other user their code.

The cookie is read at the password step only (``sign_in``, called by
``flows.password_login`` and ``flows.owe_second_factor``), never by the gate: an
ordinary request of a trusted browser costs no query. A trusted sign-in is no second
factor of this session (``session.mark_trusted``): a step-up still asks for a code, and
a locked account stays locked.

Front ends call ``update_cookie`` on their response after a flow that may set or drop
the cookie (the code step with "remember", the password step, forgetting browsers).
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from .. import signals
from ..conf import app_settings
from ..core import audit, lockout
from ..models import AuditEvent, TrustedBrowser
from ..models.token_proof import digest

logger = logging.getLogger("django_tyntec2fa.flows")

COOKIE_NAME = "tyntec2fa_trusted"
#: Salts: the cookie's signature and the secret's keyed hash use keys of their own.
SIGNING_SALT = "django_tyntec2fa.trust.cookie"
HASH_SALT = "django_tyntec2fa.trust.secret"
#: What the response must do with the cookie: a value to set, or "" to delete it.
COOKIE_ATTR = "_tyntec2fa_trust_cookie"
#: Set by a front end whose client keeps no cookie (an app's token login).
SKIP_ATTR = "_tyntec2fa_trust_skip"

#: Reasons of ``signals.trusted_browsers_revoked`` (and the audit detail).
FORGOTTEN = "forgotten"
DEVICE_ADDED = "device_added"
DEVICE_REMOVED = "device_removed"
PASSWORD_CHANGED = "password_changed"  # noqa: S105 (a reason, not a password)
RECOVERY_GENERATED = "recovery_generated"
SIGNED_OUT_EVERYWHERE = "signed_out_everywhere"
OPERATOR = "operator"
DISABLED = "disabled"

# First match wins: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = (
    ("Edg", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Windows", "Windows"),
    ("CrOS", "ChromeOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def days() -> int:
    """How long a trust lasts; 0: the feature is off."""
    return max(app_settings.TRUST_BROWSER_DAYS, 0)


def enabled() -> bool:
    """True when "remember this browser" is offered and honoured."""
    return days() > 0


def describe(user_agent: str) -> str:
    """A short, language-neutral name of a browser, e.g. "Chrome (Android)"; "" when
    the User-Agent names nothing known. Only a label for the user's list."""
    browser = next((name for key, name in _BROWSERS if key in user_agent), "")
    system = next((name for key, name in _SYSTEMS if key in user_agent), "")
    if browser and system:
        return f"{browser} ({system})"
    return browser or system


def keyed_hash(secret: str) -> str:
    """The stored form of a cookie's secret: HMAC-SHA256 keyed by ``SECRET_KEY``."""
    return salted_hmac(HASH_SALT, secret, algorithm="sha256").hexdigest()


def _signer() -> signing.Signer:
    return signing.Signer(salt=SIGNING_SALT, algorithm="sha256")


def _parse(raw: str) -> tuple[int, str] | None:
    """The id and secret of a cookie value; None when it is not one of ours."""
    try:
        value = _signer().unsign(raw)
    except signing.BadSignature:
        return None
    pk, sep, secret = value.partition(":")
    if not sep or not pk.isdigit() or not secret:
        return None
    return int(pk), secret


def skip(request: HttpRequest) -> None:
    """No trusted browser spares this request's sign-in its code (an app's token login:
    a token only ever follows a code)."""
    setattr(request, SKIP_ATTR, True)


def current_id(request: HttpRequest) -> int | None:
    """The id of the trusted browser whose cookie this request carries (no query)."""
    parsed = _parse(request.COOKIES.get(COOKIE_NAME, ""))
    return parsed[0] if parsed else None


def remember(request: HttpRequest, user: Any) -> TrustedBrowser | None:
    """Trust this browser for ``user`` (their code was right a moment ago): a new row
    and the cookie for the response (``update_cookie``). None when the feature is off.
    Sends ``browser_trusted``."""
    if not enabled():
        return None
    secret = secrets.token_urlsafe(32)
    browser = TrustedBrowser.objects.create(
        user=user,
        secret_digest=keyed_hash(secret),
        auth_digest=digest(user.get_session_auth_hash()),
        description=describe(request.headers.get("User-Agent", ""))[:100],
        expires_at=timezone.now() + timedelta(days=days()),
    )
    setattr(request, COOKIE_ATTR, _signer().sign(f"{browser.pk}:{secret}"))
    audit.record(
        AuditEvent.Kind.BROWSER_TRUSTED, request=request, user=user, detail=browser.description
    )
    signals.browser_trusted.send(sender=type(user), request=request, user=user, browser=browser)
    return browser


def sign_in(request: HttpRequest, user: Any) -> TrustedBrowser | None:
    """The password step of ``user``: the trusted browser that spares it the code, or
    None (the code is asked as usual).

    Holds only for the cookie's own user, an unexpired row whose secret matches and
    whose password binding still holds, and an account that is not locked or waiting
    (a trusted browser never opens a lock). A cookie that no longer holds is dropped
    (``update_cookie``); another user's cookie is left for its owner. Sends
    ``trusted_browser_used``.
    """
    if not enabled() or getattr(request, SKIP_ATTR, False):
        return None
    raw = request.COOKIES.get(COOKIE_NAME)
    if not raw:
        return None
    parsed = _parse(raw)
    if parsed is None:
        _drop_cookie(request)  # garbled or forged: no query spent on it
        return None
    pk, secret = parsed
    browser = TrustedBrowser.objects.filter(pk=pk).first()
    if browser is not None and browser.user_id != user.pk:
        return None  # another user's trusted browser: their cookie stays
    if browser is None or not constant_time_compare(browser.secret_digest, keyed_hash(secret)):
        _drop_cookie(request)
        return None
    if browser.expires_at <= timezone.now():
        browser.delete()
        _drop_cookie(request)
        return None
    if not constant_time_compare(browser.auth_digest, digest(user.get_session_auth_hash())):
        revoke_stale(request, user)  # the password changed: clean up, as S9 asks
        _drop_cookie(request)
        return None
    if lockout.blocked_error(user) is not None:
        return None  # the code step says the account is locked
    browser.last_used_at = timezone.now()
    browser.save(update_fields=["last_used_at"])
    audit.record(
        AuditEvent.Kind.BROWSER_SIGNIN,
        request=request,
        user=user,
        detail=f"trusted browser {browser.pk}",
    )
    signals.trusted_browser_used.send(
        sender=type(user), request=request, user=user, browser=browser
    )
    return browser


def browsers(user: Any) -> list[TrustedBrowser]:
    """The user's trusted browsers that still hold, newest first."""
    return list(
        TrustedBrowser.objects.filter(user_id=user.pk, expires_at__gt=timezone.now()).order_by(
            "-created_at", "-pk"
        )
    )


def forget(request: HttpRequest | None, user: Any, pk: int) -> bool:
    """The user forgets one of their trusted browsers; False when ``pk`` is not one of
    theirs (the front end answers 404)."""
    return revoke(request, user, reason=FORGOTTEN, pk=pk) > 0


def revoke(request: HttpRequest | None, user: Any, *, reason: str, pk: int | None = None) -> int:
    """Delete the user's trusted browsers (one, with ``pk``); returns how many. Audited
    and signalled (``trusted_browsers_revoked``) when there were any. When this
    request's own browser was among them, its cookie goes too (``update_cookie``)."""
    rows = TrustedBrowser.objects.filter(user_id=user.pk)
    if pk is not None:
        rows = rows.filter(pk=pk)
    count, _per_model = rows.delete()
    if count:
        _revoked(request, user, count, reason)
        if request is not None and (pk is None or current_id(request) == pk):
            _drop_cookie(request)
    return count


def revoke_stale(request: HttpRequest | None, user: Any) -> int:
    """Delete the user's trusted browsers bound to an older password; returns how many."""
    current = digest(user.get_session_auth_hash())
    count, _per_model = (
        TrustedBrowser.objects.filter(user_id=user.pk).exclude(auth_digest=current).delete()
    )
    if count:
        _revoked(request, user, count, PASSWORD_CHANGED)
    return count


def _revoked(request: HttpRequest | None, user: Any, count: int, reason: str) -> None:
    audit.record(
        AuditEvent.Kind.BROWSER_REVOKED,
        request=request,
        user=user,
        detail=f"{count} trusted browser(s): {reason}",
    )
    signals.trusted_browsers_revoked.send(
        sender=type(user), request=request, user=user, count=count, reason=reason
    )


def _drop_cookie(request: HttpRequest) -> None:
    if COOKIE_NAME in request.COOKIES:
        setattr(request, COOKIE_ATTR, "")


def update_cookie(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Set or delete the trust cookie on ``response`` as the flows of this request
    decided. HttpOnly always; ``Secure``, ``SameSite``, path and domain as the session
    cookie has them (a cookie as safe as the session's)."""
    value = getattr(request, COOKIE_ATTR, None)
    if value is None:
        return response
    if value:
        response.set_cookie(
            COOKIE_NAME,
            value,
            max_age=days() * 24 * 3600,
            path=settings.SESSION_COOKIE_PATH,
            domain=settings.SESSION_COOKIE_DOMAIN,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite=settings.SESSION_COOKIE_SAMESITE,
        )
    else:
        response.delete_cookie(
            COOKIE_NAME,
            path=settings.SESSION_COOKIE_PATH,
            domain=settings.SESSION_COOKIE_DOMAIN,
            samesite=settings.SESSION_COOKIE_SAMESITE,
        )
    return response


# --- What ends every trust of a user (receivers connected by apps.py) -------------------


def on_device_added(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """A new phone can sign in: browsers trusted before it no longer are (S9)."""
    revoke(request, user, reason=DEVICE_ADDED)


def on_device_removed(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """A phone was removed (maybe lost): no browser stays trusted (S9)."""
    revoke(request, user, reason=DEVICE_REMOVED)


def on_recovery_codes_generated(
    sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any
) -> None:
    """A new set of recovery codes that replaces an old one is a fresh start (the old
    set may be in other hands): trusted browsers end with it. A user's first set
    replaces nothing, and keeps the browser they may have just trusted."""
    if kwargs.get("replaced", 1) == 0:
        return
    revoke(request, user, reason=RECOVERY_GENERATED)


def on_user_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A user was saved, perhaps with a new password: delete their trusted browsers
    bound to the old one (they stopped working already; this cleans up). A save of
    other fields only (``update_fields``, e.g. each login's ``last_login``) and a site
    without the feature cost no query."""
    update_fields = kwargs.get("update_fields")
    if kwargs.get("raw") or kwargs.get("created") or not enabled():
        return
    if update_fields is not None and "password" not in update_fields:
        return
    revoke_stale(None, instance)
