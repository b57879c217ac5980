"""What every view of the app shares: the decorator stack, the error → HTTP status
table, and the small lookups the pages need. No rule of the second factor lives here;
``flows`` owns those."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from ..conf import app_settings
from ..exceptions import (
    AccountLocked,
    ChallengeError,
    ChallengeExpired,
    InvalidCode,
    OtpNotActive,
    OtpNotFound,
    ProviderError,
    ProviderRejected,
    RateLimited,
    ResendNotAllowed,
    SendBudgetExhausted,
    SendRefused,
    TooManyAttempts,
    Tyntec2FAError,
)
from ..models import Challenge

View = Callable[..., HttpResponse]

#: Wrong, expired, used up or already used: one status and one template for all (L7).
CODE_ERRORS: tuple[type[Tyntec2FAError], ...] = (
    InvalidCode,
    ChallengeExpired,
    TooManyAttempts,
    OtpNotFound,
    OtpNotActive,
)


def page(methods: Iterable[str], *, sensitive: Iterable[str] = ()) -> Callable[[View], View]:
    """The decorators of every view: allowed methods (a send is never a GET, P5), CSRF
    even when a project dropped the middleware, sensitive POST fields hidden from error
    reports (S7, G4), and no caching of any answer, errors and redirects included (S7)."""
    allowed = list(methods)
    hidden = tuple(sensitive)

    def decorate(view: View) -> View:
        wrapped = require_http_methods(allowed)(view)
        if hidden:
            wrapped = sensitive_post_parameters(*hidden)(wrapped)
        return never_cache(csrf_protect(wrapped))

    return decorate


def status_for(error: Tyntec2FAError) -> int:
    """The HTTP status of a refused request; never 500, the state is kept (fail closed)."""
    if isinstance(error, CODE_ERRORS):
        return 400
    if isinstance(error, (RateLimited, ResendNotAllowed)):
        return 429
    if isinstance(error, AccountLocked):
        return 403
    if isinstance(error, SendBudgetExhausted):
        return 503  # the site's circuit breaker: temporary, with Retry-After
    if isinstance(error, SendRefused):
        return 403  # a destination that gets no code (blocks carry Retry-After)
    if isinstance(error, ProviderRejected):
        return 400  # e.g. a number the provider refuses: the user can correct it
    if isinstance(error, ProviderError):
        return 503
    return 400  # DeviceError, validation, any other refusal


def error_response(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    error: Tyntec2FAError,
    *,
    form: Form | None = None,
    field: str | None = None,
    status: int | None = None,
) -> TemplateResponse:
    """Render ``template`` with the error's translated message and the right status.

    Code errors go onto the code field (so it gets ``aria-invalid`` and
    ``aria-describedby``); the rest become the page's alert, with the wait when known.
    """
    retry_after = getattr(error, "retry_after", None)
    if form is not None and field and isinstance(error, CODE_ERRORS):
        form.add_error(field, error.message)
    else:
        context["error"] = error.message
        context["retry_after"] = retry_after
    response = TemplateResponse(
        request, template, context, status=status if status is not None else status_for(error)
    )
    if retry_after and isinstance(error, ChallengeError):
        response["Retry-After"] = str(int(retry_after))
    return response


def login_url() -> str:
    """Where a login starts over: ``settings.LOGIN_URL``."""
    return resolve_url(settings.LOGIN_URL)


def cooldown_seconds(challenge: Challenge | None) -> int:
    """Seconds until "Send a new code" is allowed for this challenge (0 when it is)."""
    if challenge is None or challenge.last_sent_at is None:
        return 0
    elapsed = (timezone.now() - challenge.last_sent_at).total_seconds()
    return max(0, math.ceil(app_settings.RESEND_COOLDOWN - elapsed))


def show_risk_notice() -> bool:
    """The SMS/voice risk notice at enrollment (E5); only a setting removes it."""
    return app_settings.SHOW_RISK_NOTICE
