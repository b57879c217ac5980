"""HTTP plumbing of ``TyntecProvider``: session, timeouts, retry policy, log redaction.

Nothing here knows tyntec's API; it turns "send this request" into either a
``requests.Response`` or a typed ``ProviderError``. Two security rules live here:

* R2: only a connection that failed *before* the request went out is retried. After
  a read timeout, a reset or any answer the provider may have acted on the request
  (sent an SMS, spent a check attempt), so repeating it is not safe.
* G4: the query string carries the code and the phone number, and the session
  carries the API key. Our errors are raised outside ``except`` blocks, so they have
  no ``__cause__``/``__context__`` pointing at a requests exception whose message
  holds the URL, and urllib3's DEBUG records are redacted by ``QueryStringRedactor``.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Mapping
from typing import Any

import requests
from django.views.decorators.debug import sensitive_variables
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError

from ...exceptions import ProviderConfigurationError, ProviderError, ProviderUnavailable

#: urllib3 loggers whose records may contain a request URL with its query string.
REDACTED_LOGGERS = ("urllib3.connectionpool", "urllib3.connection", "urllib3.util.retry")
MAX_BACKOFF = 0.2  # seconds; a user is waiting for the SMS
#: Connect-failure retries of idempotent reads (status, events, lists, application reads).
READ_RETRIES = 2
_QUERY = re.compile(r"\?[^\s\"']*")
_install_lock = threading.Lock()

# requests errors that mean our own configuration is broken (bad base URL, an API key
# with a newline in it), not that the provider is down.
_CONFIGURATION_ERRORS = (
    requests.exceptions.InvalidURL,
    requests.exceptions.InvalidSchema,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidHeader,
    requests.exceptions.URLRequired,
)


class QueryStringRedactor(logging.Filter):
    """Replaces every ``?query`` in a record's message with ``?[redacted]``.

    urllib3 logs ``"POST /2fa/v1/otp/<id>/check?otpCode=123456 HTTP/1.1" 202`` at
    DEBUG level; the rendered message replaces ``msg``/``args`` so no handler or
    formatter ever sees the original arguments.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            # logging would print the raw arguments when reporting the broken record.
            message = "[unformattable record]"
        record.msg, record.args = _QUERY.sub("?[redacted]", message), None
        return True


def install_log_redaction() -> None:
    """Attach one ``QueryStringRedactor`` to each logger in ``REDACTED_LOGGERS``."""
    with _install_lock:
        for name in REDACTED_LOGGERS:
            logger = logging.getLogger(name)
            if not any(isinstance(f, QueryStringRedactor) for f in logger.filters):
                logger.addFilter(QueryStringRedactor())


def query_params(**values: Any) -> dict[str, str]:
    """Query parameters without the ``None`` ones; every value as a string."""
    return {key: str(value) for key, value in values.items() if value is not None}


def failed_before_sending(error: BaseException) -> bool:
    """True when the TCP connection could not be opened, so the request never left.

    requests wraps urllib3's ``MaxRetryError`` whose ``reason`` is a
    ``NewConnectionError`` (refused, unreachable, DNS) or ``ConnectTimeoutError``;
    the former is a subclass of the latter.
    """
    if isinstance(error, requests.ConnectTimeout):
        return True
    if not isinstance(error, requests.ConnectionError) or not error.args:
        return False
    cause = error.args[0]
    return isinstance(getattr(cause, "reason", cause), ConnectTimeoutError)


def _error_class(error: requests.RequestException) -> type[ProviderError]:
    if isinstance(error, _CONFIGURATION_ERRORS):
        return ProviderConfigurationError
    return ProviderUnavailable


class HttpTransport:
    """One keep-alive ``requests.Session`` with explicit timeouts and no hidden retries."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str | None,
        timeout: tuple[float, float],
        user_agent: str,
    ) -> None:
        install_log_redaction()
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.has_api_key = bool(api_key)
        self.session = requests.Session()
        # One adapter for both schemes; max_retries=0 because urllib3 cannot tell a
        # safe retry (connect failure) from an unsafe one the way R2 needs.
        adapter = HTTPAdapter(max_retries=0)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.headers.update({"Accept": "application/json", "User-Agent": user_agent})
        if api_key:
            self.session.headers["apiKey"] = api_key

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    @sensitive_variables()
    def request(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        retries: int = 0,
    ) -> requests.Response:
        """Send one request; retry up to ``retries`` times only if it never left.

        Raises ``ProviderUnavailable`` (timeouts, connection failures) or
        ``ProviderConfigurationError`` (unusable URL or header). The detail names
        the operation and the exception class, never the URL.
        """
        error_class: type[ProviderError] = ProviderUnavailable
        reason = "no attempt"
        for attempt in range(max(0, retries) + 1):
            if attempt:
                time.sleep(min(MAX_BACKOFF, 0.05 * 2 ** (attempt - 1)))
            try:
                return self.session.request(
                    method,
                    self.base_url + path,
                    params=params,
                    json=json,
                    timeout=self.timeout,
                    allow_redirects=False,  # a redirect would carry the apiKey header along
                )
            except requests.RequestException as error:
                reason = type(error).__name__
                error_class = _error_class(error)
                if not failed_before_sending(error):
                    break
        # Raised here, outside the except block, so the exception has no
        # __context__ holding requests' message with the full URL (G4).
        raise error_class(f"{operation}: {reason} after {attempt + 1} attempt(s)")

    def close(self) -> None:
        """Close the pooled connections."""
        self.session.close()
