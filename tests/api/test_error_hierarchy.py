"""One error hierarchy (issue 22.5): the API's error codes are the typed errors' codes
(``exceptions.py``), the DRF exceptions of ``api/errors.py`` are faces of those errors,
and the gate's 401 and the API's 401 are built by the same function."""

from __future__ import annotations

import inspect
import json

import pytest
from rest_framework.exceptions import APIException

from django_tyntec2fa import exceptions
from django_tyntec2fa.api import authentication, errors
from django_tyntec2fa.gate import middleware


def _typed_errors() -> list[type[exceptions.Tyntec2FAError]]:
    found, todo = [], [exceptions.Tyntec2FAError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def _api_exceptions() -> list[type[APIException]]:
    return [
        cls
        for module in (errors, authentication)
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, APIException) and cls.__module__ == module.__name__
    ]


def test_every_api_exception_has_a_code_of_the_typed_errors() -> None:
    codes = {cls.code for cls in _typed_errors()}
    api = _api_exceptions()
    assert len(api) >= 8
    assert {cls.default_code for cls in api} <= codes


@pytest.mark.parametrize("face", [c for c in _api_exceptions() if issubclass(c, errors.ErrorFace)])
def test_a_face_takes_code_status_and_message_from_its_error(face: type) -> None:
    error = face.error
    assert face.default_code == error.code
    assert face.status_code == error.http_status
    assert str(face.default_detail) == str(error.default_message)


def test_only_the_token_authentication_refusal_is_not_a_face() -> None:
    """It is imported while DRF loads ``rest_framework.views`` (which ``ErrorFace``'s
    module needs), so it names the code of ``SecondFactorRequired`` directly."""
    others = [c for c in _api_exceptions() if not issubclass(c, errors.ErrorFace)]
    assert others == [authentication.TokenWithoutSecondFactor]
    assert others[0].default_code == exceptions.SecondFactorRequired.code


def test_the_gate_and_the_api_build_the_same_401() -> None:
    error = exceptions.SecondFactorRequired()
    gate = middleware._json(error)
    api = errors.error_response(error.code, error.message, 401)
    assert (
        json.loads(gate.content)
        == api.data
        == {
            "code": "second_factor_required",
            "detail": "A second factor is required.",
        }
    )
    assert gate.status_code == api.status_code == 401
    assert gate["WWW-Authenticate"] == api["WWW-Authenticate"] == 'SecondFactor realm="session"'
