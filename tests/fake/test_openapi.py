"""Every operation of tyntec's OpenAPI file, every status the fake produces, validated.

The parametrisation comes from the spec file itself: an operationId without scenarios
fails, and so does a documented status that is neither produced here nor listed in
NOT_PRODUCED with the reason the fake never answers it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from openapi_core.exceptions import OpenAPIError

from django_tyntec2fa.testing.fake_tyntec import FakeTyntec, Fault
from tests.openapi import validate

from .conftest import NUMBER, Api

UNKNOWN = "3f1c9a52-0000-4000-8000-000000000000"


@dataclass(frozen=True)
class Call:
    """A request to make, relative to ``/2fa/v1``."""

    method: str
    path: str
    params: dict[str, Any] | None = None
    json: Any = field(default=None)

    def make(self, api: Api, key: str | None = "default") -> requests.Response:
        if key == "default":
            return api.call(self.method, self.path, self.params, json=self.json)
        return api.call(self.method, self.path, self.params, json=self.json, key=key)


def _otp(api: Api) -> str:
    return api.send()["otpId"]


def _app(api: Api) -> str:
    return api.create_app()["applicationId"]


def _list_after_send(api: Api) -> Call:
    _otp(api)
    return Call("GET", "/otp", {"number": NUMBER})


#: For each operationId: set up a fresh fake and return the request that succeeds.
SUCCESS: dict[str, Callable[[Api], Call]] = {
    "sendOtpForNumberUsingPOST": lambda api: Call("POST", "/otp", {"number": NUMBER}),
    "getOtpsForNumberUsingGET": lambda api: _list_after_send(api),
    "getOtpStatusUsingGET": lambda api: Call("GET", f"/otp/{_otp(api)}"),
    "resendOtpStatusUsingPOST": lambda api: Call("POST", f"/otp/{_otp(api)}", {"via": "VOICE"}),
    "deleteOtpStatusUsingDELETE": lambda api: Call("DELETE", f"/otp/{_otp(api)}"),
    "getOtpEventsUsingGET": lambda api: Call("GET", f"/otp/{_otp(api)}/events"),
    "checkOtpUsingPOST": lambda api: _right_code(api, _otp(api)),
    "getTwoFactorAuthApplicationsUsingGET": lambda api: Call("GET", "/application"),
    "createTwoFactorAuthApplicationUsingPOST": lambda api: Call(
        "POST", "/application", json={"name": "Shop", "pinLength": 6, "alphanumeric": False}
    ),
    "getTwoFactorAuthApplicationUsingGET": lambda api: Call("GET", f"/application/{_app(api)}"),
    "updateTwoFactorAuthApplicationUsingPOST": lambda api: Call(
        "POST", f"/application/{_app(api)}", {"pinLength": 6, "alphaNumeric": "true"}
    ),
    "deleteTwoFactorAuthApplicationUsingDELETE": lambda api: Call(
        "DELETE", f"/application/{_app(api)}"
    ),
    "saveLanguageTwoFactorAuthApplicationUsingPOST": lambda api: Call(
        "POST", "/application/default/language", {"language": "de", "text": "Code {{OTP}}"}
    ),
    "deleteLanguageTwoFactorAuthApplicationUsingDELETE": lambda api: Call(
        "DELETE", "/application/default/language", {"language": "en", "channel": "VOICE"}
    ),
}


def _right_code(api: Api, otp_id: str) -> Call:
    return Call("POST", f"/otp/{otp_id}/check", {"otpCode": api.code_of(otp_id)})


def _wrong_code(api: Api, otp_id: str) -> Call:
    return Call("POST", f"/otp/{otp_id}/check", {"otpCode": api.wrong_code_for(otp_id)})


def _too_many(api: Api) -> requests.Response:
    otp_id = _otp(api)
    for _ in range(2):
        _wrong_code(api, otp_id).make(api)
    return _wrong_code(api, otp_id).make(api)


def _after_verified(api: Api) -> Call:
    otp_id = _otp(api)
    _right_code(api, otp_id).make(api)
    return _right_code(api, otp_id)


def _resend_verified(api: Api) -> Call:
    otp_id = _otp(api)
    _right_code(api, otp_id).make(api)
    return Call("POST", f"/otp/{otp_id}")


Scenario = Callable[[Api], requests.Response]

#: Business answers, per operationId and status.
SPECIFIC: dict[str, dict[int, Scenario]] = {
    "sendOtpForNumberUsingPOST": {
        400: lambda api: Call("POST", "/otp", {"number": "12ab"}).make(api),
    },
    "getOtpsForNumberUsingGET": {
        204: lambda api: Call("GET", "/otp", {"number": NUMBER}).make(api),
        400: lambda api: Call("GET", "/otp", {"number": "12ab"}).make(api),
    },
    "getOtpStatusUsingGET": {404: lambda api: Call("GET", f"/otp/{UNKNOWN}").make(api)},
    "resendOtpStatusUsingPOST": {
        400: lambda api: Call("POST", f"/otp/{_otp(api)}", {"via": "FAX"}).make(api),
        401: lambda api: _resend_verified(api).make(api),
        404: lambda api: Call("POST", f"/otp/{UNKNOWN}").make(api),
    },
    "deleteOtpStatusUsingDELETE": {404: lambda api: Call("DELETE", f"/otp/{UNKNOWN}").make(api)},
    "getOtpEventsUsingGET": {404: lambda api: Call("GET", f"/otp/{UNKNOWN}/events").make(api)},
    "checkOtpUsingPOST": {
        401: lambda api: _wrong_code(api, _otp(api)).make(api),
        403: _too_many,
        404: lambda api: Call("POST", f"/otp/{UNKNOWN}/check", {"otpCode": "1234"}).make(api),
        410: lambda api: _after_verified(api).make(api),
    },
    "createTwoFactorAuthApplicationUsingPOST": {
        400: lambda api: Call("POST", "/application", json={"pinLength": 3}).make(api),
    },
    "getTwoFactorAuthApplicationUsingGET": {
        404: lambda api: Call("GET", f"/application/{UNKNOWN}").make(api),
    },
    "updateTwoFactorAuthApplicationUsingPOST": {
        400: lambda api: Call("POST", "/application/default", {"expire": 10}).make(api),
        404: lambda api: Call("POST", f"/application/{UNKNOWN}", {"attempts": 4}).make(api),
    },
    "deleteTwoFactorAuthApplicationUsingDELETE": {
        # The default application stays: 403, a status the file lists (400 it does not).
        403: lambda api: Call("DELETE", "/application/default").make(api),
        404: lambda api: Call("DELETE", f"/application/{UNKNOWN}").make(api),
    },
    "saveLanguageTwoFactorAuthApplicationUsingPOST": {
        400: lambda api: Call(
            "POST", "/application/default/language", {"language": "de", "text": "no code"}
        ).make(api),
        404: lambda api: Call(
            "POST", f"/application/{UNKNOWN}/language", {"language": "de", "text": "{{OTP}}"}
        ).make(api),
    },
    "deleteLanguageTwoFactorAuthApplicationUsingDELETE": {
        400: lambda api: Call("DELETE", "/application/default/language", {"language": "en"}).make(
            api
        ),
        404: lambda api: Call("DELETE", "/application/default/language", {"language": "fr"}).make(
            api
        ),
    },
}

#: Documented statuses the fake never answers, and why (see docs/fake_tyntec.md and docs/providers.md).
NOT_PRODUCED: dict[str, dict[int, str]] = {
    "sendOtpForNumberUsingPOST": {201: "200 is the answer", 404: "unknown applicationId is 400"},
    "getOtpsForNumberUsingGET": {404: "the collection always exists"},
    "resendOtpStatusUsingPOST": {201: "200 is the answer"},
    "deleteOtpStatusUsingDELETE": {204: "200 with the entity, as tyntec's sample shows"},
    "checkOtpUsingPOST": {200: "202 is the success answer", 201: "202 is the success answer"},
    "getTwoFactorAuthApplicationsUsingGET": {
        204: "the default application always exists",
        404: "the collection always exists",
    },
    "createTwoFactorAuthApplicationUsingPOST": {404: "the collection always exists"},
    "updateTwoFactorAuthApplicationUsingPOST": {201: "200 is the answer"},
    "deleteTwoFactorAuthApplicationUsingDELETE": {204: "200 with the entity"},
    "saveLanguageTwoFactorAuthApplicationUsingPOST": {201: "200 is the answer"},
    "deleteLanguageTwoFactorAuthApplicationUsingDELETE": {204: "200 with the entity"},
}


def scenarios_for(operation_id: str) -> dict[int, Scenario]:
    """Success, the gateway's 401/403, an injected 500, then the business answers."""
    success = SUCCESS.get(operation_id)
    if success is None:
        return {}

    def fault_500(api: Api) -> requests.Response:
        call = success(api)
        api.fake.inject(Fault("status", status=500))
        return call.make(api)

    scenarios: dict[int, Scenario] = {
        200 if operation_id != "checkOtpUsingPOST" else 202: lambda api: success(api).make(api),
        401: lambda api: success(api).make(api, key=None),
        403: lambda api: success(api).make(api, key="wrong-key"),
        500: fault_500,
    }
    scenarios.update(SPECIFIC.get(operation_id, {}))  # business 401/403 replace the gateway's
    return scenarios


