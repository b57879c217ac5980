"""What the user may do next, as the API says it (issue 22, lockout.standing): the
body of a refused code and the pending login's state carry ``tries_left``,
``retry_after`` and ``locked``, the same answer as the code page (L2, L7)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from django_tyntec2fa.models import FailureCounter

from ..steps import LastCode, wrong_code
from .helpers import assert_error, get, password, post


def standing(body: dict[str, Any]) -> tuple[Any, Any, Any]:
    return body["tries_left"], body["retry_after"], body["locked"]


def test_the_fifth_wrong_code_answers_the_wait_then_the_lock_l2(
    client: Client, alice: Any, last_code: LastCode, settings: Any
) -> None:
    settings.TYNTEC2FA_RESEND_COOLDOWN = 0
    settings.TYNTEC2FA_LOCKOUT_THRESHOLD = 6
    password(client, alice)
    assert standing(get(client, "challenge").json()) == (3, None, False)
    for left in (2, 1):
        body = assert_error(
            post(client, "challenge-verify", {"code": wrong_code(last_code())}), 400, "invalid_code"
        )
        assert standing(body) == (left, None, False)
    post(client, "challenge-verify", {"code": wrong_code(last_code())})  # the code dies
    assert post(client, "challenge-send", {"channel": "SMS"}).status_code == 200
    # Three failures: the new code has 3 tries, the account 2 before its wait.
    assert standing(get(client, "challenge").json()) == (2, None, False)
    body = assert_error(
        post(client, "challenge-verify", {"code": wrong_code(last_code())}), 400, "invalid_code"
    )
    assert standing(body) == (1, None, False)
    body = assert_error(
        post(client, "challenge-verify", {"code": wrong_code(last_code())}), 400, "invalid_code"
    )
    assert standing(body) == (0, 30, False)  # the 5th: the wait, never "1 try left"
    answer = post(client, "challenge-verify", {"code": last_code()})
    assert standing(assert_error(answer, 403, "account_locked")) == (0, 30, False)
    assert answer["Retry-After"] == "30"
    assert standing(get(client, "challenge").json()) == (0, 30, False)
    FailureCounter.objects.filter(user=alice).update(blocked_until=None)  # the wait ended
    body = assert_error(
        post(client, "challenge-verify", {"code": wrong_code(last_code())}),
        400,
        "too_many_attempts",
    )
    assert standing(body) == (0, None, True)
    assert standing(get(client, "challenge").json()) == (0, None, True)
