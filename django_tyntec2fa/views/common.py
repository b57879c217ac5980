"""What every view of the app shares: the decorator stack, the error → HTTP status
table, and the small lookups the pages need. No rule of the second factor lives here;
``flows`` owns those."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from ..conf import app_settings
from ..exceptions import ProviderUnavailable, Tyntec2FAError
from ..gate import redirects
from ..gate.access import PendingAccess, pending_access
from . import feedback

View = Callable[..., HttpResponse]


def page(
    methods: Iterable[str], *, sensitive: Iterable[str] = (), pending: bool = False
) -> Callable[[View], View]:
    """The decorators of every view: allowed methods (a send is never a GET, P5), CSRF
    even when a project dropped the middleware, sensitive POST fields hidden from error
    reports (S7, G4), and no caching of any answer, errors and redirects included (S7).
    ``pending``: a step of the second factor that a pending login may reach (the gate
    lets it through, ``access.py``)."""
    allowed = list(methods)
    hidden = tuple(sensitive)

    def decorate(view: View) -> View:
        wrapped = require_http_methods(allowed)(view)
        if hidden:
            wrapped = sensitive_post_parameters(*hidden)(wrapped)
        wrapped = never_cache(csrf_protect(_refusals_inside(wrapped)))
        return pending_access(PendingAccess.STEP)(wrapped) if pending else wrapped

    return decorate


def _refusals_inside(view: View) -> View:
    """A 404 or 403 the view raises becomes its response here, inside ``never_cache``,
    so it carries ``Cache-Control`` like every other answer (issue 15); the page is the
    project's (``handler404``, ``handler403``)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except (Http404, PermissionDenied) as error:
            return response_for_exception(request, error)

    return wrapper


def error_response(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    error: Tyntec2FAError,
    *,
    status: int | None = None,
) -> TemplateResponse:
    """Render ``template`` with the error's translated message as the page's alert,
    with the wait when known, and the right status. (A refused code is not rendered
    here: its page redirects to itself, ``refuse_code``.)"""
    retry_after = error.retry_after
    context["retry_after"] = retry_after
    context["retry_at"] = feedback.retry_at(retry_after)
    timed = retry_after and isinstance(error, ProviderUnavailable)
    # One sentence about when to try again: the alert adds the time.
    context["error"] = error.timed_message if timed else error.message
    response = TemplateResponse(
        request, template, context, status=status if status is not None else error.http_status
    )
    if retry_after:
        response["Retry-After"] = str(int(retry_after))
    return response


def is_code_refusal(error: Tyntec2FAError) -> bool:
    """A refusal that belongs to the code field: the code's own (L7) or the lock."""
    return isinstance(error, feedback.FIELD_ERRORS)


def refuse_code(
    request: HttpRequest,
    page: str,
    error: Tyntec2FAError,
    *,
    next_url: str = "",
) -> HttpResponse:
    """Post/redirect/get for a refused code: the refusal worded with what to do next
    (``feedback.refusal``, from the error's ``standing``), kept for the next GET of
    ``page`` (``redirect_refused``)."""
    refused = feedback.refusal(error, remember=request.POST.get("remember") == "1")
    return redirect_refused(request, page, refused, next_url)


def redirect_refused(
    request: HttpRequest, page: str, refused: feedback.Refusal, next_url: str = ""
) -> HttpResponse:
    """Keep ``refused`` for the next GET of ``page`` (a URL name of the app,
    ``feedback.keep``) and answer with the redirect to it, carrying ``next_url``
    (already checked). The same redirect for every refusal (L7)."""
    feedback.keep(request, page, refused)
    return redirects.redirect_with_next(reverse(f"tyntec2fa:{page}"), next_url)


def login_url() -> str:
    """Where a login starts over: ``settings.LOGIN_URL``."""
    return resolve_url(settings.LOGIN_URL)


def show_risk_notice() -> bool:
    """The SMS/voice risk notice at enrollment (E5); only a setting removes it."""
    return app_settings.SHOW_RISK_NOTICE
