"""API-key authentication: header in any case, query parameter, gateway answers (INFERRED)."""

from __future__ import annotations

import pytest
import requests

from .conftest import API_KEY, NUMBER, TIMEOUT, Api


@pytest.mark.parametrize("header", ["apiKey", "apikey", "APIKEY", "ApiKey"])
def test_api_key_header_name_is_case_insensitive(api: Api, header: str) -> None:
    response = requests.get(api.base + "/application", headers={header: API_KEY}, timeout=TIMEOUT)

    assert response.status_code == 200


def test_api_key_as_query_parameter(api: Api) -> None:
    response = api.call("POST", "/otp", {"number": NUMBER, "apiKey": API_KEY}, key=None)

    assert response.status_code == 200


def test_missing_api_key_is_401_and_nothing_happens(api: Api) -> None:
    response = api.call("POST", "/otp", {"number": NUMBER}, key=None)

    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {"message": "No API key found in request"}
    assert api.fake.outbox == []
    assert api.fake.counters["send"] == 1  # counted although refused


@pytest.mark.parametrize("where", ["header", "query"])
def test_wrong_api_key_is_403(api: Api, where: str) -> None:
    if where == "header":
        response = api.call("POST", "/otp", {"number": NUMBER}, key="wrong")
    else:
        response = api.call("POST", "/otp", {"number": NUMBER, "apiKey": "wrong"}, key=None)

    assert response.status_code == 403
    assert response.json() == {"message": "Invalid authentication credentials"}
    assert api.fake.otps == {}


def test_empty_api_key_counts_as_missing(api: Api) -> None:
    response = api.call("GET", "/application", key="")

    assert response.status_code == 401


@pytest.mark.parametrize(("key", "status"), [(None, 401), ("wrong", 403)])
def test_control_endpoints_need_the_api_key(api: Api, key: str | None, status: int) -> None:
    headers = {"apiKey": key} if key else {}

    response = requests.get(api.fake.url + "/_fake/outbox", headers=headers, timeout=TIMEOUT)

    assert response.status_code == status
