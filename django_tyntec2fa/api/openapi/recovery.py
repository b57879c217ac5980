"""OpenAPI annotations of the recovery code endpoints (issue 11)."""

from __future__ import annotations

from typing import Any

from .. import examples as ex
from ..schema import OpenApiResponse
from ..serializers import (
    ErrorSerializer,
    LoginCodeSerializer,
    LoginStateSerializer,
    RecoveryCodesSerializer,
    RecoveryStatusSerializer,
)
from .common import (
    AUTHENTICATED,
    PENDING_REFUSALS,
    SIGNED_IN_REFUSALS,
    UNSAFE,
    examples,
    operation,
    responses,
)

GENERATED_AT = "2025-01-01T12:00:00Z"
CODES = [
    "k7qm-4xta-9rhe",
    "3fpw-z8nd-c2vb",
    "h6ty-q1kr-m9sx",
    "w4ga-7ejn-5pzd",
    "b8rc-2vmh-t0yq",
    "n5xk-j3wf-8dag",
    "e2pz-6hct-r7mw",
    "y9dn-4qbs-1kje",
    "s0vh-m5ra-g3tx",
    "c6jw-8nzp-2feq",
]
DISABLED = ex.error("recovery_disabled", "Recovery codes are not available on this site.")
OFF: dict[int, dict[str, Any]] = {404: {"Recovery codes switched off": DISABLED}}
RECOVERY_CODE = {"code": "k7qm-4xta-9rhe"}


def _off(answers: dict[Any, Any]) -> dict[Any, Any]:
    """The 404 of these endpoints means "switched off on this site", not a phone."""
    answers[404] = OpenApiResponse(
        ErrorSerializer,
        "Recovery codes are switched off on this site (TYNTEC2FA_RECOVERY_CODES = 0).",
        examples(OFF[404]),
    )
    return answers


recovery_status = operation(
    "recovery_codes",
    "recovery",
    "How many recovery codes are left",
    "The number of unused codes and when the set was generated; never a code.",
    _off(
        responses(
            200,
            RecoveryStatusSerializer,
            "The set's status.",
            {
                "A set": {"remaining": 9, "generated_at": GENERATED_AT},
                "No set yet": {"remaining": 0, "generated_at": None},
            },
            SIGNED_IN_REFUSALS,
            OFF,
        )
    ),
)
recovery_generate = operation(
    "recovery_codes_generate",
    "recovery",
    "Generate a new set of recovery codes",
    "Replaces every earlier code of the user with TYNTEC2FA_RECOVERY_CODES new ones, "
    "returned this once: no endpoint returns them again, the server keeps only keyed "
    "hashes. Needs a recent second factor (else 403 step_up_required) and a confirmed phone.",
    _off(
        responses(
            200,
            RecoveryCodesSerializer,
            "The new set.",
            {"New set": {"codes": CODES, "remaining": 10, "generated_at": GENERATED_AT}},
            UNSAFE,
            SIGNED_IN_REFUSALS,
            OFF,
            {
                400: {
                    "No confirmed phone": ex.error(
                        "device_error", "Add a phone before you generate recovery codes."
                    )
                },
                403: {"Step up first": ex.STEP_UP_REQUIRED},
            },
        )
    ),
    request=None,
)
challenge_recover = operation(
    "challenge_recover",
    "login",
    "Sign in with a recovery code",
    "Instead of the phone's code: a right recovery code completes the pending login as "
    "challenge/verify/ does (new session key, `token: true` or an app gets the API "
    "token), is used up, and cancels the phone's live code. Accepted whatever its case, "
    "spaces or dashes. A wrong or used code counts toward the account's lock like a "
    "wrong phone code (400 invalid_code).",
    _off(
        responses(
            200,
            LoginStateSerializer,
            "Signed in.",
            {"Session": AUTHENTICATED, "With a token": {**AUTHENTICATED, "token": ex.TOKEN}},
            UNSAFE,
            PENDING_REFUSALS,
            OFF,
            {
                400: {
                    "Wrong or used recovery code": ex.error(
                        "invalid_code", "That recovery code is not valid. Check it and try again."
                    ),
                    "No code": ex.invalid("code", "This field is required."),
                    "No tokens on this site": ex.NO_TOKENS,
                },
                403: {"Account locked": ex.ACCOUNT_LOCKED},
                429: {"Rate limited": ex.RATE_LIMITED},
            },
        )
    ),
    request=LoginCodeSerializer,
    requests={
        "Session": RECOVERY_CODE,
        "Session and token": {**RECOVERY_CODE, "token": True},
        "Remember this browser": {**RECOVERY_CODE, "remember": True},
    },
    pending=True,
)
