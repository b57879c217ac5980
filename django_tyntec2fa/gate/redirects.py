"""Where a user may be sent after the second factor (S5).

Every ``next`` goes through :func:`safe_next` when it is stored and again when it is
used: Django's ``url_has_allowed_host_and_scheme`` with the request's own host plus
``TYNTEC2FA_ALLOWED_REDIRECT_HOSTS``, and HTTPS only when the request is HTTPS.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from ..conf import app_settings

#: The query parameter the app's own pages read.
NEXT_FIELD = "next"


def safe_next(request: HttpRequest, url: object) -> str:
    """``url`` when it is a safe redirect target for this request, else ``""``."""
    if not isinstance(url, str) or not url:
        return ""
    allowed = {request.get_host(), *app_settings.ALLOWED_REDIRECT_HOSTS}
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts=allowed, require_https=request.is_secure()
    ):
        return url
    return ""


def next_or_default(request: HttpRequest, url: object) -> str:
    """``url`` when safe, else ``settings.LOGIN_REDIRECT_URL``."""
    return safe_next(request, url) or resolve_url(settings.LOGIN_REDIRECT_URL)


def current_path(request: HttpRequest) -> str:
    """This request's path and query as a ``next`` value, or ``""`` if it is not safe.

    A path such as ``//evil.example/`` is a valid request path but an open redirect
    once it is used as ``next``, so even our own path is checked.
    """
    return safe_next(request, request.get_full_path())


def redirect_with_next(url: str, next_url: str, field: str = NEXT_FIELD) -> HttpResponseRedirect:
    """A redirect to ``url`` carrying ``next_url`` (already checked) as ``field``."""
    if not next_url:
        return HttpResponseRedirect(url)
    return redirect_to_login(next_url, url, field)


def login_redirect(
    request: HttpRequest, login_url: str | None = None, field: str = NEXT_FIELD
) -> HttpResponseRedirect:
    """To the login page with this request as ``next``, as ``login_required`` does.

    A login page on another host or scheme gets the absolute URL of this request.
    """
    resolved = resolve_url(login_url or settings.LOGIN_URL)
    login_scheme, login_netloc = urlsplit(resolved)[:2]
    here = request.build_absolute_uri()
    scheme, netloc = urlsplit(here)[:2]
    if (not login_scheme or login_scheme == scheme) and (
        not login_netloc or login_netloc == netloc
    ):
        here = current_path(request)
    return redirect_with_next(resolved, here, field)
