"""tyntec's 2FA application service (``/2fa/v1/application``), mixed into ``TyntecProvider``.

Not part of ``providers.base.Provider``: it manages tyntec-side configuration (PIN
length, expiry, attempts, SMS/voice templates) and is used by operators, not by the
login flow. Writes are never retried; a 404 is a ``ProviderRejected``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import requests

from ...exceptions import ProviderRejected
from ..base import Application
from .answers import body, common_error, describe
from .http import READ_RETRIES
from .http import query_params as _query
from .parse import ID_PATTERN, decode_json, error_code, parse_application, parse_application_list


def _flag(value: bool | None) -> str | None:
    """Query booleans as the OpenAPI file spells them."""
    return None if value is None else ("true" if value else "false")


def _app_path(application_id: str, suffix: str = "") -> str:
    if not isinstance(application_id, str) or not ID_PATTERN.fullmatch(application_id):
        raise ValueError("malformed application id")
    return "/application/" + quote(application_id, safe="") + suffix


def _answer(operation: str, response: requests.Response, app_id: str | None) -> Application:
    if response.status_code not in (200, 201):
        raise common_error(
            operation, response, app_id, not_found=ProviderRejected, kind="application"
        )
    return parse_application(body(response, operation), operation)


class ApplicationService:
    """Methods for ``/2fa/v1/application``; needs the host class's ``_call``."""

    if TYPE_CHECKING:

        def _call(
            self,
            operation: str,
            method: str,
            path: str,
            *,
            params: Mapping[str, str] | None = None,
            json: Any = None,
            retries: int = 0,
            otp_id: str | None = None,
            number: str | None = None,
        ) -> requests.Response: ...

    def list_applications(self) -> list[Application]:
        """GET /application; 204 is the empty list."""
        response = self._call("list_applications", "GET", "/application", retries=READ_RETRIES)
        if response.status_code == 204:
            return []
        if response.status_code != 200:
            raise common_error("list_applications", response, not_found=ProviderRejected)
        return parse_application_list(body(response, "list_applications"), "list_applications")

    def create_application(
        self,
        *,
        name: str | None = None,
        pin_length: int | None = None,
        alphanumeric: bool | None = None,
        attempts: int | None = None,
        expire: int | None = None,
        sender: str | None = None,
        caller: str | None = None,
    ) -> Application:
        """POST /application with a JSON body; tyntec fills in what is missing."""
        values = {
            "name": name,
            "pinLength": pin_length,
            "alphanumeric": alphanumeric,
            "attempts": attempts,
            "expire": expire,
            "sender": sender,
            "caller": caller,
        }
        payload = {key: value for key, value in values.items() if value is not None}
        response = self._call("create_application", "POST", "/application", json=payload)
        return _answer("create_application", response, None)

    def get_application(self, application_id: str) -> Application:
        """GET /application/{id}; ``"default"`` is the account's default application."""
        response = self._call(
            "get_application", "GET", _app_path(application_id), retries=READ_RETRIES
        )
        return _answer("get_application", response, application_id)

    def update_application(
        self,
        application_id: str,
        *,
        name: str | None = None,
        pin_length: int | None = None,
        alphanumeric: bool | None = None,
        attempts: int | None = None,
        expire: int | None = None,
        sender: str | None = None,
        caller: str | None = None,
        delete_caller: bool | None = None,
    ) -> Application:
        """POST /application/{id} with query parameters (note ``alphaNumeric``)."""
        params = _query(
            name=name,
            pinLength=pin_length,
            alphaNumeric=_flag(alphanumeric),
            attempts=attempts,
            expire=expire,
            sender=sender,
            caller=caller,
            deleteCaller=_flag(delete_caller),
        )
        path = _app_path(application_id)
        response = self._call("update_application", "POST", path, params=params)
        return _answer("update_application", response, application_id)

    def delete_application(self, application_id: str) -> Application | None:
        """DELETE /application/{id}; returns the deleted application when tyntec sends it."""
        response = self._call("delete_application", "DELETE", _app_path(application_id))
        if response.status_code == 204:
            return None
        code = error_code(decode_json(response)) if response.status_code == 403 else None
        if code is not None:
            # A 403 with an ErrorResponse refuses this application (the default one cannot
            # be deleted), unlike the gateway's 403 {"message"} about the API key.
            detail = describe("delete_application", response, application_id, kind="application")
            raise ProviderRejected(f"{detail}, code {code}", provider_code=code)
        return _answer("delete_application", response, application_id)

    def save_template(
        self, application_id: str, language: str, text: str, channel: str | None = None
    ) -> Application:
        """POST /application/{id}/language: add or replace a template (``{{OTP}}`` required)."""
        params = _query(language=language, text=text, channel=channel)
        path = _app_path(application_id, "/language")
        response = self._call("save_template", "POST", path, params=params)
        return _answer("save_template", response, application_id)

    def delete_template(
        self, application_id: str, language: str, channel: str | None = None
    ) -> Application | None:
        """DELETE /application/{id}/language."""
        params = _query(language=language, channel=channel)
        path = _app_path(application_id, "/language")
        response = self._call("delete_template", "DELETE", path, params=params)
        if response.status_code == 204:
            return None
        return _answer("delete_template", response, application_id)
