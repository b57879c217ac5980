"""Status, list, resend, delete, events and the check table of docs/providers.md."""

from __future__ import annotations

import re
import threading

import pytest

from .conftest import ENTITY_FIELDS, ERROR_FIELDS, NUMBER, OTHER_NUMBER, Api

UNKNOWN_ID = "3f1c9a52-0000-4000-8000-000000000000"


# -- status and list ----------------------------------------------------------------


def test_status_answers_the_entity(api: Api) -> None:
    sent = api.send()

    response = api.call("GET", f"/otp/{sent['otpId']}")

    assert response.status_code == 200
    assert response.json() == sent


def test_status_of_an_unknown_otp_is_404_error_response(api: Api) -> None:
    response = api.call("GET", f"/otp/{UNKNOWN_ID}")

    assert response.status_code == 404
    assert set(response.json()) == ERROR_FIELDS
    assert response.json()["message"] == "OTP code was not found."


def test_status_turns_expired_exactly_at_expiry(api: Api) -> None:
    otp_id = api.send()["otpId"]

    api.fake.advance(299)
    before = api.call("GET", f"/otp/{otp_id}").json()["otpStatus"]
    api.fake.advance(1)
    after = api.call("GET", f"/otp/{otp_id}").json()["otpStatus"]

    assert (before, after) == ("ACTIVE", "EXPIRED")


def test_list_answers_every_otp_of_the_number(api: Api) -> None:
    first = api.send()
    second = api.send()
    api.send(OTHER_NUMBER)

    response = api.call("GET", "/otp", {"number": "0049 151 12345678"})

    assert response.status_code == 200
    assert [entity["otpId"] for entity in response.json()] == [first["otpId"], second["otpId"]]
    assert all(set(entity) == ENTITY_FIELDS for entity in response.json())


def test_list_without_otps_is_204_with_an_empty_body(api: Api) -> None:
    api.send(OTHER_NUMBER)

    response = api.call("GET", "/otp", {"number": NUMBER})

    assert response.status_code == 204
    assert response.content == b""


@pytest.mark.parametrize("params", [{}, {"number": "12ab"}])
def test_list_with_a_missing_or_invalid_number_is_400(api: Api, params: dict[str, str]) -> None:
    response = api.call("GET", "/otp", params)

    assert response.status_code == 400
    assert set(response.json()) == ERROR_FIELDS


# -- resend -------------------------------------------------------------------------


def test_resend_sends_the_same_code_and_keeps_created_and_expire(api: Api) -> None:
    sent = api.send()
    api.fake.advance(10)

    response = api.call("POST", f"/otp/{sent['otpId']}")

    assert response.status_code == 200
    assert response.json() == sent
    first, again = api.fake.outbox
    assert again.code == first.code
    assert again.otp_id == sent["otpId"]


def test_resend_can_switch_to_voice_with_a_caller(api: Api) -> None:
    otp_id = api.send()["otpId"]

    response = api.call("POST", f"/otp/{otp_id}", {"via": "VOICE", "Caller": "+4930111"})

    assert response.status_code == 200
    message = api.fake.outbox[-1]
    assert (message.channel, message.sender) == ("VOICE", "+4930111")
    assert message.text == f"Your OTP code is {message.code} . Repeat of OTP Code: {message.code}"


def test_resend_with_a_sender_override(api: Api) -> None:
    otp_id = api.send()["otpId"]

    api.call("POST", f"/otp/{otp_id}", {"sender": "ACME"})

    assert api.fake.outbox[-1].sender == "ACME"


def test_resend_with_an_unknown_via_is_400(api: Api) -> None:
    otp_id = api.send()["otpId"]

    response = api.call("POST", f"/otp/{otp_id}", {"via": "FAX"})

    assert response.status_code == 400
    assert len(api.fake.outbox) == 1