def test_scenarios_only_name_operations_of_the_spec() -> None:
    assert set(SUCCESS) | set(SPECIFIC) | set(NOT_PRODUCED) <= set(validate.operations())


@pytest.mark.parametrize("operation_id", sorted(validate.operations()))
def test_every_answer_of_the_operation_validates(
    fake: FakeTyntec, api: Api, operation_id: str
) -> None:
    scenarios = scenarios_for(operation_id)
    skipped = NOT_PRODUCED.get(operation_id, {})
    assert scenarios, f"{operation_id} is in the spec but not covered"
    assert set(scenarios) | set(skipped) == validate.documented_statuses(operation_id)
    assert not set(scenarios) & set(skipped)

    for status, scenario in sorted(scenarios.items()):
        fake.reset()
        response = scenario(api)

        assert response.status_code == status, (status, response.text)
        assert validate.operation_id(response.request) == operation_id
        if "apiKey" in response.request.headers:  # without it, security fails by design
            validate.validate_request(response.request)
        validate.validate_response(response.request, response)


# -- the validator can fail ---------------------------------------------------------


def _sent(api: Api) -> requests.Response:
    return Call("POST", "/otp", {"number": NUMBER}).make(api)


def test_validator_rejects_a_wrongly_typed_field(api: Api) -> None:
    response = _sent(api)
    body = response.json() | {"created": "yesterday"}
    response._content = json.dumps(body).encode()

    with pytest.raises(OpenAPIError):
        validate.validate_response(response.request, response)


def test_validator_rejects_an_undocumented_status(api: Api) -> None:
    response = _sent(api)
    response.status_code = 418

    with pytest.raises(OpenAPIError):
        validate.validate_response(response.request, response)


def test_validator_rejects_an_empty_204_where_none_is_documented(api: Api) -> None:
    response = Call("GET", f"/otp/{_otp(api)}").make(api)
    response.status_code, response._content = 204, b""

    with pytest.raises(OpenAPIError):
        validate.validate_response(response.request, response)


def test_validator_rejects_a_request_without_api_key(api: Api) -> None:
    response = Call("GET", "/application").make(api, key=None)

    with pytest.raises(OpenAPIError):
        validate.validate_request(response.request)


def test_validator_rejects_a_request_missing_a_required_parameter(api: Api) -> None:
    response = Call("POST", f"/otp/{_otp(api)}/check").make(api)

    with pytest.raises(OpenAPIError):
        validate.validate_request(response.request)
