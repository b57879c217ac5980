"""OpenAPI annotations of the login endpoints: the password step and the challenge."""

from __future__ import annotations

from .. import examples as ex
from ..schema import OpenApiResponse
from ..serializers import (
    LoginCodeSerializer,
    LoginRefusedSerializer,
    LoginSerializer,
    LoginStateSerializer,
    LoginUnavailableSerializer,
    LogoutSerializer,
    ResendSerializer,
    SendSerializer,
)
from .common import (
    AUTHENTICATED,
    CODE,
    CODE_REFUSALS,
    CREDENTIALS,
    PENDING_REFUSALS,
    PROVIDER,
    SEND_REFUSALS,
    UNSAFE,
    examples,
    operation,
    responses,
)

#: The password step's 503 (issue 12): the error and the pending login's state; and its
#: 429 (issue 23.4), refused before the password was tried.
LOGIN_UNAVAILABLE = {
    503: OpenApiResponse(
        LoginUnavailableSerializer,
        "No code could be sent: tyntec or the rate-limit cache is down (`Retry-After`). "
        "The password was right and the login is pending (its session cookie or "
        "`login_token` is set as on a 200): send a code once the service is back. When "
        "the rate-limit cache is down the password step's own limits cannot be counted: "
        "the password is not tried, nothing is pending, and the body is the error with "
        "`retry_after`.",
        examples(
            {
                "Provider down": ex.LOGIN_UNAVAILABLE,
                "Rate-limit cache down": ex.LOGIN_LIMITS_UNAVAILABLE,
            }
        ),
    ),
    429: OpenApiResponse(
        LoginRefusedSerializer,
        "Too many password steps from this IP or for this username "
        "(`TYNTEC2FA_LOGIN_RATE_IP`, `TYNTEC2FA_LOGIN_RATE_USER`); the password was not "
        "tried, so the answer is the same whatever it is. `Retry-After` and `retry_after` "
        "say when to try again.",
        examples({"Too many password steps": ex.LOGIN_RATE_LIMITED}),
    ),
}

