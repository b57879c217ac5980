"""``TyntecProvider``: the client of tyntec's 2FA API v1 (``/2fa/v1/...``).

Every OTP parameter travels in the query string, as the API defines; HTTP plumbing
is in ``http.py``, JSON validation in ``parse.py``, the meaning of each HTTP
answer in ``answers.py`` and the application service in ``application.py``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import requests
from django.views.decorators.debug import sensitive_variables

from ... import __version__
from ...conf import app_settings, normalize_timeout
from ...exceptions import (
    OtpNotFound,
    ProviderConfigurationError,
    ProviderError,
    ProviderUnavailable,
)
from ..base import Channel, CheckResult, OtpEvent, OtpStatus, Provider, mask_number
from . import answers, breaker
from .application import ApplicationService
from .http import READ_RETRIES, HttpTransport
from .http import query_params as _query
from .parse import ID_PATTERN

logger = logging.getLogger("django_tyntec2fa.providers.tyntec")  # its name before the move

API_PATH = "/2fa/v1"


class TyntecProvider(ApplicationService, Provider):
    """Sends and checks OTPs through tyntec; one keep-alive session per instance.

    ``check`` is never retried; ``send``/``resend`` are retried up to
    ``send_retries`` times, and only when the connection could not be opened (R2).
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float | tuple[float, float] | None = None,
    ) -> None:
        api_key = api_key if api_key is not None else app_settings.API_KEY
        self.base_url = (base_url or app_settings.API_URL).rstrip("/")
        self.timeout = normalize_timeout(timeout if timeout is not None else app_settings.TIMEOUT)
        self.send_retries = max(0, app_settings.SEND_RETRIES)
        self._http = HttpTransport(
            base_url=self.base_url + API_PATH,
            api_key=api_key,
            timeout=self.timeout,
            user_agent=f"django-tyntec2fa/{__version__}",
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    @property
    def session(self) -> requests.Session:
        """The keep-alive session; for hooks, proxies or client certificates."""
        return self._http.session

    def close(self) -> None:
        """Close the HTTP session and its pooled connections."""
        self._http.close()

    # -- OTP service ---------------------------------------------------------------

    @sensitive_variables("otp_code", "params")
    def send(
        self,
        number: str,
        *,
        via: Channel = Channel.AUTO,
        language: str | None = None,
        country: str | None = None,
        text: str | None = None,
        pin_length: int | None = None,
        otp_code: str | None = None,
        sender: str | None = None,
        caller: str | None = None,
        application_id: str | None = None,
        reference_id: str | None = None,
    ) -> OtpStatus:
        """POST /otp. ``pinLength`` is always sent, so tyntec's 4 digits never apply (G2)."""
        params = _query(
            number=number,
            applicationId=application_id or app_settings.APPLICATION_ID,
            via=Channel(via).value,
            country=country,
            language=language,
            text=text,
            referenceId=reference_id,
            otpCode=otp_code,
            sender=sender or app_settings.SENDER,
            caller=caller or app_settings.CALLER,
            pinLength=pin_length if pin_length is not None else app_settings.PIN_LENGTH,
        )
        response = self._call(
            "send", "POST", "/otp", params=params, retries=self.send_retries, number=number
        )
        return answers.send_answer(response)

    def status(self, otp_id: str) -> OtpStatus:
        """GET /otp/{otpId}."""
        response = self._call(
            "status", "GET", self._otp_path(otp_id), retries=READ_RETRIES, otp_id=otp_id
        )
        return answers.status_answer(response, otp_id)

    def resend(
        self,
        otp_id: str,
        *,
        via: Channel = Channel.AUTO,
        sender: str | None = None,
        caller: str | None = None,
    ) -> OtpStatus:
        """POST /otp/{otpId}: the same code again, maybe on another channel. The OTP keeps
        its application; ``TYNTEC2FA_SENDER``/``_CALLER`` apply as on ``send``."""
        params = _query(
            via=Channel(via).value,
            sender=sender or app_settings.SENDER,
            caller=caller or app_settings.CALLER,
        )
        response = self._call(
            "resend",
            "POST",
            self._otp_path(otp_id),
            params=params,
            retries=self.send_retries,
            otp_id=otp_id,
        )
        return answers.resend_answer(response, otp_id)

    @sensitive_variables("code", "params")
    def check(self, otp_id: str, code: str) -> CheckResult:
        """POST /otp/{otpId}/check?otpCode=. Never retried: each call spends an attempt."""
        params = {"otpCode": str(code)}  # a string keeps leading zeros
        path = self._otp_path(otp_id) + "/check"
        response = self._call("check", "POST", path, params=params, otp_id=otp_id)
        return answers.check_answer(response, otp_id)

    def delete(self, otp_id: str) -> OtpStatus | None:
        """DELETE /otp/{otpId}; not retried (a second DELETE would answer 404)."""
        response = self._call("delete", "DELETE", self._otp_path(otp_id), otp_id=otp_id)
        return answers.delete_answer(response, otp_id)

    def events(self, otp_id: str) -> list[OtpEvent]:
        """GET /otp/{otpId}/events, oldest first."""
        path = self._otp_path(otp_id) + "/events"
        response = self._call("events", "GET", path, retries=READ_RETRIES, otp_id=otp_id)
        return answers.events_answer(response, otp_id)

    def list_for_number(self, number: str) -> list[OtpStatus]:
        """GET /otp?number=."""
        response = self._call(
            "list", "GET", "/otp", params={"number": number}, retries=READ_RETRIES, number=number
        )
        return answers.list_answer(response)

    # -- plumbing ------------------------------------------------------------------

    @staticmethod
    def _otp_path(otp_id: str) -> str:
        # An id with "/" or ".." would address another resource; tyntec never issues one.
        if not isinstance(otp_id, str) or not ID_PATTERN.fullmatch(otp_id):
            raise OtpNotFound("malformed otp id")
        return "/otp/" + quote(otp_id, safe="")

    @sensitive_variables("params", "json")
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
    ) -> requests.Response:
        """One HTTP exchange and its one log record (operation, status, masked number),
        through the circuit breaker (``abuse/breaker.py``): only timeouts, connection
        failures, 429 and 5xx count against tyntec, never an answer about a code or a
        number."""
        started = time.monotonic()
        outcome: str = "no answer"
        ticket: breaker.Ticket | None = None
        try:
            if not self._http.has_api_key:
                raise ProviderConfigurationError(f"{operation}: no API key configured")
            ticket = breaker.admit()
            response = self._http.request(
                operation, method, path, params=params, json=json, retries=retries
            )
            outcome = f"HTTP {response.status_code}"
            if response.status_code == 429 or response.status_code >= 500:
                breaker.failure(ticket, f"{operation}: {outcome}", sender=type(self))
            else:
                breaker.success(ticket, sender=type(self))
            return response
        except ProviderUnavailable as error:
            outcome = "circuit open" if ticket is None else type(error).__name__
            if ticket is not None:
                breaker.failure(ticket, f"{operation}: {error.detail}", sender=type(self))
            raise
        except ProviderError as error:
            outcome = type(error).__name__
            if ticket is not None:
                breaker.neutral(ticket)
            raise
        finally:
            logger.info(
                "tyntec %s: %s otp_id=%s number=%s elapsed_ms=%d",
                operation,
                outcome,
                otp_id or "-",
                mask_number(number or ""),
                (time.monotonic() - started) * 1000,
                extra={"tyntec_operation": operation, "tyntec_otp_id": otp_id},
            )
