"""Record every HTTP exchange of a ``requests.Session`` and validate it against tyntec's
OpenAPI file afterwards.

Generic on purpose: it hooks the session, not an operation, so any call a provider
makes (a new one included, e.g. the events a page polls) is recorded and validated
without changing this module::

    recorder = ExchangeRecorder.attach(provider.session)
    ...  # use the provider
    recorder.assert_valid()

The contract suite attaches one to ``TyntecProvider`` in every test (``tests/contract``).
"""

from __future__ import annotations

from typing import Any

import requests
from openapi_core.exceptions import OpenAPIError

from . import validate


def _describe(response: requests.Response) -> str:
    request = response.request
    try:
        operation = validate.operation_id(request)
    except LookupError:
        operation = "no operation"
    path = (request.url or "").split("?", 1)[0].split("/2fa/v1", 1)[-1]
    return f"{request.method} {path} ({operation}) -> {response.status_code}"


class ExchangeRecorder:
    """Keeps the responses (each with its request) a session received, in order."""

    def __init__(self) -> None:
        self.exchanges: list[requests.Response] = []

    @classmethod
    def attach(cls, session: requests.Session) -> ExchangeRecorder:
        """A recorder listening on ``session``'s response hook (the wire is not changed)."""
        recorder = cls()
        session.hooks["response"].append(recorder._record)
        return recorder

    def _record(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.exchanges.append(response)

    def problems(self) -> list[str]:
        """One line per request or answer the file does not allow; empty when all are valid.

        The request is checked only when it carries the API key: a test that sends none
        on purpose gets the gateway's 401, which is then validated as an answer.
        """
        found: list[str] = []
        for response in self.exchanges:
            request = response.request
            try:
                if "apiKey" in request.headers:
                    validate.validate_request(request)
            except (OpenAPIError, LookupError) as error:
                found.append(f"request {_describe(response)}: {error!r}"[:600])
            try:
                validate.validate_response(request, response)
            except (OpenAPIError, LookupError) as error:
                found.append(f"answer {_describe(response)}: {error!r}"[:600])
        return found

    def assert_valid(self) -> None:
        """Fail with every invalid exchange listed."""
        problems = self.problems()
        assert not problems, "exchanges not allowed by tyntec's OpenAPI file:\n" + "\n".join(
            problems
        )