login_get = operation(
    "login_state",
    "login",
    "Where the login stands",
    "Also sets the CSRF cookie a single-page app needs for its first POST.",
    responses(
        200,
        LoginStateSerializer,
        "The login's state.",
        {
            "Nobody": {"status": "anonymous"},
            "Password done": {"status": "second_factor_required"},
            "Signed in": {"status": "authenticated"},
        },
    ),
    pending=True,
)
login_post = operation(
    "login",
    "login",
    "Password step",
    "Checks the password and sends the login code to the primary phone. Cookie clients "
    "send the CSRF token; apps send `token: true`, get a `login_token` and no cookie. "
    "From a browser the user trusted (`remember: true` on `challenge/verify/`) the answer "
    "is `authenticated` at once, without a code (never for an app).",
    responses(
        200,
        LoginStateSerializer,
        "A code was sent, a phone must be added first, no second factor is needed, or a "
        "trusted browser needs none now.",
        {
            "Code sent": ex.PENDING,
            "App: code sent": ex.PENDING_APP,
            "A phone must be added first": ex.ENROLLMENT_REQUIRED,
            "No second factor needed": AUTHENTICATED,
            "Trusted browser": AUTHENTICATED,
        },
        UNSAFE,
        {
            400: {
                "Wrong password": ex.INVALID_CREDENTIALS,
                "No username": ex.invalid("username", "This field is required."),
                "No tokens on this site": ex.NO_TOKENS,
            },
            403: {"Token without a second factor": ex.TOKEN_NEEDS_SECOND_FACTOR},
        },
    )
    | LOGIN_UNAVAILABLE,
    request=LoginSerializer,
    requests={"Browser or SPA": CREDENTIALS, "App": {**CREDENTIALS, "token": True}},
    pending=True,
)
challenge_get = operation(
    "challenge_status",
    "login",
    "The pending login's challenge",
    "The phones a code can go to, the live challenge and what happened to its code "
    "(`delivery`: sent, delivered or failed, from the provider's delivery reports, asked "
    "at most every 3 seconds; `suggest_call`: offer a call first). Sends nothing.",
    responses(
        200,
        LoginStateSerializer,
        "The pending login.",
        {
            "Code sent": {**ex.PENDING, "delivery": ex.DELIVERY_SENT},
            "Code delivered": {**ex.PENDING, "delivery": ex.DELIVERY_DELIVERED},
            "Code not delivered": {**ex.PENDING, "delivery": ex.DELIVERY_FAILED},
            "The site called instead": {
                **ex.PENDING,
                "challenge": {**ex.CHALLENGE, "channel": "VOICE"},
                "delivery": ex.DELIVERY_CALLING,
            },
            "Provider was down at login": {**ex.PENDING, "challenge": None, "delivery": None},
        },
        PENDING_REFUSALS,
    ),
    pending=True,
)
challenge_send = operation(
    "challenge_send",
    "login",
    "Send a new login code",
    "A new code to the primary phone, on the channel and in the language asked for.",
    responses(
        200,
        LoginStateSerializer,
        "The code went out.",
        {"Code sent": ex.PENDING},
        UNSAFE,
        PENDING_REFUSALS,
        SEND_REFUSALS,
        PROVIDER,
        {400: {"Unknown language": ex.invalid("language", "This language is not available.")}},
    ),
    request=SendSerializer,
    requests={"By SMS in German": {"channel": "SMS", "language": "de"}, "Default": {}},
    pending=True,
)
challenge_resend = operation(
    "challenge_resend",
    "login",
    "Send the code again",
    'The live code again (`channel`: VOICE is "call me instead"), or a new code to '
    "another of your confirmed phones (`device`).",
    responses(
        200,
        LoginStateSerializer,
        "The code went out.",
        {"Code sent": ex.PENDING},
        UNSAFE,
        PENDING_REFUSALS,
        SEND_REFUSALS,
        PROVIDER,
        {
            400: {
                "Not one of your phones": ex.invalid("device", "Choose one of your phones."),
                "No live code": ex.CHALLENGE_EXPIRED,
            },
            429: {"Too early": ex.RESEND_NOT_ALLOWED},
        },
    ),
    request=ResendSerializer,
    requests={"Call me instead": {"channel": "VOICE"}, "Another phone": {"device": 2}},
    pending=True,
)
challenge_verify = operation(
    "challenge_verify",
    "login",
    "Verify the login code",
    "The right code signs the user in with a new session key (and a new CSRF token); "
    "with `token: true`, or for an app, the answer carries the API token.",
    responses(
        200,
        LoginStateSerializer,
        "Signed in.",
        {"Session": AUTHENTICATED, "With a token": {**AUTHENTICATED, "token": ex.TOKEN}},
        UNSAFE,
        PENDING_REFUSALS,
        CODE_REFUSALS,
        PROVIDER,
        {400: {"No tokens on this site": ex.NO_TOKENS}},
    ),
    request=LoginCodeSerializer,
    requests={
        "Session": CODE,
        "Session and token": {**CODE, "token": True},
        "Remember this browser": {**CODE, "remember": True},
    },
    pending=True,
)
logout = operation(
    "logout",
    "login",
    "Log out",
    "Ends the session (a pending login with its code, S11) and revokes the token that "
    "authenticated the request; live step-up and enrollment codes are cancelled. Safe to "
    "call when nobody is signed in. With everywhere, a signed-in user also signs out "
    "everywhere: every trusted browser is forgotten and every API token of the user ends "
    "(other sessions end with a password change; Django keeps no list of them).",
    responses(
        200, LoginStateSerializer, "Logged out.", {"Logged out": {"status": "anonymous"}}, UNSAFE
    ),
    request=LogoutSerializer,
    requests={"Log out": {}, "Sign out everywhere": {"everywhere": True}},
    pending=True,
)
challenge_cancel = operation(
    "challenge_cancel",
    "login",
    "Cancel the login",
    "Forgets the pending login and cancels its code at the provider (S11).",
    responses(
        200, LoginStateSerializer, "Cancelled.", {"Cancelled": {"status": "anonymous"}}, UNSAFE
    ),
    request=None,
    pending=True,
)
