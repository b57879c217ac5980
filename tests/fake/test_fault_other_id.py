"""The ``other_id`` fault: the request is carried out, the answer names another OTP (R1)."""

from __future__ import annotations

import pytest
import requests

from django_tyntec2fa.testing.fake_tyntec import Fault
from django_tyntec2fa.testing.fake_tyntec.faults import answer_for_another_otp
from django_tyntec2fa.testing.fake_tyntec.reply import Reply

from .conftest import API_KEY, NUMBER, TIMEOUT, Api


def test_send_is_carried_out_but_answers_another_id(api: Api) -> None:
    api.fake.inject(Fault("other_id", operation="send"))

    answer = api.call("POST", "/otp", {"number": NUMBER})

    assert answer.status_code == 200
    (stored,) = api.fake.otps  # the OTP exists and its SMS went out ...
    assert api.fake.outbox[-1].otp_id == stored
    assert answer.json()["otpId"] != stored  # ... but the answer names another one
    assert answer.json()["number"] == NUMBER


def test_check_spends_the_attempt_and_answers_another_id(api: Api) -> None:
    otp_id = api.send()["otpId"]
    api.fake.inject(Fault("other_id", operation="check"))

    answer = api.check(otp_id, api.code_of(otp_id))

    assert answer.status_code == 202
    assert answer.json()["otpStatus"] == "VERIFIED"
    assert answer.json()["otpId"] != otp_id
    assert api.fake.otps[otp_id].status.value == "VERIFIED"  # carried out at the fake
    assert api.check(otp_id, api.code_of(otp_id)).status_code == 410  # used once only


@pytest.mark.parametrize("operation", ["resend", "delete", "status"])
def test_other_otp_operations_answer_another_id(api: Api, operation: str) -> None:
    otp_id = api.send()["otpId"]
    api.fake.inject(Fault("other_id", operation=operation))
    method = {"resend": "POST", "delete": "DELETE", "status": "GET"}[operation]

    answer = api.call(method, f"/otp/{otp_id}")

    assert answer.status_code == 200
    assert answer.json()["otpId"] != otp_id
    assert api.fake.counters[operation] == 1


def test_fault_is_used_up_after_times(api: Api) -> None:
    otp_id = api.send()["otpId"]
    api.fake.inject(Fault("other_id", operation="status", times=1))

    first = api.call("GET", f"/otp/{otp_id}").json()["otpId"]
    second = api.call("GET", f"/otp/{otp_id}").json()["otpId"]

    assert (first != otp_id, second) == (True, otp_id)


def test_lists_get_other_ids_and_bodies_without_an_otp_are_kept() -> None:
    entity = {"otpId": "a", "number": NUMBER}
    listed = answer_for_another_otp(Reply(200, [entity, "x"]))
    error = Reply(404, {"code": "9005", "message": "OTP code was not found."})

    assert listed.body[0]["otpId"] != "a" and listed.body[1] == "x"
    assert answer_for_another_otp(error) == error
    assert answer_for_another_otp(Reply(204)) == Reply(204)


def test_other_id_over_the_control_endpoint(api: Api) -> None:
    """A black-box test injects it over HTTP, like every other fault."""
    injected = requests.post(
        api.fake.url + "/_fake/faults",
        json={"kind": "other_id", "operation": "send"},
        headers={"apiKey": API_KEY},
        timeout=TIMEOUT,
    )

    assert injected.status_code == 200
    assert injected.json()["pending"][0]["kind"] == "other_id"
    assert api.send()["otpId"] not in api.fake.otps
