"""The gate: while a login waits for its second factor, nothing but the app's own
challenge, enrollment, login and logout views can be reached.

The pending login itself already hides the user from every view (``session.py`` moves
Django's auth keys out of the session, S1). The middleware adds the navigation: an
HTML request goes to the challenge page with a safe ``next`` (S5), any other request
gets ``401 {"code": "second_factor_required"}``; a timed-out login goes back to
``LOGIN_URL`` (S2). It also catches sessions that are logged in without a proof of the
second factor (logged in before the app was installed, ``client.force_login``) and
turns them into a pending login when the policy requires a second factor.

Cost: a verified or anonymous request runs no query of its own; the session is the
one the view loads anyway. The policy is asked once per login and its "not required"
answer cached in the session (``session.remember_not_required``).

Under ASGI the gate stays on the event loop: a request without a session cookie
costs nothing, the session is loaded through Django's async session API (on the loop
for the signed-cookie engine; Django's own thread hop for the database, the load the
view's ``request.auser()`` would do anyway), and a verified or pending login is decided
from the loaded session. Only a login without proof, which asks the policy (the
database), goes to a thread (``sync_to_async``).

Order: after ``SessionMiddleware`` and ``AuthenticationMiddleware`` (checks E011, E018).
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers

# No import of ``flows`` here: the models refuse to load without the app in
# INSTALLED_APPS (``conf.require_installed``), and ``__init__`` says so first.
from ..conf import GATE_NAME, require_installed
from ..core import session
from ..exceptions import LoginTimeout, SecondFactorRequired, refusal_response
from . import redirects
from .access import PendingAccess, access_of

APP_NAMESPACE = "tyntec2fa"
API_NAMESPACE = "tyntec2fa-api"
#: Django's login and logout views (site and admin) by URL name: logging out must
#: always work (S11), and logging in again as someone else replaces the pending login
#: (S4). Any ``LoginView`` or ``LogoutView`` subclass counts too, whatever its URL name;
#: the app's own views say what they allow themselves (``access.py``).
LOGIN_VIEW_NAMES = frozenset({"login", "admin:login"})
LOGOUT_VIEW_NAMES = frozenset({"logout", "admin:logout"})

GetResponse = Callable[[HttpRequest], Any]


def _setting_path(name: str) -> str | None:
    """``settings.LOGIN_URL`` / ``LOGOUT_URL`` (when a project defines it) as a path."""
    value = getattr(settings, name, None)
    if not value:
        return None
    try:
        return resolve_url(value)
    except NoReverseMatch:
        return None  # a name that does not resolve is not a page to let through


def allowed_kind(request: HttpRequest) -> PendingAccess | None:
    """The allow-list: what a pending login may reach. The view's own
    ``pending_access`` (the app's challenge and enrollment steps, its API's), else
    ``LOGIN`` / ``LOGOUT`` for Django's login and logout views (and ``LOGIN_URL`` /
    ``LOGOUT_URL``), None for everything else."""
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        match = None
    if match is not None:
        access = access_of(match.func)
        if access is not None:
            return access
        if match.view_name in LOGIN_VIEW_NAMES or _is_view(match.func, auth_views.LoginView):
            return PendingAccess.LOGIN
        if match.view_name in LOGOUT_VIEW_NAMES or _is_view(match.func, auth_views.LogoutView):
            return PendingAccess.LOGOUT
    if request.path == _setting_path("LOGIN_URL"):
        return PendingAccess.LOGIN
    if request.path == _setting_path("LOGOUT_URL"):
        return PendingAccess.LOGOUT
    return None


def _is_view(view: Any, base: type) -> bool:
    """A class-based view derived from ``base`` (Django's, this app's, a project's
    subclass), whatever URL name it is routed under."""
    view_class = getattr(view, "view_class", None)
    return isinstance(view_class, type) and issubclass(view_class, base)


def wants_html(request: HttpRequest) -> bool:
    """A browser navigation: ``Accept`` names HTML, or a GET/HEAD that does not ask
    for JSON. Everything else is an API call and gets a status code, not a page; so is
    every request to the app's JSON API or to any DRF view (a project's own API),
    whatever its ``Accept`` (requests, curl and fetch send ``*/*``)."""
    if _is_api(request):
        return False
    accept = request.headers.get("Accept", "")
    if "text/html" in accept:
        return True
    return request.method in ("GET", "HEAD") and "json" not in accept


def _is_api(request: HttpRequest) -> bool:
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return API_NAMESPACE in match.app_names or is_drf_view(match.func)


def is_drf_view(view: Any) -> bool:
    """A view of Django REST framework (``APIView.as_view()``, ``@api_view``, a
    viewset's ``as_view``): it answers JSON, never a page. DRF is not imported here:
    without ``rest_framework.views`` loaded, no view can be one."""
    drf_views = sys.modules.get("rest_framework.views")
    if drf_views is None:
        return False
    view_class = getattr(view, "cls", None) or getattr(view, "view_class", None)
    return isinstance(view_class, type) and issubclass(view_class, drf_views.APIView)


def _json(error: LoginTimeout | SecondFactorRequired) -> HttpResponse:
    # The same function builds the API's refusals (``api.errors.error_response``).
    return refusal_response(error.code, error.message, 401, response_class=JsonResponse)


def _finish(response: HttpResponse) -> HttpResponse:
    # The answer depends on the session and on Accept; no cache may reuse it.
    add_never_cache_headers(response)
    patch_vary_headers(response, ("Accept", "Cookie"))
    return response


def timed_out_response(request: HttpRequest, kind: PendingAccess | None = None) -> HttpResponse:
    """The pending login expired (S2): start again at ``LOGIN_URL``, without a message.

    The page asked for becomes ``next``, except the app's own pages: after a new login
    the challenge of the old one means nothing.
    """
    if wants_html(request):
        if kind == PendingAccess.STEP:
            return _finish(HttpResponseRedirect(resolve_url(settings.LOGIN_URL)))
        return _finish(redirects.login_redirect(request))
    return _finish(_json(LoginTimeout()))


def challenge_response(request: HttpRequest, pending: session.PendingLogin) -> HttpResponse:
    """Send a pending login to its challenge (or enrollment) page, or answer 401."""
    if not wants_html(request):
        return _finish(_json(SecondFactorRequired()))
    name = "enroll" if pending.enrolling else "challenge"
    next_url = redirects.current_path(request)
    if next_url and not pending.next_url:
        # The first page the login was headed for is where the code leads (S5: a path
        # of this request, checked by safe_next).
        session.set_next(request, next_url)
    return _finish(redirects.redirect_with_next(reverse(f"{APP_NAMESPACE}:{name}"), next_url))


class _Verdict(enum.Enum):
    #: A login without proof of the second factor: ask the policy (the database).
    ASK_POLICY = "ask-policy"


def gate(request: HttpRequest) -> HttpResponse | None:
    """The middleware's decision for ``request``: a response, or None to go on."""
    store = getattr(request, "session", None)
    if store is None or store.session_key is None:
        return None  # no session cookie: anonymous, and nothing to load
    decision = _decide(request)
    if decision is _Verdict.ASK_POLICY:
        return _unproven_login(request)
    return decision


async def agate(request: HttpRequest) -> HttpResponse | None:
    """``gate`` on the event loop: the session is loaded through Django's async API,
    and only a login without proof goes to a thread (the policy reads the database)."""
    store = getattr(request, "session", None)
    if store is None or store.session_key is None:
        return None
    await session.aload(request)
    decision = _decide(request)
    if decision is _Verdict.ASK_POLICY:
        return await sync_to_async(_unproven_login)(request)
    return decision


def _decide(request: HttpRequest) -> HttpResponse | _Verdict | None:
    """What the loaded session alone says (no query): a response, None to go on, or
    ``ASK_POLICY``."""
    if session.has_pending_state(request):
        kind = allowed_kind(request)
        pending = session.get_pending(request)
        if pending is None:  # timed out; get_pending wiped it
            return (
                None
                if kind in (PendingAccess.LOGIN, PendingAccess.LOGOUT)
                else timed_out_response(request, kind)
            )
        return None if kind else challenge_response(request, pending)
    if not session.has_login(request):
        return None
    if session.is_verified(request) or session.is_not_required(request):
        return None
    return _Verdict.ASK_POLICY


def _unproven_login(request: HttpRequest) -> HttpResponse | None:
    """A logged-in session without proof of the second factor: ask the policy once."""
    user = getattr(request, "user", None)
    if user is None:
        user = auth.get_user(request)
    if not user.is_authenticated:
        return None  # Django drops a session whose auth hash no longer matches
    from .. import flows

    try:
        pending = flows.owe_second_factor(request, user)
    except LoginTimeout:
        return timed_out_response(request)  # the pending login did not stick: stay closed
    if pending is None:
        return None  # owes none; remembered in the session
    return None if allowed_kind(request) else challenge_response(request, pending)


class SecondFactorMiddleware:
    """Keeps pending logins on the challenge page. Sync and async capable."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse) -> None:
        # The app's system checks do not run without the app: say what to add.
        require_installed(f"{GATE_NAME} is in MIDDLEWARE")
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)
            # Django runs a sync process_view in a thread, on every request; the
            # async one stays on the event loop.
            self.process_view = self.aprocess_view  # type: ignore[method-assign]

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        if self.async_mode:
            return self.__acall__(request)
        response = gate(request)
        if response is not None:
            return response
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> None:
        """A POST to a logout view ends the pending login and its code (S11), whatever
        the view does with an anonymous user (the admin's only redirects). Here, not
        in ``__call__``, so that CsrfViewMiddleware has accepted the POST first."""
        if _is_post_with_session(request) and _aborts(request):
            _abort_login(request)

    async def aprocess_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> None:
        """``process_view`` under ASGI: only the abort itself goes to a thread."""
        if _is_post_with_session(request):
            await session.aload(request)
            if _aborts(request):
                await sync_to_async(_abort_login)(request)

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        response = await agate(request)
        if response is not None:
            return response
        return await self.get_response(request)


def _is_post_with_session(request: HttpRequest) -> bool:
    return request.method == "POST" and getattr(request, "session", None) is not None


def _aborts(request: HttpRequest) -> bool:
    """A POST to a logout view ends this session's pending login (loaded session)."""
    return session.has_pending_state(request) and allowed_kind(request) == PendingAccess.LOGOUT


def _abort_login(request: HttpRequest) -> None:
    from .. import flows

    flows.abort_login(request)
