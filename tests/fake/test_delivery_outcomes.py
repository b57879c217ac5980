"""The fake's delivery reports (issue 13): each message is delivered after a delay, fails,
is reported without a status, or is never reported, as a test plans it through the
Python API or the control endpoint; every events answer is valid against tyntec's
OpenAPI file (a ``null`` status is left out: the file types ``status`` as a string)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
import requests

from django_tyntec2fa.testing.fake_tyntec import DeliveryPlan, FakeTyntec
from tests.openapi import validate

from .conftest import API_KEY, NUMBER, OTHER_NUMBER, TIMEOUT, Api
from .test_cli import MODULE, _first_line


def events(api: Api, otp_id: str) -> list[dict[str, Any]]:
    response = api.call("GET", f"/otp/{otp_id}/events")
    assert response.status_code == 200, response.text
    validate.validate_request(response.request)
    validate.validate_response(response.request, response)
    return response.json()


def test_by_default_each_message_is_delivered_at_once(api: Api) -> None:
    otp = api.send()
    (event,) = events(api, otp["otpId"])
    assert (event["type"], event["status"]) == ("DELIVER_OTP_RES", "success")
    assert event["created"] >= otp["created"]


def test_delivered_after_a_delay_appears_only_then(fake: FakeTyntec, api: Api) -> None:
    fake.plan_delivery("delivered", delay=5)
    otp = api.send()
    assert events(api, otp["otpId"]) == []
    fake.advance(4.9)
    assert events(api, otp["otpId"]) == []
    fake.advance(0.2)
    (event,) = events(api, otp["otpId"])
    assert event["status"] == "success"
    assert event["created"] - otp["created"] >= 5000


def test_a_failed_delivery_and_a_silent_one(fake: FakeTyntec, api: Api) -> None:
    fake.plan_delivery("failed", channel="VOICE")
    fake.plan_delivery("silent", channel="SMS")
    otp = api.send(via="SMS")
    assert events(api, otp["otpId"]) == []
    api.call("POST", f"/otp/{otp['otpId']}", {"via": "VOICE"})
    (event,) = events(api, otp["otpId"])
    assert (event["type"], event["status"]) == ("DELIVER_OTP_RES_FAIL", "failed")
    assert "not answered" in event["statusText"]


def test_an_unknown_outcome_has_no_status_property(fake: FakeTyntec, api: Api) -> None:
    fake.plan_delivery("unknown")
    (event,) = events(api, api.send()["otpId"])
    assert "status" not in event
    assert event["type"] == "DELIVER_OTP_REQ"


def test_the_most_specific_plan_wins(fake: FakeTyntec, api: Api) -> None:
    fake.plan_delivery("failed")
    fake.plan_delivery("delivered", number=NUMBER)
    fake.plan_delivery("silent", number=NUMBER, channel="VOICE")
    assert events(api, api.send(NUMBER)["otpId"])[0]["status"] == "success"
    assert events(api, api.send(OTHER_NUMBER)["otpId"])[0]["status"] == "failed"
    assert events(api, api.send(NUMBER, via="VOICE")["otpId"]) == []


def test_reset_forgets_the_plans(fake: FakeTyntec, api: Api) -> None:
    fake.plan_delivery("silent")
    fake.reset()
    assert events(api, api.send()["otpId"])[0]["status"] == "success"


def control(fake: FakeTyntec, body: Any, key: str | None = API_KEY) -> requests.Response:
    headers = {"apiKey": key} if key else {}
    return requests.post(fake.url + "/_fake/delivery", json=body, headers=headers, timeout=TIMEOUT)


def test_the_control_endpoint_plans_deliveries(fake: FakeTyntec, api: Api) -> None:
    answer = control(fake, {"outcome": "failed", "delay": 2, "channel": "SMS"})
    assert answer.status_code == 200
    assert answer.json() == {
        "delivery": [{"outcome": "failed", "delay": 2, "number": None, "channel": "SMS"}]
    }
    otp = api.send()
    assert events(api, otp["otpId"]) == []
    requests.post(fake.url + "/_fake/clock?advance=3", headers={"apiKey": API_KEY}, timeout=TIMEOUT)
    assert events(api, otp["otpId"])[0]["status"] == "failed"
    assert fake.counters["events"] == 2  # control requests are not counted


@pytest.mark.parametrize(
    "body",
    [
        {"outcome": "lost"},
        {"outcome": "failed", "delay": -1},
        {"outcome": "failed", "delay": "soon"},
        {"outcome": "failed", "channel": "FAX"},
        {"outcome": "failed", "colour": "red"},
        ["failed"],
        None,
    ],
)
def test_the_control_endpoint_refuses_what_is_not_a_plan(fake: FakeTyntec, body: Any) -> None:
    answer = control(fake, body)
    assert answer.status_code == 400
    assert answer.json()["code"] == "9014"


def test_the_control_endpoint_needs_the_key(fake: FakeTyntec) -> None:
    assert control(fake, {"outcome": "failed"}, key=None).status_code == 401
    assert control(fake, {"outcome": "failed"}, key="wrong").status_code == 403
    assert fake.state.deliveries.all() == []


def test_a_plan_checks_its_fields() -> None:
    with pytest.raises(ValueError, match="outcome"):
        DeliveryPlan("lost")
    with pytest.raises(ValueError, match="delay"):
        DeliveryPlan("failed", delay=float("nan"))


def test_the_command_line_plans_every_delivery() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", MODULE, "--port", "0", "--api-key", API_KEY]
        + ["--delivery", "failed", "--delivery-delay", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = _first_line(process, timeout=15).rsplit(" ", 1)[1].strip()
        headers = {"apiKey": API_KEY}
        sent = requests.post(
            url + "/2fa/v1/otp", params={"number": NUMBER}, headers=headers, timeout=TIMEOUT
        ).json()
        found = requests.get(
            f"{url}/2fa/v1/otp/{sent['otpId']}/events", headers=headers, timeout=TIMEOUT
        ).json()
        assert [event["status"] for event in found] == ["failed"]
    finally:
        process.terminate()
        process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream:
                stream.close()


def test_the_command_line_refuses_a_negative_delay() -> None:
    result = subprocess.run(
        [sys.executable, "-m", MODULE, "--port", "0", "--api-key", API_KEY]
        + ["--delivery-delay", "-1"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "delay" in result.stderr
