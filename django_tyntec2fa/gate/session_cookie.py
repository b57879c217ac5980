"""Keep the session on an answer that Django would not keep it on: a 5xx.

Django's ``SessionMiddleware`` neither saves the session nor sets its cookie when the
answer's status is 500 or more. A pending login that answers 503 because no code could
be sent (tyntec or the rate-limit cache is down) must survive all the same: the
password was right, and the user goes on from it (send again once the service is back,
or a recovery code) without typing the password again. ``keep`` does for such an answer
exactly what the middleware does for any other one.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.exceptions import SessionInterrupted
from django.http import HttpRequest, HttpResponseBase
from django.middleware.csrf import CSRF_SESSION_KEY
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date

#: Below this status ``SessionMiddleware`` saves the session itself.
SERVER_ERROR = 500


def keep(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """Save ``request.session`` and set its cookie on ``response``, as
    ``SessionMiddleware.process_response`` does, when the status is 5xx; any other
    answer is left to the middleware (one save, never two). Respects every
    ``SESSION_COOKIE_*`` setting, ``SESSION_EXPIRE_AT_BROWSER_CLOSE`` (the session's
    own expiry), ``SESSION_SAVE_EVERY_REQUEST`` and adds ``Vary: Cookie``."""
    store = getattr(request, "session", None)
    if store is None or response.status_code < SERVER_ERROR:
        return response
    if store.accessed:
        patch_vary_headers(response, ("Cookie",))
    if not (store.modified or settings.SESSION_SAVE_EVERY_REQUEST) or store.is_empty():
        return response  # nothing to keep (an emptied session's cookie: the middleware)
    if settings.CSRF_USE_SESSIONS and request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        # CsrfViewMiddleware stores a rotated token in the session only after this
        # save; the login's new token would be lost with the 5xx.
        store[CSRF_SESSION_KEY] = request.META["CSRF_COOKIE"]
    if store.get_expire_at_browser_close():
        max_age, expires = None, None
    else:
        max_age = store.get_expiry_age()
        expires = http_date(time.time() + max_age)
    try:
        store.save()
    except UpdateError:
        raise SessionInterrupted(
            "The request's session was deleted before the request completed. The user "
            "may have logged out in a concurrent request, for example."
        ) from None
    response.set_cookie(
        settings.SESSION_COOKIE_NAME,
        store.session_key,
        max_age=max_age,
        expires=expires,
        domain=settings.SESSION_COOKIE_DOMAIN,
        path=settings.SESSION_COOKIE_PATH,
        secure=settings.SESSION_COOKIE_SECURE or None,
        httponly=settings.SESSION_COOKIE_HTTPONLY or None,
        samesite=settings.SESSION_COOKIE_SAMESITE,
    )
    patch_vary_headers(response, ("Cookie",))  # a session cookie set: varied on
    return response