@pytest.mark.parametrize("final", ["VERIFIED", "EXPIRED", "TOO_MANY_ATTEMPTS"])
def test_resend_of_a_non_active_otp_is_401_not_valid_anymore(api: Api, final: str) -> None:
    otp_id = api.send()["otpId"]
    _drive_to(api, otp_id, final)
    delivered = len(api.fake.outbox)

    response = api.call("POST", f"/otp/{otp_id}")

    assert response.status_code == 401
    assert set(response.json()) == ERROR_FIELDS
    assert response.json()["message"] == "OTP is not valid anymore"
    assert len(api.fake.outbox) == delivered


def test_resend_after_expiry_without_a_check_is_401(api: Api) -> None:
    otp_id = api.send()["otpId"]
    api.fake.advance(300)

    assert api.call("POST", f"/otp/{otp_id}").status_code == 401


def test_resend_of_an_unknown_otp_is_404_error_response(api: Api) -> None:
    response = api.call("POST", f"/otp/{UNKNOWN_ID}")

    assert response.status_code == 404
    assert set(response.json()) == ERROR_FIELDS


# -- delete and events --------------------------------------------------------------


def test_delete_answers_the_entity_as_it_was_then_forgets_the_id(api: Api) -> None:
    otp_id = api.send()["otpId"]
    api.check(otp_id, api.code_of(otp_id))

    deleted = api.call("DELETE", f"/otp/{otp_id}")
    again = api.call("DELETE", f"/otp/{otp_id}")

    assert deleted.status_code == 200
    assert deleted.json()["otpStatus"] == "VERIFIED"
    assert (again.status_code, again.content) == (404, b"")
    assert api.check(otp_id, "1234").status_code == 404
    assert api.call("GET", f"/otp/{otp_id}").status_code == 404
    assert api.call("GET", f"/otp/{otp_id}/events").status_code == 404
    assert api.fake.otps == {}


def test_events_list_one_delivery_event_per_send_and_resend(api: Api) -> None:
    otp_id = api.send()["otpId"]
    api.call("POST", f"/otp/{otp_id}", {"via": "VOICE"})

    response = api.call("GET", f"/otp/{otp_id}/events")

    assert response.status_code == 200
    events = response.json()
    assert len(events) == 2
    for event in events:
        assert set(event) == {"created", "status", "statusText", "timestampCreated", "type"}
        assert (event["type"], event["status"]) == ("DELIVER_OTP_RES", "success")
        assert isinstance(event["created"], int)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", event["timestampCreated"])


def test_events_of_an_unknown_otp_is_404_error_response(api: Api) -> None:
    response = api.call("GET", f"/otp/{UNKNOWN_ID}/events")

    assert response.status_code == 404
    assert set(response.json()) == ERROR_FIELDS


# -- check: the table of docs/providers.md ------------------------------------------


def _drive_to(api: Api, otp_id: str, final: str) -> None:
    """Bring an OTP of the default application (3 attempts) to a final state."""
    if final == "VERIFIED":
        assert api.check(otp_id, api.code_of(otp_id)).status_code == 202
    elif final == "EXPIRED":
        api.fake.advance(300)
        assert api.check(otp_id, api.code_of(otp_id)).status_code == 403
    else:
        statuses = [api.check(otp_id, api.wrong_code_for(otp_id)).status_code for _ in range(3)]
        assert statuses == [401, 401, 403]


def test_right_code_on_an_active_otp_is_202_verified(api: Api) -> None:
    otp_id = api.send()["otpId"]

    response = api.check(otp_id, api.code_of(otp_id))

    assert response.status_code == 202
    assert set(response.json()) == ENTITY_FIELDS
    assert response.json()["otpStatus"] == "VERIFIED"
    assert response.json()["attemptCount"] == 1


def test_wrong_code_with_attempts_left_is_401_still_active(api: Api) -> None:
    otp_id = api.send()["otpId"]

    response = api.check(otp_id, api.wrong_code_for(otp_id))

    assert response.status_code == 401
    assert response.json()["otpStatus"] == "ACTIVE"
    assert response.json()["attemptCount"] == 1


