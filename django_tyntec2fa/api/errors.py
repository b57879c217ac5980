"""One error shape for every refusal of the API: ``{"code": "...", "detail": "..."}``.

``code`` is stable and machine-readable, ``detail`` the translated message for people.
The codes are those of ``exceptions.py``: a flow's error is answered as it is, and the
few DRF exceptions here are faces of an error there (``ErrorFace``: same code, message
and status). The gate's 401 is built by the same function (``refusal_response``).
Validation errors add ``field`` (the first field at fault) and ``errors`` (every field
with its messages). The flows' errors keep the statuses of the HTML views
(each error's ``http_status``), except where an API needs another one: a timed-out or
missing login and a missing step-up are 401, not a redirect. django-ratelimit's
``Ratelimited`` is a 429 with ``Retry-After``, not the 403 DRF would make of it.

The API views use ``exception_handler`` whatever the project's
``REST_FRAMEWORK["EXCEPTION_HANDLER"]``; a project may set it there for its own views.
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django_ratelimit.exceptions import Ratelimited
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from .. import exceptions as errors
from ..exceptions import (
    SECOND_FACTOR_CHALLENGE,
    LoginTimeout,
    OtpNotActive,
    OtpNotFound,
    RateLimited,
    Tyntec2FAError,
    refusal_response,
    unavailable_retry_after,
)

#: The scheme a 401 names when no authentication class gives one (RFC 9110 asks for
#: one); the same as the gate middleware's.
DEFAULT_CHALLENGE = SECOND_FACTOR_CHALLENGE
#: django-ratelimit does not say when its window ends: a conservative wait in seconds.
RATELIMITED_RETRY_AFTER = 60
#: DRF's fixed prefix of a CSRF refusal by ``SessionAuthentication``.
CSRF_PREFIX = "CSRF Failed"


class ErrorFace:
    """DRF's face of one of ``exceptions``' errors: its code, message and status, no
    others. For what DRF raises itself (permission and authentication classes, which
    also run in a project's own views under its own exception handler) and what must
    roll back like any ``APIException``."""

    error: ClassVar[type[Tyntec2FAError]]

    def __init_subclass__(cls, error: type[Tyntec2FAError] | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if error is None:
            return
        cls.error = error
        cls.status_code = error.http_status  # type: ignore[attr-defined]
        cls.default_code = error.code  # type: ignore[attr-defined]
        if "default_detail" not in cls.__dict__:  # a subclass may word it for its case
            cls.default_detail = error.default_message  # type: ignore[attr-defined]


class SecondFactorRequired(
    ErrorFace, exceptions.NotAuthenticated, error=errors.SecondFactorRequired
):
    """Signed in with a password only (a pending login), or with a credential that
    never passed the second factor."""


class StepUpRequiredError(ErrorFace, exceptions.PermissionDenied, error=errors.StepUpRequired):
    """The second factor is older than the endpoint accepts: step up first (S10). A 403:
    the user is known, a fresh code is missing."""


class EnrollmentRequired(ErrorFace, exceptions.NotAuthenticated, error=errors.EnrollmentRequired):
    """The pending login must add a phone before it can go on (``TYNTEC2FA_REQUIRED``)."""


class InvalidCredentials(ErrorFace, exceptions.APIException, error=errors.InvalidCredentials):
    """Wrong username or password, or an inactive account: one answer for all (U1)."""


class NoPendingLogin(ErrorFace, exceptions.APIException, error=errors.NoPendingLogin):
    """A login step for a session that is already signed in."""


class TokenNeedsSecondFactor(
    ErrorFace, exceptions.PermissionDenied, error=errors.TokenNeedsSecondFactor
):
    """An API token was asked for by a user who has no second factor to pass (S6)."""


class TokenUnavailable(ErrorFace, exceptions.APIException, error=errors.TokenUnavailable):
    """The site cannot mint API tokens right now (e.g. ``rest_framework.authtoken`` is
    installed but not migrated): found before the code is checked, the code stays
    usable; found after it (an issuer that failed), the login is undone (issue 23.9)."""


class CsrfFailed(ErrorFace, exceptions.PermissionDenied, error=errors.CsrfFailed):
    """A cookie-authenticated request without a valid CSRF token."""


def error_response(
    code: str,
    detail: Any,
    status_code: int,
    *,
    retry_after: int | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    """The answer of a refusal in the one shape, with ``Retry-After`` when known: the
    gate's ``exceptions.refusal_response``, as DRF's ``Response``."""
    response = refusal_response(
        code, detail, status_code, retry_after=retry_after, extra=extra, response_class=Response
    )
    return cast(Response, response)


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
    extra = standing_fields(error.standing) if error.standing is not None else None
    if extra is not None and extra["retry_after"]:
        retry_after = extra["retry_after"]  # a wrong code that started the wait
    return error_response(code, error.message, status_code, retry_after=retry_after, extra=extra)


def standing_fields(standing: Any) -> dict[str, Any]:
    """What the user may do next (``lockout.standing``) as the API says it: in the body
    of a refused code and in a pending login's state, never worked out here."""
    return {
        "tries_left": standing.tries_left,
        "retry_after": standing.retry_after,
        "locked": standing.locked,
    }


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF exception handler of the API; None (a 500) only for unexpected errors."""
    if isinstance(exc, Ratelimited):
        return error_response(
            RateLimited.code,
            RateLimited.default_message,
            RateLimited.http_status,
            retry_after=RATELIMITED_RETRY_AFTER,
        )
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
        return error_response(RateLimited.code, exc.detail, exc.status_code, retry_after=exc.wait)
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
