"""The application service: CRUD, error codes 1006/1008/1017, templates and rendering."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from django_tyntec2fa.testing.fake_tyntec import DEFAULT_APPLICATION_ID

from .conftest import APP_FIELDS, ERROR_FIELDS, Api

DEFAULT_SMS = "OTP code: {{OTP}}. Valid for {{SEC}} seconds."
DEFAULT_VOICE = "Your OTP code is {{OTP}} . Repeat of OTP Code: {{OTP}}"


def _error(api: Api, method: str, path: str, params: Any = None, **kwargs: Any) -> dict:
    response = api.call(method, path, params, **kwargs)
    assert response.status_code == 400, response.text
    assert set(response.json()) == ERROR_FIELDS
    return response.json()


# -- list, create, read -------------------------------------------------------------


@pytest.mark.parametrize("path", ["/application", "/application/"])
def test_list_has_the_default_application(api: Api, path: str) -> None:
    response = api.call("GET", path)

    assert response.status_code == 200
    [default] = response.json()
    assert set(default) == APP_FIELDS
    assert default["applicationId"] == DEFAULT_APPLICATION_ID
    assert default["name"] == "default"
    assert default["template"] == {"en": DEFAULT_SMS, "en-voice": DEFAULT_VOICE}
    assert (default["pinLength"], default["attempts"], default["expire"]) == (4, 3, 300)


def test_create_without_a_body_uses_the_defaults(api: Api) -> None:
    response = api.call("POST", "/application")

    assert response.status_code == 200
    app = response.json()
    assert set(app) == APP_FIELDS
    assert uuid.UUID(app["applicationId"]).version == 4
    assert app["name"] == f"App-{app['created']}"
    assert (app["pinLength"], app["alphanumeric"], app["attempts"]) == (4, False, 3)
    assert (app["expire"], app["sender"]) == (300, "VERIFY")
    assert "caller" not in app  # unset: left out, never null (the OpenAPI file's string)
    assert app["template"] == {"en": DEFAULT_SMS}
    assert len(api.call("GET", "/application").json()) == 2


def test_create_with_a_body_takes_its_values(api: Api) -> None:
    fields = {"name": "Shop", "pinLength": 8, "alphanumeric": True, "attempts": 5}
    fields |= {"expire": 600, "sender": "SHOP", "caller": "+4930123"}

    app = api.create_app(**fields)

    assert {key: app[key] for key in fields} == fields


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        ({"name": "default"}, "1017", "Cannot create application with name 'default'"),
        ({"pinLength": 3}, "1006", "PIN length should be between 4 to 10 digits."),
        ({"pinLength": 11}, "1006", "PIN length should be between 4 to 10 digits."),
        ({"expire": 29}, "1008", "Expiration value should be between 30 and 7200."),
        ({"expire": 7201}, "1008", "Expiration value should be between 30 and 7200."),
        ({"attempts": 0}, "9002", None),
        ({"pinLength": "6"}, "9014", None),
    ],
)
def test_create_refuses_invalid_values(
    api: Api, body: dict[str, Any], code: str, message: str | None
) -> None:
    error = _error(api, "POST", "/application", json=body)

    assert error["code"] == code
    if message:
        assert error["message"] == message
    assert len(api.fake.applications) == 1


def test_create_refuses_a_body_that_is_not_json(api: Api) -> None:
    response = api.session.post(
        api.base + "/application", data=b"{oops", headers={"apiKey": api.fake.api_key}, timeout=5
    )

    assert response.status_code == 400
    assert response.json()["code"] == "9014"


@pytest.mark.parametrize(("pin_length", "expire"), [(4, 30), (10, 7200)])
def test_create_accepts_the_range_boundaries(api: Api, pin_length: int, expire: int) -> None:
    app = api.create_app(pinLength=pin_length, expire=expire)

    assert (app["pinLength"], app["expire"]) == (pin_length, expire)


def test_read_by_id_and_by_the_default_alias(api: Api) -> None:
    app = api.create_app(name="Shop")

    by_id = api.call("GET", f"/application/{app['applicationId']}")
    default = api.call("GET", "/application/default")

    assert (by_id.status_code, by_id.json()) == (200, app)
    assert default.json()["applicationId"] == DEFAULT_APPLICATION_ID


def test_read_of_an_unknown_application_is_404(api: Api) -> None:
    response = api.call("GET", f"/application/{uuid.uuid4()}")

    assert response.status_code == 404
    assert response.json()["code"] == "9004"


# -- edit and delete ----------------------------------------------------------------


def test_edit_takes_query_parameters(api: Api) -> None:
    app_id = api.create_app()["applicationId"]
    params = {"pinLength": 5, "attempts": 5, "expire": 1500, "sender": "ACME"}
    params |= {"alphaNumeric": "true", "caller": "+4930123", "name": "Renamed"}

    response = api.call("POST", f"/application/{app_id}", params)

    assert response.status_code == 200
    expected = {"pinLength": 5, "attempts": 5, "expire": 1500, "sender": "ACME"}
    expected |= {"alphanumeric": True, "caller": "+4930123", "name": "Renamed"}
    assert {key: response.json()[key] for key in expected} == expected
    assert api.call("GET", f"/application/{app_id}").json() == response.json()


def test_edit_of_the_default_application_by_alias(api: Api) -> None:
    response = api.call("POST", "/application/default", {"pinLength": 6})

    assert response.json()["pinLength"] == 6
    assert api.fake.applications[DEFAULT_APPLICATION_ID].pin_length == 6


def test_edit_delete_caller_removes_the_caller(api: Api) -> None:
    app_id = api.create_app(caller="+4930123")["applicationId"]

    response = api.call("POST", f"/application/{app_id}", {"deleteCaller": "true"})

    assert "caller" not in response.json()


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"name": "default"}, "1017"),
        ({"pinLength": "3"}, "1006"),
        ({"pinLength": "x"}, "1006"),
        ({"pinLength": "6", "expire": "20"}, "1008"),
        ({"attempts": "0"}, "9002"),
        ({"alphaNumeric": "maybe"}, "9002"),
    ],
)
def test_edit_refuses_invalid_values_and_changes_nothing(
    api: Api, params: dict[str, str], code: str
) -> None:
    before = api.call("GET", "/application/default").json()

    assert _error(api, "POST", "/application/default", params)["code"] == code
    assert api.call("GET", "/application/default").json() == before


def test_edit_of_an_unknown_application_is_404(api: Api) -> None:
    response = api.call("POST", f"/application/{uuid.uuid4()}", {"pinLength": 6})

    assert response.status_code == 404
    assert set(response.json()) == ERROR_FIELDS


def test_delete_answers_the_application_and_removes_it(api: Api) -> None:
    app = api.create_app()

    deleted = api.call("DELETE", f"/application/{app['applicationId']}")

    assert (deleted.status_code, deleted.json()) == (200, app)
    assert api.call("GET", f"/application/{app['applicationId']}").status_code == 404
    assert len(api.call("GET", "/application").json()) == 1


@pytest.mark.parametrize("app_id", ["default", DEFAULT_APPLICATION_ID])
def test_the_default_application_cannot_be_deleted(api: Api, app_id: str) -> None:
    response = api.call("DELETE", f"/application/{app_id}")

    # 403: the only refusal tyntec's OpenAPI file lists for this operation (400 is not).
    assert response.status_code == 403
    assert set(response.json()) == ERROR_FIELDS
    assert response.json()["code"] == "9007"
    assert DEFAULT_APPLICATION_ID in api.fake.applications


def test_delete_of_an_unknown_application_is_404(api: Api) -> None:
    response = api.call("DELETE", f"/application/{uuid.uuid4()}")

    assert response.status_code == 404
    assert set(response.json()) == ERROR_FIELDS


def test_otps_of_a_deleted_application_cannot_be_resent_or_checked(api: Api) -> None:
    app_id = api.create_app()["applicationId"]
    otp_id = api.send(applicationId=app_id)["otpId"]
    api.call("DELETE", f"/application/{app_id}")

    resend = api.call("POST", f"/otp/{otp_id}")
    check = api.check(otp_id, api.code_of(otp_id))

    assert (resend.status_code, resend.json()["code"]) == (404, "9004")
    assert (check.status_code, check.content) == (404, b"")
    assert api.call("GET", f"/otp/{otp_id}").json()["otpStatus"] == "ACTIVE"


# -- language templates ---------------------------------------------------------------


def test_save_template_per_language_and_channel(api: Api) -> None:
    path = "/application/default/language"

    sms = api.call("POST", path, {"language": "de", "text": "Code {{OTP}}"})
    voice = api.call("POST", path, {"language": "de", "text": "Ihr {{OTP}}", "channel": "VOICE"})

    assert sms.status_code == voice.status_code == 200
    assert voice.json()["template"]["de"] == "Code {{OTP}}"
    assert voice.json()["template"]["de-voice"] == "Ihr {{OTP}}"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"language": "de", "text": "no placeholder"}, "9003"),
        ({"language": "de"}, "9011"),
        ({"text": "{{OTP}}"}, "9011"),
        ({"language": "deu", "text": "{{OTP}}"}, "9002"),
        ({"language": "de", "text": "{{OTP}}", "channel": "FAX"}, "9002"),
    ],
)
def test_save_template_refuses_invalid_input(api: Api, params: dict[str, str], code: str) -> None:
    assert _error(api, "POST", "/application/default/language", params)["code"] == code


def test_save_template_of_an_unknown_application_is_404(api: Api) -> None:
    response = api.call(
        "POST", f"/application/{uuid.uuid4()}/language", {"language": "de", "text": "{{OTP}}"}
    )

    assert response.status_code == 404


def test_delete_template(api: Api) -> None:
    api.call("POST", "/application/default/language", {"language": "de", "text": "{{OTP}}"})

    response = api.call("DELETE", "/application/default/language", {"language": "de"})

    assert response.status_code == 200
    assert "de" not in response.json()["template"]


def test_the_english_sms_template_cannot_be_deleted_but_the_voice_one_can(api: Api) -> None:
    path = "/application/default/language"

    assert _error(api, "DELETE", path, {"language": "en"})["code"] == "9008"
    voice = api.call("DELETE", path, {"language": "en", "channel": "VOICE"})
    assert voice.status_code == 200
    assert voice.json()["template"] == {"en": DEFAULT_SMS}


def test_delete_of_a_missing_template_is_404(api: Api) -> None:
    response = api.call("DELETE", "/application/default/language", {"language": "fr"})

    assert response.status_code == 404
    assert response.json()["code"] == "9009"


# -- rendering ----------------------------------------------------------------------


@pytest.fixture
def shop(api: Api) -> str:
    """An application with German SMS + voice and French SMS templates, 120 s validity."""
    app_id = api.create_app(expire=120)["applicationId"]
    path = f"/application/{app_id}/language"
    api.call("POST", path, {"language": "de", "text": "Ihr Code {{OTP}} gilt {{SEC}} s"})
    api.call("POST", path, {"language": "de", "text": "Code {{OTP}} {{OTP}}", "channel": "VOICE"})
    api.call("POST", path, {"language": "fr", "text": "Votre code {{OTP}}"})
    return app_id


@pytest.mark.parametrize(
    ("language", "via", "used", "text"),
    [
        ("de", "SMS", "de", "Ihr Code # gilt 120 s"),
        ("de", "VOICE", "de", "Code # #"),
        ("fr", "VOICE", "fr", "Votre code #"),  # no fr-voice: the fr SMS template
        ("it", "SMS", "en", "OTP code: #. Valid for 120 seconds."),
        ("it", "VOICE", "en", "OTP code: #. Valid for 120 seconds."),  # no en-voice here
    ],
)
def test_template_is_chosen_by_language_and_channel_with_fallbacks(
    api: Api, shop: str, language: str, via: str, used: str, text: str
) -> None:
    otp_id = api.send(applicationId=shop, language=language, via=via)["otpId"]

    message = api.fake.outbox[-1]
    assert message.language == used
    assert message.text == text.replace("#", api.code_of(otp_id))


def test_default_application_voice_uses_the_en_voice_template(api: Api) -> None:
    otp_id = api.send(via="VOICE", language="it")["otpId"]

    code = api.code_of(otp_id)
    assert api.fake.outbox[-1].text == f"Your OTP code is {code} . Repeat of OTP Code: {code}"


@pytest.mark.parametrize(("number", "used"), [("+4915112345678", "de"), ("+33612345678", "en")])
def test_language_is_detected_from_the_number(api: Api, shop: str, number: str, used: str) -> None:
    api.call("DELETE", f"/application/{shop}/language", {"language": "fr"})

    api.send(number, applicationId=shop)

    assert api.fake.outbox[-1].language == used