def test_the_third_wrong_code_is_403_too_many_attempts(api: Api) -> None:
    otp_id = api.send()["otpId"]

    answers = [api.check(otp_id, api.wrong_code_for(otp_id)) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [401, 401, 403]
    assert [answer.json()["attemptCount"] for answer in answers] == [1, 2, 3]
    assert answers[-1].json()["otpStatus"] == "TOO_MANY_ATTEMPTS"


def test_the_nth_wrong_code_uses_the_application_attempts(api: Api) -> None:
    app = api.create_app(attempts=5)
    otp_id = api.send(applicationId=app["applicationId"])["otpId"]

    statuses = [api.check(otp_id, api.wrong_code_for(otp_id)).status_code for _ in range(5)]

    assert statuses == [401, 401, 401, 401, 403]


def test_attempts_are_fixed_when_the_otp_is_sent(api: Api) -> None:
    otp_id = api.send()["otpId"]
    api.call("POST", "/application/default", {"attempts": 5})

    statuses = [api.check(otp_id, api.wrong_code_for(otp_id)).status_code for _ in range(3)]

    assert statuses == [401, 401, 403]


def test_right_code_after_a_wrong_one_counts_both_attempts(api: Api) -> None:
    otp_id = api.send()["otpId"]
    api.check(otp_id, api.wrong_code_for(otp_id))

    response = api.check(otp_id, api.code_of(otp_id))

    assert response.status_code == 202
    assert response.json()["attemptCount"] == 2


def test_check_of_an_expired_otp_is_403_expired_then_410(api: Api) -> None:
    otp_id = api.send()["otpId"]
    api.call("GET", f"/otp/{otp_id}")  # reading the status changes nothing
    api.fake.advance(300)

    first = api.check(otp_id, api.code_of(otp_id))
    second = api.check(otp_id, api.code_of(otp_id))

    assert first.status_code == 403
    assert first.json()["otpStatus"] == "EXPIRED"
    assert first.json()["attemptCount"] == 0  # the code was not evaluated
    assert second.status_code == 410
    assert second.json()["otpStatus"] == "EXPIRED"


@pytest.mark.parametrize("final", ["VERIFIED", "EXPIRED", "TOO_MANY_ATTEMPTS"])
@pytest.mark.parametrize("right", [True, False])
def test_any_check_after_a_final_state_is_410_without_evaluating(
    api: Api, final: str, right: bool
) -> None:
    otp_id = api.send()["otpId"]
    _drive_to(api, otp_id, final)
    before = api.call("GET", f"/otp/{otp_id}").json()

    response = api.check(otp_id, api.code_of(otp_id) if right else api.wrong_code_for(otp_id))

    assert response.status_code == 410
    assert response.json() == before
    assert response.json()["otpStatus"] == final


def test_check_of_an_unknown_otp_is_404_without_body(api: Api) -> None:
    response = api.check(UNKNOWN_ID, "1234")

    assert (response.status_code, response.content) == (404, b"")


def test_check_without_a_code_is_400_and_no_attempt(api: Api) -> None:
    otp_id = api.send()["otpId"]

    response = api.call("POST", f"/otp/{otp_id}/check")

    assert response.status_code == 400
    assert api.fake.otps[otp_id].attempt_count == 0


def test_concurrent_right_codes_verify_exactly_once(api: Api) -> None:
    """Parallel checks of one OTP are serialised: one 202, the rest 410 (like tyntec)."""
    otp_id = api.send()["otpId"]
    code = api.code_of(otp_id)
    statuses: list[int] = []

    def check() -> None:
        client = Api(api.fake)  # one connection per thread
        try:
            statuses.append(client.check(otp_id, code).status_code)
        finally:
            client.session.close()

    threads = [threading.Thread(target=check) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert sorted(statuses) == [202] + [410] * 7
