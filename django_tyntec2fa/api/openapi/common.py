"""What the OpenAPI annotations share: the login-token header, the refusals (grouped by
the situations that cause them, with their examples) and the helpers that assemble an
operation. Every operation gets a 401 (any endpoint accepts tokens) and a ``default``
answer in the error shape, whatever other status a refusal has (405, 406, 415, ...).
"""

from __future__ import annotations

from typing import Any

from .. import examples as ex
from ..schema import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from ..serializers import ErrorSerializer
from ..transport import HEADER

Examples = dict[str, Any]

LOGIN_HEADER = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Apps without cookies: the login_token of the login answer.",
)
ERROR_TEXT = {
    400: "Refused: invalid input (naming the field) or a code that is wrong, expired or "
    "used (one status and one shape for all of them, L7).",
    401: "Not signed in, no second factor, too old a second factor, or a timed-out login.",
    403: "CSRF token missing, account locked (Retry-After while it is a wait), or refused.",
    404: "Not one of your phones.",
    409: "This session is already signed in.",
    429: "Rate limited or too early for another code; Retry-After says when to try again.",
    503: "The verification service is unavailable; nothing was sent or accepted (R1).",
}
#: Refusals any endpoint may give: a token that is unknown or was not minted after the
#: second factor (every endpoint accepts tokens), and every other status.
COMMON: dict[int, Examples] = {
    401: {"Invalid token": ex.INVALID_TOKEN, "Token without a second factor": ex.TOKEN_REFUSED},
}
UNSAFE: dict[int, Examples] = {403: {"No CSRF token (cookie clients)": ex.CSRF_FAILED}}
PROVIDER: dict[int, Examples] = {503: {"Provider down": ex.PROVIDER_UNAVAILABLE}}
CODE_REFUSALS: dict[int, Examples] = {
    400: {
        "Wrong code": ex.INVALID_CODE,
        "Expired or used code": ex.CHALLENGE_EXPIRED,
        "Last attempt wrong": ex.TOO_MANY_ATTEMPTS,
        "No code": ex.invalid("code", "This field is required."),
    },
    403: {"Account locked": ex.ACCOUNT_LOCKED},
    429: {"Rate limited": ex.RATE_LIMITED},
}
SEND_REFUSALS: dict[int, Examples] = {
    400: {"Unknown channel": ex.invalid("channel", '"FAX" is not a valid choice.')},
    403: {"Account locked": ex.ACCOUNT_LOCKED},
    429: {"Rate limited": ex.RATE_LIMITED},
}
PENDING_REFUSALS: dict[int, Examples] = {
    401: {
        "No login": ex.NOT_AUTHENTICATED,
        "Login timed out": ex.LOGIN_TIMEOUT,
        "A phone must be added first": ex.ENROLLMENT_REQUIRED_ERROR,
    },
    409: {"Already signed in": ex.NO_PENDING_LOGIN},
}
SIGNED_IN_REFUSALS: dict[int, Examples] = {
    401: {"Nobody signed in": ex.NOT_AUTHENTICATED, "Password only": ex.SECOND_FACTOR_REQUIRED},
}


def examples(named: Examples, **options: Any) -> list[Any]:
    """``OpenApiExample``s from ``{name: value}``."""
    return [OpenApiExample(name, value=value, **options) for name, value in named.items()]


def merge(*groups: dict[int, Examples]) -> dict[int, Examples]:
    """Refusal groups joined status by status."""
    merged: dict[int, Examples] = {}
    for group in groups:
        for status, named in group.items():
            merged.setdefault(status, {}).update(named)
    return merged


def responses(
    status: int, serializer: Any, description: str, ok: Examples, *refusals: dict[int, Examples]
) -> dict[Any, Any]:
    """The answers of one operation: the success with its examples, the refusals of
    ``refusals`` (and ``COMMON``) with theirs, and the ``default`` error."""
    answers: dict[Any, Any] = {
        status: OpenApiResponse(serializer, description, examples(ok)) if ok else serializer
    }
    for code, named in sorted(merge(COMMON, *refusals).items()):
        answers[code] = OpenApiResponse(ErrorSerializer, ERROR_TEXT[code], examples(named))
    answers["default"] = OpenApiResponse(ErrorSerializer, "Any other refusal, same shape.")
    return answers


def operation(
    operation_id: str,
    tag: str,
    summary: str,
    description: str,
    answers: dict[Any, Any],
    *,
    request: Any = None,
    requests: Examples | None = None,
    pending: bool = False,
) -> Any:
    """``extend_schema`` of one operation; ``pending``: it serves a pending login and
    accepts the app's login-token header."""
    return extend_schema(
        operation_id=operation_id,
        tags=[tag],
        summary=summary,
        description=description,
        request=request,
        responses=answers,
        examples=examples(requests or {}, request_only=True),
        parameters=[LOGIN_HEADER] if pending else None,
    )


CREDENTIALS = {"username": "ann", "password": "correct horse battery staple"}
CODE = {"code": "123456"}
AUTHENTICATED = {"status": "authenticated", "token": None}
