"""One error shape for every refusal of the API: ``{"code": "...", "detail": "..."}``.

``code`` is stable and machine-readable, ``detail`` the translated message for people.
Validation errors add ``field`` (the first field at fault) and ``errors`` (every field
with its messages). The flows' errors keep the statuses of the HTML views
(each error's ``http_status``), except where an API needs another one: a timed-out or
missing login and a missing step-up are 401, not a redirect. django-ratelimit's
``Ratelimited`` is a 429 with ``Retry-After``, not the 403 DRF would make of it.

The API views use ``exception_handler`` whatever the project's
``REST_FRAMEWORK["EXCEPTION_HANDLER"]``; a project may set it there for its own views.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_ratelimit.exceptions import Ratelimited
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from ..exceptions import (
    LoginTimeout,
    OtpNotActive,
    OtpNotFound,
    Tyntec2FAError,
    unavailable_retry_after,
)

#: The scheme a 401 names when no authentication class gives one (RFC 9110 asks for
#: one); the same as the gate middleware's.
DEFAULT_CHALLENGE = 'SecondFactor realm="session"'
#: django-ratelimit does not say when its window ends: a conservative wait in seconds.
RATELIMITED_RETRY_AFTER = 60
#: DRF's fixed prefix of a CSRF refusal by ``SessionAuthentication``.
CSRF_PREFIX = "CSRF Failed"


class SecondFactorRequired(exceptions.NotAuthenticated):
    """Signed in with a password only (a pending login), or with a credential that
    never passed the second factor."""

    default_code = "second_factor_required"
    default_detail = _("A second factor is required.")


class StepUpRequiredError(exceptions.PermissionDenied):
    """The second factor is older than the endpoint accepts: step up first (S10). A 403
    like ``flows``' ``StepUpRequired``: the user is known, a fresh code is missing."""

    default_code = "step_up_required"
    default_detail = _("Please confirm it is you with a code first.")


class EnrollmentRequired(exceptions.NotAuthenticated):
    """The pending login must add a phone before it can go on (``TYNTEC2FA_REQUIRED``)."""

    default_code = "enrollment_required"
    default_detail = _("Please add a phone number first.")


class InvalidCredentials(exceptions.APIException):
    """Wrong username or password, or an inactive account: one answer for all (U1)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_credentials"
    default_detail = _("Please enter a correct username and password.")


class NoPendingLogin(exceptions.APIException):
    """A login step for a session that is already signed in."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "no_pending_login"
    default_detail = _("There is no sign-in waiting for a code.")


class TokenNeedsSecondFactor(exceptions.PermissionDenied):
    """An API token was asked for by a user who has no second factor to pass (S6)."""

    default_code = "second_factor_not_set_up"
    default_detail = _(
        "API tokens are issued only after a second factor. Please add a phone number first."
    )


class TokenUnavailable(exceptions.APIException):
    """The site cannot mint API tokens right now (e.g. ``rest_framework.authtoken`` is
    installed but not migrated): found before the code is checked, the code stays
    usable; found after it (an issuer that failed), the login is undone (issue 23.9)."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "token_unavailable"
    default_detail = _(
        "Signing in with an API token is not possible right now. Please try again later."
    )


class CsrfFailed(exceptions.PermissionDenied):
    """A cookie-authenticated request without a valid CSRF token."""

    default_code = "csrf_failed"
    default_detail = _("CSRF verification failed. Send the X-CSRFToken header.")


def error_response(
    code: str,
    detail: Any,
    status_code: int,
    *,
    retry_after: int | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    """The answer of a refusal in the one shape, with ``Retry-After`` when known."""
    response = Response({"code": code, "detail": str(detail), **(extra or {})}, status_code)
    if retry_after:
        response["Retry-After"] = str(int(retry_after))
    if status_code == status.HTTP_401_UNAUTHORIZED:
        response["WWW-Authenticate"] = DEFAULT_CHALLENGE
    return response


def field_error_response(field: str, message: Any) -> Response:
    """A validation error on ``field`` as an answer, not an exception: what the flows
    wrote before refusing (audit rows) is kept even under ATOMIC_REQUESTS."""
    messages = [str(message)]
    return error_response(
        "validation_error", messages[0], 400, extra={"field": field, "errors": {field: messages}}
    )


def flow_error_response(error: Tyntec2FAError) -> Response:
    """A refusal of ``flows`` as an API answer (see the module docstring)."""
    code = error.code
    if isinstance(error, (OtpNotFound, OtpNotActive)):
        code = "challenge_expired"  # the provider's word for the same dead code (L7)
    if isinstance(error, LoginTimeout):
        status_code = status.HTTP_401_UNAUTHORIZED
    else:
        status_code = error.http_status
    retry_after = error.retry_after  # a refusal's wait, the breaker's
    return error_response(code, error.message, status_code, retry_after=retry_after)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF exception handler of the API; None (a 500) only for unexpected errors."""
    if isinstance(exc, Ratelimited):
        detail = _("Too many requests. Please try again later.")
        return error_response("rate_limited", detail, 429, retry_after=RATELIMITED_RETRY_AFTER)
    if isinstance(exc, Tyntec2FAError):
        # No rollback: a wrong code must stay counted even under ATOMIC_REQUESTS (L2).
        return flow_error_response(exc)
    if isinstance(exc, InvalidCredentials):
        # Nor for a wrong password: what login-failure receivers wrote (e.g.
        # django-axes' attempt counter) must stay.
        return _api_error(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    set_rollback()
    response = _api_error(exc)
    if getattr(exc, "auth_header", None) and response.status_code == 401:
        response["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    return response


def _api_error(exc: exceptions.APIException) -> Response:
    if isinstance(exc, exceptions.ValidationError):
        return _validation_error(exc)
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        # 401 always: DRF makes it 403 when the first authentication class names no
        # scheme (SessionAuthentication), which would hide "sign in" behind "forbidden".
        return error_response(_code(exc), exc.detail, status.HTTP_401_UNAUTHORIZED)
    if isinstance(exc, exceptions.PermissionDenied) and str(exc.detail).startswith(CSRF_PREFIX):
        return error_response(CsrfFailed.default_code, exc.detail, exc.status_code)
    if isinstance(exc, exceptions.Throttled):
        return error_response("rate_limited", exc.detail, exc.status_code, retry_after=exc.wait)
    if exc.status_code == status.HTTP_503_SERVICE_UNAVAILABLE:
        # Every 503 says when to try again (issue 23.6).
        wait = unavailable_retry_after()
        return error_response(_code(exc), exc.detail, exc.status_code, retry_after=wait)
    return error_response(_code(exc), exc.detail, exc.status_code)


def _code(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else str(exc.default_code)


def _validation_error(exc: exceptions.ValidationError) -> Response:
    detail = exc.detail
    if isinstance(detail, dict):
        fields = {name: _messages(value) for name, value in detail.items()}
    else:
        fields = {"non_field_errors": _messages(detail)}
    field, messages = next(iter(fields.items()), ("non_field_errors", [""]))
    return error_response(
        "validation_error",
        messages[0] if messages else "",
        status.HTTP_400_BAD_REQUEST,
        extra={"field": field, "errors": fields},
    )


def _messages(value: Any) -> list[str]:
    """Messages of one field, nested serializers flattened to strings."""
    if isinstance(value, list):
        return [str(item) for item in value]
    return [str(value)]
