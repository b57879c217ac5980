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

#: Message keys -> (the exception whose translated message the page shows, its English
#: text); the test checks the text against the exception. Every 503 says when to try
#: again, so an exception with a ``timed_message`` shows that one, then the time.
MESSAGES: dict[str, tuple[str, str]] = {
    "unavailable": ("ProviderUnavailable", "The verification service is unavailable right now."),
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
    "its code is refused (back to the code page with “no longer valid”, provider "
    "error audited) and the challenge dies",
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
        "account's failure count: an outage must not lock users out. Every 503 carries",
        "`Retry-After` and the page says when to try again: the rest of the cool-off while",
        "the circuit breaker is open, 60 s while the rate-limit cache is down, and otherwise",
        "(the breaker still closed, an unexpected answer) `TYNTEC2FA_BREAKER_COOL_OFF`, at",
        "most 30 s (`exceptions.unavailable_retry_after`).",
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
    lines += [
        "",
        "Messages (translated; the exception's `timed_message`, else its `default_message`,",
        "then “Please try again at” the time):",
        "",
    ]
    lines += [f"- “{key}”: {text} (`{name}`)" for key, (name, text) in MESSAGES.items()]
    lines += ["", "States:", ""]
    lines += [f"- {key}: {text}" for key, text in STATES.items()]
    lines += ["", "Retries:", ""]
    lines += [f"- {key}: {text}" for key, text in RETRIES.items()]
    lines += ["", OUTAGES.strip()]
    return "\n".join(lines) + "\n"


#: Timeouts, the circuit breaker and the cache: proven by tests/faults/test_breaker.py,
#: tests/faults/test_cache_outage.py, tests/flows/test_no_transaction.py and the
#: black-box outage test (tests/blackbox/test_outage.py), whose figures are quoted.
OUTAGES = """
## Timeouts

`TYNTEC2FA_TIMEOUT` defaults to **(2.05, 4.0)**: 2.05 s to open the connection, 4 s to
wait for an answer (it was (3.05, 10.0)). Why:

- tyntec's 2FA API answers a send once the message is accepted; delivery happens later and
  is reported by the OTP's events (`GET /otp/{otpId}/events`), so a healthy send, resend or
  check is one short request-response, not a wait for the SMS. tyntec documents no latency
  figure and no rate limit for this API; hosted verification APIs of this kind commonly
  answer within a few hundred milliseconds, and slow ones in about a second. A read of 4 s
  leaves several times that, and anything slower means tyntec is unwell, not busy.
- A user is waiting at the login. With (3.05, 10) a hanging tyntec made every login wait
  10 s before it learnt that no code was sent; now it waits at most 4 s, and only until
  the circuit breaker has seen `TYNTEC2FA_BREAKER_FAILURES` failures, after which it is
  told at once.
- 2.05 s to connect allows one lost SYN (Linux resends it after 1 s, RFC 6298). A send or
  resend whose connection could not be opened is retried `TYNTEC2FA_SEND_RETRIES` (2)
  times, since it never reached tyntec (R2), so an unreachable tyntec costs at most about
  6.3 s; nothing else is retried.

## The circuit breaker

Every call to tyntec (`TyntecProvider._call`) goes through `providers/tyntec/breaker.py`. Its state is
kept in the rate-limit cache (`RATELIMIT_USE_CACHE`), so every worker and every machine
agrees.

| what tyntec does | what the breaker does | what the user sees | what is stored |
|---|---|---|---|
| answers (any status but 429/5xx), including every answer about a code or a number: 401/403/410 of a check, 404 of an unknown OTP, 400 of a bad number | forgets the failures in a row | the answer's own outcome | nothing more |
| times out, refuses or resets the connection, answers 429 or 5xx | counts one failure (kept `TYNTEC2FA_BREAKER_WINDOW`, 60 s, after the last one) | 503 “unavailable” (table above) | the `provider_error` audit event of that operation |
| the `TYNTEC2FA_BREAKER_FAILURES`th (5) failure in a row | **opens** for `TYNTEC2FA_BREAKER_COOL_OFF` (30 s) | as above | one `breaker_opened` audit event, the `provider_circuit_opened` signal, an ERROR log line `tyntec circuit breaker opened` |
| (open) | every send, resend and check fails at once, without a network call; the send defences ask it first, so such a send spends none of the user's rate limits | 503 with `Retry-After` (the rest of the cool-off) and “The verification service is unavailable right now. Please try again at” the time the cool-off ends; the API's `provider_unavailable` with `Retry-After`; the password step keeps the login pending, and its code page answers 503 with `Retry-After` and says no code was sent and when to try again; the API's password step answers 503 with `Retry-After`, the error and the pending login's state, and keeps the session all the same | a `provider_error` audit event per refused send; a refused check gives its attempt back (the code never reached tyntec) and charges nobody |
| (cool-off over) answers the one probe call | **closes** | the probe's request succeeds; the others go out again | one `breaker_closed` audit event, the `provider_circuit_closed` signal, a WARNING log line |
| (cool-off over) fails the probe | opens for another cool-off | 503 with `Retry-After` | the probe's `provider_error` |

While the probe is out, the other requests still fail fast. The delivery status of a code
(`flows/delivery.py`) asks tyntec for no events while the breaker is open: the code page,
its poll and `GET /api/challenge/` show the last known state (or "sent"); a failed or
malformed events answer, or an unreachable cache, keeps that state too, never an error
page. `TYNTEC2FA_BREAKER_FAILURES = 0`
switches the breaker off. `manage.py tyntec2fa_status --provider` prints its state and asks
tyntec one cheap read (`GET /application`); it exits with an error when tyntec does not
answer.

No transaction and no row lock is held while tyntec is asked: a check reserves its attempt
in one short transaction (the challenge's `checking_until` makes other checks of the same
code wait, so the counting stays exact), asks tyntec outside, and records the outcome in a
second one; a resend is counted under the row lock, sent outside it, and given back when
tyntec fails. So a hanging tyntec holds a worker for at most the read timeout, never a
database connection inside a transaction or a lock.

## The rate-limit cache

The rate limits, the send budget, the conversion counters and the breaker live in the cache
named by `RATELIMIT_USE_CACHE`. When it cannot be reached (Redis down, a wrong address):

| part | what it does | what the user sees | what is stored |
|---|---|---|---|
| the password step (the app's `LoginView`, `POST /api/login/`) | refused before the password is tried: its own limits (`TYNTEC2FA_LOGIN_RATE_*`) cannot be counted (fail closed, so taking the cache down never buys unlimited guesses) | 503 with `Retry-After: 60` and "Signing in is not possible right now…" (the API's `provider_unavailable` with `retry_after`), the same for a right and a wrong password; nothing is pending | a `provider_error` audit event (`login: …`) |
| the password step with `TYNTEC2FA_LOGIN_RATE_IP` and `_USER` set to `None`, or through another login view (Django's, the admin's) | the password is checked as always; no code is sent without its limits (fail closed) | the login stays pending; the code page it leads to answers 503 with `Retry-After: 60` and says no code was sent and when to try again; the API's password step answers 503 with `Retry-After: 60`, `provider_unavailable` and the login's state (`send_error`), and sets the session cookie all the same (Django saves no session on a 5xx answer; the app does it for this one), so the client sends the code once the cache is back without the password again | a `provider_error` audit event; no challenge |
| “send a new code”, a step-up or enrollment send | refused before tyntec is asked | 503 with `Retry-After: 60`, “The verification service is unavailable right now…” | a `provider_error` audit event |
| checking a code | refused before the attempt is counted (the verify limits cannot be counted) | 503 with `Retry-After: 60` | a `provider_error` audit event; the challenge unchanged |
| the circuit breaker | stays closed for that call (an ERROR log line is written by the limits, a WARNING by the breaker) | — | — |
| the conversion counts after a code went out or was right (the cache lost mid-request) | the count is lost and logged as an ERROR | the answer stands: the code was sent, the login completes | — |
| pages that neither send nor check (the challenge page itself, the site's own pages, the gate) | work as before | — | — |

Sessions are not the app's business: if the project keeps them in the same Redis, every
page needs it (docs/deployment.md).

## Measured: tyntec hanging under load

`tests/blackbox/test_outage.py`: the example project under gunicorn with 4 sync workers on
PostgreSQL and Redis, the fake tyntec accepting connections and never answering, 16 users
signing in through `POST /api/login/` over 20 s while the home page is requested every
0.25 s on a fixed schedule. One run on a shared 2-core machine:

| | before (issue 12) | now |
|---|---|---|
| logins | 10.5 s, 15.7 s, 21 s, 26 s, queued behind each other | the first 8 wait the 4 s read timeout (4.1-4.7 s), then the breaker is open: the last 8 answer in 0.18 s (median) |
| home page p95 | 20.7 s | 0.15 s after the first 12 s (the slowest page of the run: 0.84 s) |
| 5xx or dropped connections | — | none |
| sends that reached tyntec | 16 | 8 |
| a login once tyntec answers again | — | completed 20 s later (the rest of the cool-off, then the probe) |

The test asserts: no 500/502/504 and no dropped connection; the median of the last 8 logins
under 1 s; the page's p95 after 12 s under 2 s; a completed login within 90 s of tyntec
answering again; the `breaker_opened` and `breaker_closed` audit events.
"""


if __name__ == "__main__":
    print(render(), end="")
