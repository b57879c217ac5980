"""Browsers for the black-box tests: httpx over real HTTP to 127.0.0.1, and a burst of
concurrent POSTs that all carry one frozen session cookie."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from types import TracebackType

import httpx

from .harness import HTTP_TIMEOUT

HTML = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
#: Seconds a whole burst may take; a hung server fails the test instead of the suite.
BURST_DEADLINE = 60.0


class Browser:
    """One browser: its own cookie jar (one session), HTML navigation."""

    def __init__(self, url: str, headers: Mapping[str, str] | None = None) -> None:
        self.client = httpx.AsyncClient(
            base_url=url, timeout=HTTP_TIMEOUT, headers={**HTML, **(headers or {})}
        )

    async def __aenter__(self) -> Browser:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.client.aclose()

    @property
    def csrf(self) -> str:
        return str(self.client.cookies["csrftoken"])

    @property
    def session_key(self) -> str | None:
        return self.client.cookies.get("sessionid")

    def cookie_header(self) -> str:
        """This session's cookies as a request header, frozen for a burst."""
        return "; ".join(f"{name}={value}" for name, value in self.client.cookies.items())

    async def open_login(self) -> None:
        """GET the login page: the CSRF cookie."""
        response = await self.client.get("/accounts/login/")
        assert response.status_code == 200, response.status_code

    async def post_password(self, username: str, password: str) -> httpx.Response:
        """The password step alone (the login page must be open)."""
        return await self.client.post(
            "/accounts/login/",
            data={
                "username": username,
                "password": password,
                "next": "/protected/",
                "csrfmiddlewaretoken": self.csrf,
            },
        )

    async def sign_in(self, username: str, password: str) -> httpx.Response:
        """Open the login page and send the password, then follow the redirect: the
        site's login (the app's LoginView) sends a user who owes a code to the challenge
        page (and has stored ``next``); anyone else is signed in and redirected, as by
        Django's."""
        await self.open_login()
        response = await self.post_password(username, password)
        if response.status_code == 302:
            return await self.client.get(response.headers["location"], follow_redirects=True)
        assert response.status_code == 200, response.status_code
        assert 'action="/2fa/challenge/"' in response.text, response.text
        return response

    async def post(self, path: str, data: Mapping[str, str]) -> httpx.Response:
        return await self.client.post(path, data={**data, "csrfmiddlewaretoken": self.csrf})


async def burst(
    url: str, path: str, forms: list[dict[str, str]], cookie: str, csrf: str
) -> list[httpx.Response]:
    """POST every form at once, each on its own connection, all with the same cookie
    header: a response's new cookie cannot leak into the requests still in flight."""

    async def one(form: dict[str, str]) -> httpx.Response:
        headers = {**HTML, "cookie": cookie}
        async with httpx.AsyncClient(base_url=url, timeout=HTTP_TIMEOUT, headers=headers) as client:
            return await client.post(path, data={**form, "csrfmiddlewaretoken": csrf})

    return list(
        await asyncio.wait_for(asyncio.gather(*(one(form) for form in forms)), BURST_DEADLINE)
    )


async def gather_all(*calls: object) -> list[httpx.Response]:
    """Run coroutines concurrently, bounded by ``BURST_DEADLINE``."""
    return list(await asyncio.wait_for(asyncio.gather(*calls), BURST_DEADLINE))  # type: ignore[arg-type]
