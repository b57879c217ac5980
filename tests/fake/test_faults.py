"""Injected faults: latency, hang, status, reset, malformed; matching and counting."""

from __future__ import annotations

import socket
import time

import pytest
import requests

from django_tyntec2fa.testing.fake_tyntec import FakeTyntec, Fault

from .conftest import API_KEY, ERROR_FIELDS, NUMBER, Api


@pytest.mark.parametrize("status", [500, 503, 429])
def test_status_fault_answers_an_error_response_once(api: Api, status: int) -> None:
    api.fake.inject(Fault("status", status=status))

    faulted = api.call("POST", "/otp", {"number": NUMBER})
    normal = api.call("POST", "/otp", {"number": NUMBER})

    assert faulted.status_code == status
    assert set(faulted.json()) == ERROR_FIELDS
    assert faulted.json()["code"] == "9500"
    assert normal.status_code == 200
    assert len(api.fake.otps) == 1  # the faulted send created nothing
    assert api.fake.counters["send"] == 2


def test_status_fault_defaults_to_500() -> None:
    assert Fault("status").status == 500


def test_fault_applies_to_its_operation_only(api: Api) -> None:
    api.fake.inject(Fault("status", operation="check", status=503))
    otp_id = api.send()["otpId"]

    response = api.check(otp_id, api.code_of(otp_id))

    assert response.status_code == 503
    assert api.check(otp_id, api.code_of(otp_id)).status_code == 202


def test_fault_applies_times_requests(api: Api) -> None:
    api.fake.inject(Fault("status", times=2))

    statuses = [api.call("GET", "/application").status_code for _ in range(3)]

    assert statuses == [500, 500, 200]


def test_faults_apply_before_authentication(api: Api) -> None:
    api.fake.inject(Fault("status", status=503))

    assert api.call("GET", "/application", key=None).status_code == 503


def test_latency_fault_delays_then_answers_normally(api: Api) -> None:
    api.fake.inject(Fault("latency", delay=0.3))

    started = time.monotonic()
    response = api.call("POST", "/otp", {"number": NUMBER})

    assert time.monotonic() - started >= 0.3
    assert response.status_code == 200
    assert len(api.fake.outbox) == 1


def test_hang_fault_never_answers_and_does_not_block_stop() -> None:
    """The task's only timed assertion: stop() returns within about a second."""
    fake = FakeTyntec(api_key=API_KEY).start()
    try:
        fake.inject(Fault("hang"))
        with pytest.raises(requests.ReadTimeout):
            requests.get(
                fake.url + "/2fa/v1/application", headers={"apiKey": API_KEY}, timeout=(2, 0.3)
            )
        started = time.monotonic()
        fake.stop()
        assert time.monotonic() - started < 1.5
    finally:
        fake.stop()


def test_reset_fault_sends_a_tcp_rst(fake: FakeTyntec) -> None:
    fake.inject(Fault("reset", operation="app_list"))
    request = (
        f"GET /2fa/v1/application HTTP/1.1\r\nHost: 127.0.0.1\r\napiKey: {API_KEY}\r\n\r\n"
    ).encode()

    with socket.create_connection(("127.0.0.1", fake.port), timeout=5) as sock:
        sock.sendall(request)
        with pytest.raises(ConnectionResetError):  # a FIN would read b"" instead
            sock.recv(1024)


def test_reset_fault_is_a_connection_error_for_requests(api: Api) -> None:
    api.fake.inject(Fault("reset"))

    with pytest.raises(requests.ConnectionError):
        api.call("POST", "/otp", {"number": NUMBER})
    assert api.fake.counters["send"] == 1


def test_malformed_fault_is_200_with_invalid_json(api: Api) -> None:
    api.fake.inject(Fault("malformed", operation="send"))

    response = api.call("POST", "/otp", {"number": NUMBER})

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    with pytest.raises(ValueError):
        response.json()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "explode"},
        {"kind": "status", "operation": "teleport"},
        {"kind": "status", "times": 0},
        {"kind": "status", "status": 200},
        {"kind": "latency", "delay": -1},
    ],
)
def test_invalid_faults_are_refused(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        Fault(**kwargs)


def test_faults_over_the_control_endpoint(api: Api) -> None:
    url = api.fake.url + "/_fake/faults"
    headers = {"apiKey": API_KEY}

    accepted = requests.post(
        url, json={"kind": "status", "status": 503}, headers=headers, timeout=5
    )
    refused = requests.post(url, json={"kind": "explode"}, headers=headers, timeout=5)

    assert accepted.status_code == 200
    assert refused.status_code == 400
    assert api.call("GET", "/application").status_code == 503
