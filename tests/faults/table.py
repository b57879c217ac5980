"""The fault table: what each provider fault does to each operation the flows use.

One row per (operation, fault): the HTTP status of the faulted request, the message
the page shows, the state it leaves, and how the user gets in once the fault is gone.
``test_fault_table.py`` proves every row; ``docs/faults.md`` is rendered from it
(``python -m tests.faults.table``) and a test keeps the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass

from django_tyntec2fa.testing.fake_tyntec import Fault

#: How the app's client sees each fault; ``latency`` waits past its 0.5 s read timeout.
FAULTS: dict[str, Fault] = {
    "latency": Fault("latency", delay=1.0),
    "hang": Fault("hang"),
    "500": Fault("status", status=500),
    "503": Fault("status", status=503),
    "429": Fault("status", status=429),
    "reset": Fault("reset"),
    "malformed": Fault("malformed"),
    "other_id": Fault("other_id"),
}

#: The user action that reaches each provider operation.
OPERATIONS: dict[str, str] = {
    "send": "“Use another phone” (`challenge-send` with `device`): `flows.start`",
    "resend": "“Send a new code” (`challenge-send`, live challenge): `flows.resend`",
    "check": "the right code on the challenge page: `flows.verify`",
    "delete": "“Cancel” (`challenge-cancel`): `flows.abort_login`",
}

#: Message keys -> (the exception whose translated ``default_message`` the page shows,
#: its English text); the test checks the text against the exception.
MESSAGES: dict[str, tuple[str, str]] = {
    "unavailable": (
        "ProviderUnavailable",
        "The verification service is unavailable right now. Please try again in a few minutes.",
    ),
    "protocol": (
        "ProviderProtocolError",
        "The verification service gave an unexpected answer. No code was accepted.",
    ),
    "no_longer_valid": ("OtpNotFound", "This code is no longer valid. Please request a new code."),
}

#: State keys -> what they mean (checked in the database by the test).
STATES: dict[str, str] = {
    "unchanged": "the live challenge as before (status, attempts, resends, OTP id, "
    "expiry); no challenge added",
    "attempt": "the same challenge, still pending, with exactly one attempt more; the "
    "account's failure count unchanged",
    "cancelled": "the challenge cancelled and the pending login wiped on our side; the "
    "provider's OTP expires by itself",
    "unknown_otp": "a new challenge stored with an OTP id the provider does not know; "
    "its code is refused (400 “no longer valid”, provider error audited) and the "
    "challenge dies",
}

#: Retry keys -> what the user does once the fault is gone (each ends signed in).
RETRIES: dict[str, str] = {
    "again": "the same action again, then the code",
    "same_code": "the same code again",
    "new_code": "the same code is refused (the provider spent it), then a new code",
    "sign_in": "sign in again, then the code",
}


@dataclass(frozen=True)
class Expected:
    """One row of the table."""

    status: int
    message: str | None
    state: str
    retry: str


def _row(operation: str, fault: str) -> Expected:
    """The documented outcome; written as rules so every one of 32 rows is explicit."""
    if operation == "delete":
        # Best effort (S11): cancelling succeeds on our side whatever the provider says.
        return Expected(302, None, "cancelled", "sign_in")
    message = "protocol" if fault in {"malformed", "other_id"} else "unavailable"
    if operation == "send":
        if fault == "other_id":
            # A send answer carries no id to compare with: caught at the check.
            return Expected(302, None, "unknown_otp", "new_code")
        return Expected(503, message, "unchanged", "again")
    if operation == "resend":
        return Expected(503, message, "unchanged", "again")
    # check: latency and other_id reach the provider, which verifies and spends the code.
    retry = "new_code" if fault in {"latency", "other_id"} else "same_code"
    return Expected(503, message, "attempt", retry)


TABLE: dict[tuple[str, str], Expected] = {
    (operation, fault): _row(operation, fault) for operation in OPERATIONS for fault in FAULTS
}


def render() -> str:
    """``docs/faults.md``."""
    lines = [
        "# Provider faults: what the user sees and what is stored",
        "",
        "Every fault the fake tyntec server can inject (`docs/fake_tyntec.md`), on every",
        "provider operation the login flow uses, through the HTML views with",
        "`TyntecProvider` and a (0.5 s, 0.5 s) timeout. Generated from `tests/faults/table.py`",
        "(`python -m tests.faults.table > docs/faults.md`); `tests/faults/test_fault_table.py`",
        "proves every cell and fails when this file and the table differ.",
        "",
        "In every cell: no 500, nothing verified by the fault (it fails closed), and the user signs in",
        "once the fault is gone. Every faulted operation writes one `provider_error` audit",
        "event (for `send` × `other_id`, the refused check writes it). A faulted check",
        "keeps the attempt (the code may have reached the provider) but does not charge the",
        "account's failure count: an outage must not lock users out.",
        "",
        "| fault | " + " | ".join(f"`{operation}`" for operation in OPERATIONS) + " |",
        "|---|" + "---|" * len(OPERATIONS),
    ]
    for fault in FAULTS:
        cells = []
        for operation in OPERATIONS:
            row = TABLE[operation, fault]
            message = f"“{row.message}”" if row.message else "no message"
            cells.append(f"{row.status}, {message}, {row.state}; retry: {row.retry}")
        lines.append(f"| `{fault}` | " + " | ".join(cells) + " |")
    lines += ["", "Operations:", ""]
    lines += [f"- `{key}`: {text}" for key, text in OPERATIONS.items()]
    lines += ["", "Faults (`Fault(...)` of the fake):", ""]
    lines += [f"- `{key}`: `{fault!r}`" for key, fault in FAULTS.items()]
    lines += ["", "Messages (translated; the `default_message` of the exception):", ""]
    lines += [f"- “{key}”: {text} (`{name}`)" for key, (name, text) in MESSAGES.items()]
    lines += ["", "States:", ""]
    lines += [f"- {key}: {text}" for key, text in STATES.items()]
    lines += ["", "Retries:", ""]
    lines += [f"- {key}: {text}" for key, text in RETRIES.items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")
