"""schemathesis hooks for ``test_schemathesis.py``: the client's authentication state.

Loaded by ``st run`` through ``SCHEMATHESIS_HOOKS=tests.schemathesis_hooks``; the test
names the state and the account in ``FUZZ_*`` environment variables. Before every
generated request the auth provider checks that the client is still in its state and
restores it when an earlier request ended it (a cancelled login, a newer token), then
puts the credentials on the request: the session and CSRF cookies plus ``X-CSRFToken``,
or ``Authorization: Token``.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import schemathesis

from tests.example_api import (
    CLIENT_STATES,
    TIMEOUT,
    Account,
    api_token,
    pending_session,
    spa_session,
    verified_session,
)
from tests.example_site import Site

#: What ``GET /api/login/`` answers for a cookie client in each cookie state.
LOGIN_STATUS = {"pending": "second_factor_required", "verified-session": "authenticated"}


@dataclass
class ClientState:
    """One client of the API in one authentication state."""

    name: str
    site: Site
    account: Account
    session: requests.Session = field(default_factory=requests.Session)
    token: str = ""
    #: True when the last answer may have ended the state (and at the start).
    stale: bool = True

    def ensure(self) -> None:
        """Bring the client back into its state if an earlier request ended it."""
        if not self.stale:
            return
        self.stale = False
        if self.name == "verified-token":
            if not self.token or self._get("/api/devices/").status_code != 200:
                self.token = api_token(self.site, self.account)
        elif self.name == "anonymous":
            if "csrftoken" not in self.session.cookies:
                self.session = spa_session(self.site)
        else:
            response = self._get("/api/login/")
            if response.status_code != 200 or response.json()["status"] != LOGIN_STATUS[self.name]:
                make = pending_session if self.name == "pending" else verified_session
                self.session = make(self.site, self.account)

    def credentials(self) -> tuple[dict[str, str], dict[str, str]]:
        """The headers and cookies that put a request into this state."""
        if self.name == "verified-token":
            return {"Authorization": f"Token {self.token}"}, {}
        cookies = {
            name: value
            for name, value in self.session.cookies.items()
            if name in {"sessionid", "csrftoken"}
            and not (self.name == "anonymous" and name == "sessionid")
        }
        return {"X-CSRFToken": cookies.get("csrftoken", "")}, cookies

    def _get(self, path: str) -> requests.Response:
        headers, cookies = self.credentials()
        return requests.get(self.site.url + path, headers=headers, cookies=cookies, timeout=TIMEOUT)


def state_from_environment() -> ClientState:
    """The state ``test_schemathesis.py`` asked for."""
    name = os.environ["FUZZ_STATE"]
    if name not in CLIENT_STATES:
        raise ValueError(f"FUZZ_STATE must be one of {CLIENT_STATES}, not {name!r}")
    account = Account(
        os.environ["FUZZ_USERNAME"], os.environ["FUZZ_PASSWORD"], os.environ["FUZZ_NUMBER"]
    )
    return ClientState(name, Site(url=os.environ["FUZZ_SITE"], log=Path(os.devnull)), account)


@functools.cache
def client_state() -> ClientState:
    """The one client of this ``st run``, shared by the auth provider and the hook."""
    return state_from_environment()


@schemathesis.auth(refresh_interval=None)
class ExampleClientAuth:
    """Puts the state's credentials on every request, restoring the state first when
    the previous answer may have changed it."""

    def get(self, case: schemathesis.Case, context: Any) -> tuple[dict[str, str], dict[str, str]]:
        """The state's credentials, after restoring the state when needed."""
        state = client_state()
        state.ensure()
        return state.credentials()

    def set(
        self,
        case: schemathesis.Case,
        data: tuple[dict[str, str], dict[str, str]],
        context: Any,
    ) -> None:
        """Put the credentials on the generated request, replacing generated ones."""
        headers, cookies = data
        case.headers = {**(case.headers or {}), **headers}
        case.cookies = {**(case.cookies or {}), **cookies}


@schemathesis.hook
def after_call(context: Any, case: schemathesis.Case, response: Any) -> None:
    """A successful unsafe request (cancel, a new session key, a removed phone) or a
    401 may have ended the state: check it before the next request."""
    if (case.method.upper() != "GET" and response.status_code < 300) or response.status_code == 401:
        client_state().stale = True
