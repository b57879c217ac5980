"""Test helpers shipped with the app, so projects can test their 2FA flows offline.

Django is imported inside the helpers only: the fake tyntec server in
``testing.fake_tyntec`` runs without Django and imports this package first.
"""

from __future__ import annotations

from typing import Any

__all__ = ["force_second_factor"]


def force_second_factor(client: Any, user: Any, backend: str | None = None) -> None:
    """Log ``user`` in on a Django test ``client`` as if the second factor was passed.

    Like ``client.force_login`` (no password, no code), and the session also holds the
    proof of verification, so the middleware and ``second_factor_required`` let the
    user through and ``recent_second_factor`` counts the factor as just passed.
    ``client.force_login`` alone gives a *pending* login for a user with a phone.
    Works with ``Client`` and (from synchronous code) ``AsyncClient``.
    """
    from django.conf import settings
    from django.contrib.auth import load_backend, login
    from django.http import HttpRequest

    from ..core import session as tfa_session

    if backend is None:
        backends = settings.AUTHENTICATION_BACKENDS
        backend = next((p for p in backends if hasattr(load_backend(p), "get_user")), None)
    user.backend = backend
    request = HttpRequest()
    request.session = client.session
    tfa_session.clear_pending(request)
    # Marked as the end of a second factor, so the user_logged_in receiver does not
    # turn this login into a pending one.
    setattr(request, tfa_session.COMPLETING_ATTR, True)
    try:
        login(request, user, backend)
    finally:
        delattr(request, tfa_session.COMPLETING_ATTR)
    tfa_session.mark_verified(request)
    request.session.save()
    cookie = settings.SESSION_COOKIE_NAME
    client.cookies[cookie] = request.session.session_key
    client.cookies[cookie].update(
        {
            "max-age": None,
            "path": "/",
            "domain": settings.SESSION_COOKIE_DOMAIN,
            "secure": settings.SESSION_COOKIE_SECURE or None,
            "expires": None,
        }
    )
