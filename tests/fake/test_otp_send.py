"""POST /2fa/v1/otp: the entity, number normalisation, channels, codes and message text."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest

from django_tyntec2fa.testing.fake_tyntec import DEFAULT_APPLICATION_ID, FakeMessage

from .conftest import ENTITY_FIELDS, ERROR_FIELDS, NUMBER, Api

ISO_Z = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")


def _iso(epoch_ms: int) -> str:
    moment = dt.datetime.fromtimestamp(epoch_ms / 1000, tz=dt.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def test_send_answers_an_active_otp_status_entity(api: Api) -> None:
    response = api.call("POST", "/otp", {"number": NUMBER})

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    entity = response.json()
    assert set(entity) == ENTITY_FIELDS
    assert entity["accountId"] == "fake-account"
    assert entity["applicationId"] == DEFAULT_APPLICATION_ID
    assert uuid.UUID(entity["otpId"]).version == 4
    assert entity["number"] == NUMBER
    assert entity["attemptCount"] == 0
    assert entity["otpStatus"] == "ACTIVE"
    assert "referenceId" not in entity  # unset: left out, never null
    assert entity["expire"] - entity["created"] == 300_000
    assert ISO_Z.fullmatch(entity["timestampCreated"])
    assert entity["timestampCreated"] == _iso(entity["created"])
    assert entity["timestampExpire"] == _iso(entity["expire"])


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("+4915112345678", None, "+4915112345678"),
        ("004915112345678", None, "+4915112345678"),
        ("4915112345678", None, "+4915112345678"),
        ("+49 151 1234-5678", None, "+4915112345678"),
        ("015112345678", "DE", "+4915112345678"),
        ("15112345678", "de", "+4915112345678"),
        ("+4915112345678", "DE", "+4915112345678"),
        ("(202) 555-0123", "US", "+12025550123"),
        ("07700900123", "GB", "+447700900123"),
    ],
)
def test_number_is_normalised_to_e164(
    api: Api, raw: str, country: str | None, expected: str
) -> None:
    params = {"country": country} if country else {}

    entity = api.send(raw, **params)

    assert entity["number"] == expected
    assert api.fake.outbox[-1].number == expected


@pytest.mark.parametrize(
    ("raw", "country", "code"),
    [
        ("not-a-number", None, "9001"),
        ("+49", None, "9001"),
        ("015112345678", None, "9001"),  # national number without a country
        ("+1234567890123456", None, "9001"),  # 16 digits: longer than E.164 allows
        ("+4915112345678", "FR", "9010"),  # included calling code contradicts the country
        ("015112345678", "XX", "9010"),
    ],
)
def test_invalid_number_is_400_error_response(
    api: Api, raw: str, country: str | None, code: str
) -> None:
    params = {"number": raw, **({"country": country} if country else {})}

    response = api.call("POST", "/otp", params)

    assert response.status_code == 400
    body = response.json()
    assert set(body) == ERROR_FIELDS
    assert body["code"] == code
    assert isinstance(body["timestamp"], int)
    assert raw not in body["message"]
    assert api.fake.outbox == []
    assert api.fake.otps == {}


def test_missing_number_is_400(api: Api) -> None:
    response = api.call("POST", "/otp", {})

    assert response.status_code == 400
    assert response.json()["code"] == "9011"


@pytest.mark.parametrize(
    ("via", "channel"),
    [(None, "SMS"), ("AUTO", "SMS"), ("SMS", "SMS"), ("VOICE", "VOICE"), ("voice", "VOICE")],
)
def test_via_picks_the_channel_auto_being_sms(api: Api, via: str | None, channel: str) -> None:
    api.send(**({"via": via} if via else {}))

    assert api.fake.outbox[-1].channel == channel


def test_unknown_via_is_400(api: Api) -> None:
    response = api.call("POST", "/otp", {"number": NUMBER, "via": "WHATSAPP"})

    assert response.status_code == 400
    assert response.json()["code"] == "9002"


def test_generated_code_has_the_application_pin_length_of_four_digits(api: Api) -> None:
    entity = api.send()

    code = api.code_of(entity["otpId"])
    assert re.fullmatch(r"[0-9]{4}", code)


@pytest.mark.parametrize("pin_length", [4, 6, 10])
def test_pin_length_parameter_sets_the_code_length(api: Api, pin_length: int) -> None:
    entity = api.send(pinLength=pin_length)

    assert re.fullmatch(rf"[0-9]{{{pin_length}}}", api.code_of(entity["otpId"]))


@pytest.mark.parametrize("pin_length", ["3", "11", "six"])
def test_pin_length_outside_4_to_10_is_400_code_1006(api: Api, pin_length: str) -> None:
    response = api.call("POST", "/otp", {"number": NUMBER, "pinLength": pin_length})

    assert response.status_code == 400
    assert response.json()["code"] == "1006"


def test_given_otp_code_is_sent_as_is_with_leading_zeros(api: Api) -> None:
    entity = api.send(otpCode="0042")

    message = api.fake.outbox[-1]
    assert message.code == "0042"
    assert "0042" in message.text
    assert api.check(entity["otpId"], "42").status_code == 401
    assert api.check(entity["otpId"], "0042").status_code == 202


def test_text_must_contain_the_otp_placeholder_unless_a_code_is_given(api: Api) -> None:
    refused = api.call("POST", "/otp", {"number": NUMBER, "text": "no placeholder"})
    accepted = api.call("POST", "/otp", {"number": NUMBER, "text": "Code 7", "otpCode": "7777"})

    assert refused.status_code == 400
    assert refused.json()["code"] == "9003"
    assert accepted.status_code == 200
    assert api.fake.outbox[-1].text == "Code 7"


def test_text_replaces_the_template_and_renders_otp_and_sec(api: Api) -> None:
    entity = api.send(text="Use {{OTP}} within {{SEC}}s ({{OTP}})")

    code = api.code_of(entity["otpId"])
    assert api.fake.outbox[-1].text == f"Use {code} within 300s ({code})"


def test_default_template_renders_code_and_validity(api: Api) -> None:
    entity = api.send()

    code = api.code_of(entity["otpId"])
    message = api.fake.outbox[-1]
    assert message.text == f"OTP code: {code}. Valid for 300 seconds."
    assert message.language == "en"
    assert message.sender == "VERIFY"


def test_reference_id_is_echoed(api: Api) -> None:
    entity = api.send(referenceId="order-17")

    assert entity["referenceId"] == "order-17"


@pytest.mark.parametrize("name", ["sender", "Sender"])
def test_sender_override_accepts_both_spellings(api: Api, name: str) -> None:
    api.send(**{name: "ACME"})

    assert api.fake.outbox[-1].sender == "ACME"


@pytest.mark.parametrize("name", ["caller", "Caller"])
def test_caller_override_accepts_both_spellings(api: Api, name: str) -> None:
    api.send(via="VOICE", **{name: "+4930999"})

    assert api.fake.outbox[-1].sender == "+4930999"


def test_voice_without_caller_has_none(api: Api) -> None:
    api.send(via="VOICE")

    assert api.fake.outbox[-1].sender is None


def test_application_id_selects_the_application_settings(api: Api) -> None:
    app = api.create_app(pinLength=6, expire=600, sender="SHOP")

    entity = api.send(applicationId=app["applicationId"])

    assert entity["applicationId"] == app["applicationId"]
    assert entity["expire"] - entity["created"] == 600_000
    assert re.fullmatch(r"[0-9]{6}", api.code_of(entity["otpId"]))
    assert api.fake.outbox[-1].sender == "SHOP"


def test_unknown_application_id_is_400(api: Api) -> None:
    response = api.call("POST", "/otp", {"number": NUMBER, "applicationId": str(uuid.uuid4())})

    assert response.status_code == 400
    assert response.json()["code"] == "9004"


def test_alphanumeric_application_sends_lowercase_alphanumeric_codes(api: Api) -> None:
    app = api.create_app(alphanumeric=True, pinLength=10)

    codes = [api.code_of(api.send(applicationId=app["applicationId"])["otpId"]) for _ in range(5)]

    assert all(re.fullmatch(r"[a-z0-9]{10}", code) for code in codes)
    # 50 characters all digits has probability (10/36)**50: this cannot flake.
    assert any(char.isalpha() for code in codes for char in code)


def test_each_delivery_lands_in_the_outbox(api: Api) -> None:
    first = api.send()
    second = api.send(via="VOICE")

    assert [message.otp_id for message in api.fake.outbox] == [first["otpId"], second["otpId"]]
    assert all(isinstance(message, FakeMessage) for message in api.fake.outbox)


def test_fake_message_repr_hides_code_text_and_full_number_g4() -> None:
    message = FakeMessage(NUMBER, "SMS", "en", "Your code 918273", "918273", "otp-1", "VERIFY")

    text = repr(message)

    assert "918273" not in text
    assert "Your code" not in text
    assert NUMBER not in text
    assert "otp-1" in text
