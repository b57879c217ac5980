"""Server lifecycle, counters, connections, control endpoints, reset and logging (G4)."""

from __future__ import annotations

import logging
import re
import socket
import subprocess
import sys

import pytest
import requests

from django_tyntec2fa.testing.fake_tyntec import OPERATIONS, FakeTyntec, Fault
from django_tyntec2fa.testing.fake_tyntec.routes import ROUTES

from .conftest import API_KEY, NUMBER, TIMEOUT, Api

LOGGER = "django_tyntec2fa.testing.fake_tyntec"


def test_url_is_the_loopback_base_url(fake: FakeTyntec) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", fake.url)
    assert fake.port != 0


def test_sequential_requests_on_one_session_use_one_connection(api: Api) -> None:
    for _ in range(5):
        assert api.call("GET", "/application").status_code == 200
    with requests.Session() as other:
        other.get(api.base + "/application", headers={"apiKey": API_KEY}, timeout=TIMEOUT)

    assert api.fake.connections == 2


def test_every_route_is_a_counted_operation() -> None:
    assert sorted(route.name for route in ROUTES) == sorted(OPERATIONS)


def test_counters_count_every_operation_once(api: Api) -> None:
    otp_id = api.send()["otpId"]
    app_id = api.create_app()["applicationId"]
    language = f"/application/{app_id}/language"
    for method, path, params in [
        ("GET", "/otp", {"number": NUMBER}),
        ("GET", f"/otp/{otp_id}", None),
        ("POST", f"/otp/{otp_id}", None),
        ("GET", f"/otp/{otp_id}/events", None),
        ("POST", f"/otp/{otp_id}/check", {"otpCode": "x"}),
        ("DELETE", f"/otp/{otp_id}", None),
        ("GET", "/application", None),
        ("GET", f"/application/{app_id}", None),
        ("POST", f"/application/{app_id}", {"pinLength": 6}),
        ("POST", language, {"language": "de", "text": "{{OTP}}"}),
        ("DELETE", language, {"language": "de"}),
        ("DELETE", f"/application/{app_id}", None),
    ]:
        api.call(method, path, params)

    assert api.fake.counters == dict.fromkeys(OPERATIONS, 1)


def test_unknown_paths_and_methods_are_refused_and_not_counted(api: Api) -> None:
    unknown = api.call("GET", "/nothing")
    wrong_method = api.call("PUT", "/otp")

    assert (unknown.status_code, unknown.json()["code"]) == (404, "9012")
    assert (wrong_method.status_code, wrong_method.json()["code"]) == (405, "9013")
    assert set(api.fake.counters.values()) == {0}


def test_oversized_body_is_413(api: Api) -> None:
    response = api.session.post(
        api.base + "/application", data=b"x" * 70_000, headers={"apiKey": API_KEY}, timeout=5
    )

    assert response.status_code == 413


def test_stop_closes_idle_keep_alive_connections_and_is_idempotent() -> None:
    fake = FakeTyntec(api_key=API_KEY).start()
    with requests.Session() as session:
        url = fake.url + "/2fa/v1/application"
        assert session.get(url, headers={"apiKey": API_KEY}, timeout=TIMEOUT).ok

        fake.stop()
        fake.stop()

        with pytest.raises(requests.ConnectionError):
            session.get(url, headers={"apiKey": API_KEY}, timeout=TIMEOUT)


def test_start_twice_and_url_before_start_are_errors(fake: FakeTyntec) -> None:
    with pytest.raises(RuntimeError):
        fake.start()
    with pytest.raises(RuntimeError):
        _ = FakeTyntec().url


def test_repr_does_not_show_the_api_key_g4(fake: FakeTyntec) -> None:
    assert API_KEY not in repr(fake)


def test_otps_gives_read_access_without_leaking_the_code_in_reprs(api: Api) -> None:
    otp_id = api.send()["otpId"]

    stored = api.fake.otps[otp_id]

    assert stored.code == api.code_of(otp_id)
    assert stored.number == NUMBER
    assert stored.code not in repr(stored).replace(otp_id, "")
    assert NUMBER not in repr(stored)


def test_reset_returns_to_a_just_started_account(api: Api) -> None:
    outbox = api.fake.outbox
    api.send()
    app_id = api.create_app()["applicationId"]
    api.call("POST", "/application/default", {"pinLength": 8})
    api.fake.advance(3600)
    api.fake.inject(Fault("status"))

    api.fake.reset()

    assert outbox == [] and api.fake.outbox is outbox
    assert api.fake.otps == {}
    assert set(api.fake.counters.values()) == {0}
    assert api.fake.connections == 0
    assert app_id not in api.fake.applications
    assert api.call("GET", "/application/default").json()["pinLength"] == 4  # no fault left
    entity = api.send()
    assert api.call("GET", f"/otp/{entity['otpId']}").json()["otpStatus"] == "ACTIVE"


def test_advance_refuses_going_back(fake: FakeTyntec) -> None:
    with pytest.raises(ValueError):
        fake.advance(-1)


def test_control_endpoints(api: Api) -> None:
    control = api.fake.url + "/_fake"
    headers = {"apiKey": API_KEY}
    otp_id = api.send()["otpId"]
    message = api.fake.outbox[0]

    counters = requests.get(control + "/counters", headers=headers, timeout=TIMEOUT).json()
    outbox = requests.get(control + "/outbox", headers=headers, timeout=TIMEOUT).json()
    clock = requests.post(control + "/clock?advance=300", headers=headers, timeout=TIMEOUT)
    expired = api.call("GET", f"/otp/{otp_id}").json()["otpStatus"]
    bad_clock = requests.post(control + "/clock?advance=-5", headers=headers, timeout=TIMEOUT)
    reset = requests.post(control + "/reset", headers=headers, timeout=TIMEOUT)

    assert counters["counters"]["send"] == 1
    assert counters["connections"] >= 1
    assert outbox == [
        {
            "number": NUMBER,
            "channel": "SMS",
            "language": "en",
            "text": message.text,
            "code": message.code,
            "otpId": otp_id,
            "sender": "VERIFY",
        }
    ]
    assert clock.status_code == 200
    assert expired == "EXPIRED"
    assert bad_clock.status_code == 400
    assert reset.status_code == 200
    assert api.fake.otps == {}


def test_control_unknown_path_and_wrong_method(fake: FakeTyntec) -> None:
    headers = {"apiKey": API_KEY}

    unknown = requests.get(fake.url + "/_fake/nothing", headers=headers, timeout=TIMEOUT)
    wrong = requests.get(fake.url + "/_fake/reset", headers=headers, timeout=TIMEOUT)

    assert (unknown.status_code, wrong.status_code) == (404, 405)


def test_logs_go_to_logging_with_query_values_redacted_g4(
    api: Api, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    otp_id = api.send(otpCode="918273", apiKey=API_KEY)["otpId"]
    api.check(otp_id, "918273")
    with socket.create_connection(("127.0.0.1", api.fake.port), timeout=5) as sock:
        sock.sendall(b"BROKEN /x?otpCode=918273 nonsense\r\n\r\n")  # http.server's error path
        sock.recv(1024)

    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "otpCode=***" in text
    assert "918273" not in text
    assert API_KEY not in text
    assert "15112345678" not in text
    assert all(record.name == LOGGER for record in caplog.records)
    assert capfd.readouterr().err == ""


def test_importing_the_fake_does_not_import_django() -> None:
    script = (
        "import sys, django_tyntec2fa.testing.fake_tyntec, "
        "django_tyntec2fa.testing.fake_tyntec.__main__;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )

    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=30, check=True
    )

    assert result.stdout.strip() == "[]"
