"""Per-view gates: ``second_factor_required`` and ``recent_second_factor`` (S10).

They are a second line behind the middleware and work without it: they read the proof
of verification in the session (no query for a verified session) and fail closed.

- anonymous: the login page (``login_url``, ``redirect_field_name``);
- a pending login: its challenge or enrollment page;
- logged in without proof: a user the policy requires to use a second factor becomes a
  pending login (as the middleware does) and goes to the challenge; a user without a
  phone whom the policy does not require goes to enrollment;
- ``recent_second_factor``: verified longer ago than ``max_age`` seconds (default
  ``TYNTEC2FA_STEP_UP_MAX_AGE``): the step-up page.

With ``raise_exception=True`` every refusal is ``PermissionDenied`` (403) instead of a
redirect, and nothing in the session changes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, overload

from asgiref.sync import iscoroutinefunction, sync_to_async
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from .. import flows
from ..core import session
from . import redirects

View = TypeVar("View", bound=Callable[..., Any])


def check_second_factor(
    request: HttpRequest,
    *,
    recent: bool = False,
    max_age: int | None = None,
    login_url: str | None = None,
    redirect_field_name: str = REDIRECT_FIELD_NAME,
    raise_exception: bool = False,
) -> HttpResponse | None:
    """None when ``request`` may see the view; else the redirect to send, or raise
    ``PermissionDenied`` when ``raise_exception``. Shared by decorators and mixins."""
    # request.user too: Django ends a session whose auth hash is stale on that access.
    if session.is_verified(request) and request.user.is_authenticated:
        if not recent or session.is_recent(request, max_age):
            return None
        return _refuse(request, raise_exception, "step-up")
    pending = session.get_pending(request)
    if pending is None and session.has_login(request) and request.user.is_authenticated:
        # Logged in without proof (no middleware, or a session from before the app).
        if raise_exception:
            raise PermissionDenied
        # The same turn the middleware and the login receiver take.
        pending = flows.owe_second_factor(request, request.user)
        if pending is None:
            return _refuse(request, raise_exception, "enroll")  # this view needs a phone
    if pending is not None:
        page = "enroll" if pending.enrolling else "challenge"
        return _refuse(request, raise_exception, page)
    if raise_exception:
        raise PermissionDenied
    return redirects.login_redirect(request, login_url, redirect_field_name)


async def acheck_second_factor(request: HttpRequest, **options: Any) -> HttpResponse | None:
    """``check_second_factor`` for async views: a verified session passes on the event
    loop (Django's async session API and ``request.auser()``, whose user the view's own
    ``auser()`` then reuses); every other case runs the sync check in a thread."""
    auser = getattr(request, "auser", None)
    if auser is not None and getattr(request, "session", None) is not None:
        await session.aload(request)
        if session.is_verified(request) and (await auser()).is_authenticated:
            recent = options.get("recent", False)
            if not recent or session.is_recent(request, options.get("max_age")):
                return None
    return await sync_to_async(check_second_factor)(request, **options)


def _refuse(request: HttpRequest, raise_exception: bool, page: str) -> HttpResponse:
    if raise_exception:
        raise PermissionDenied
    return redirects.redirect_with_next(
        reverse(f"tyntec2fa:{page}"), redirects.current_path(request)
    )


def _gate(view: View, **options: Any) -> View:
    if iscoroutinefunction(view):

        @wraps(view)
        async def async_wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            response = await acheck_second_factor(request, **options)
            if response is not None:
                return response
            return await view(request, *args, **kwargs)

        return async_wrapper  # type: ignore[return-value]

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        response = check_second_factor(request, **options)
        if response is not None:
            return response
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


@overload
def second_factor_required(function: View) -> View: ...
@overload
def second_factor_required(
    function: None = None,
    *,
    login_url: str | None = None,
    redirect_field_name: str = REDIRECT_FIELD_NAME,
    raise_exception: bool = False,
) -> Callable[[View], View]: ...
def second_factor_required(
    function: View | None = None,
    *,
    login_url: str | None = None,
    redirect_field_name: str = REDIRECT_FIELD_NAME,
    raise_exception: bool = False,
) -> View | Callable[[View], View]:
    """The view needs a logged-in user who passed the second factor in this session.

    Use bare (``@second_factor_required``) or with arguments. Sync and async views.
    """
    options = {
        "login_url": login_url,
        "redirect_field_name": redirect_field_name,
        "raise_exception": raise_exception,
    }

    def decorator(view: View) -> View:
        return _gate(view, **options)

    return decorator(function) if function is not None else decorator


@overload
def recent_second_factor(function: View) -> View: ...
@overload
def recent_second_factor(
    function: int | None = None,
    *,
    max_age: int | None = None,
    login_url: str | None = None,
    redirect_field_name: str = REDIRECT_FIELD_NAME,
    raise_exception: bool = False,
) -> Callable[[View], View]: ...
def recent_second_factor(
    function: View | int | None = None,
    *,
    max_age: int | None = None,
    login_url: str | None = None,
    redirect_field_name: str = REDIRECT_FIELD_NAME,
    raise_exception: bool = False,
) -> View | Callable[[View], View]:
    """Like ``second_factor_required``, and the second factor must be younger than
    ``max_age`` seconds (default ``TYNTEC2FA_STEP_UP_MAX_AGE``), else the step-up page
    (S10). Use bare, ``@recent_second_factor(300)`` or ``(max_age=300)``."""
    if isinstance(function, int):
        function, max_age = None, function
    options = {
        "recent": True,
        "max_age": max_age,
        "login_url": login_url,
        "redirect_field_name": redirect_field_name,
        "raise_exception": raise_exception,
    }

    def decorator(view: View) -> View:
        return _gate(view, **options)

    return decorator(function) if function is not None else decorator
